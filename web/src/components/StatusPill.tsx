import { humanize } from "../format.ts";

const TONES: Record<string, string> = {
  AVAILABLE: "ok",
  PAID: "info",
  APPROVED: "ok",
  REQUESTED: "warn",
  ASSIGNED: "info",
  PICKED_UP: "info",
  DELIVERING: "info",
  DELIVERED: "ok",
  RESERVED: "warn",
  SOLD: "muted",
  CANCELLED: "muted",
  REFUNDED: "muted",
};

export function StatusPill({ value, testId }: { value: string; testId?: string }) {
  return (
    <span className={`pill pill-${TONES[value] ?? "muted"}`} data-testid={testId} data-value={value}>
      {humanize(value)}
    </span>
  );
}
