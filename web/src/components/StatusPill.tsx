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
  // sell requests, payouts, the workshop, returns
  PENDING: "warn",
  ACCEPTED: "info",
  IN_INSPECTION: "info",
  LISTED: "ok",
  REJECTED: "muted",
  REVERSED: "muted",
  IN_REPAIR: "warn",
  WITHDRAWN: "muted",
  OPEN: "warn",
  COMPLETED: "ok",
  RETURN_REQUESTED: "warn",
  RETURNED: "muted",
};

export function StatusPill({ value, testId }: { value: string; testId?: string }) {
  return (
    <span className={`pill pill-${TONES[value] ?? "muted"}`} data-testid={testId} data-value={value}>
      {humanize(value)}
    </span>
  );
}
