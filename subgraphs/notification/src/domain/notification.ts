// The Notification aggregate: created once per (event, person), read by its recipient, and
// emailed at most once by the mailer:
//
//   email: PENDING --sent--> SENT
//          PENDING --failed (attempt < 5)--> PENDING (retry later, with backoff)
//          PENDING --failed (attempt 5)--> FAILED
//          SKIPPED (no SMTP configured, or the recipient was not known yet) is final.
import { DomainError } from "@junggo/runtime";
import type { Locale } from "./messages.ts";

export type EmailStatus = "PENDING" | "SENT" | "FAILED" | "SKIPPED";

export interface Notification {
  id: string;
  recipientId: string;
  purchaseId: string | null;
  /** The sell request it is about (seller side); null for a purchase's notification. */
  sellRequestId: string | null;
  kind: string;
  locale: Locale;
  title: string;
  message: string;
  createdAt: Date;
  readAt: Date | null;
  /** The event it is about. */
  sourceEventId: string;
  emailTo: string | null;
  emailStatus: EmailStatus;
  emailAttempts: number;
  emailNextAttemptAt: Date | null;
  emailSentAt: Date | null;
  emailError: string | null;
}

export const notFound = () =>
  new DomainError("NOTIFICATION_NOT_FOUND", "There is no notification with this id in your inbox.");

/**
 * The recipient read it. Someone else's notification is reported as not found (no existence leak);
 * reading it again changes nothing (the first time it was read is kept).
 */
export function markRead(n: Notification, viewerId: string, now: Date): Notification {
  if (n.recipientId !== viewerId) throw notFound();
  return n.readAt ? n : { ...n, readAt: now };
}

export const MAX_EMAIL_ATTEMPTS = 5;
const MAX_RETRY_DELAY_MS = 30 * 60_000;

/** Wait before the next attempt after `attempt` failed: base, 2×base, 4×base, ... at most 30 minutes. */
export const emailRetryDelayMs = (attempt: number, baseMs: number) =>
  Math.min(baseMs * 2 ** (attempt - 1), MAX_RETRY_DELAY_MS);

export type EmailOutcome = Pick<
  Notification,
  "emailStatus" | "emailNextAttemptAt" | "emailSentAt" | "emailError"
>;

/** The SMTP server accepted the message. */
export const emailSent = (now: Date): EmailOutcome => ({
  emailStatus: "SENT",
  emailNextAttemptAt: null,
  emailSentAt: now,
  emailError: null,
});

/** Attempt number `attempt` (1-based) failed: retry later with backoff, or give up after the last one. */
export function emailFailed(attempt: number, error: string, now: Date, retryBaseMs: number): EmailOutcome {
  const emailError = error.slice(0, 500);
  if (attempt >= MAX_EMAIL_ATTEMPTS)
    return { emailStatus: "FAILED", emailNextAttemptAt: null, emailSentAt: null, emailError };
  return {
    emailStatus: "PENDING",
    emailNextAttemptAt: new Date(now.getTime() + emailRetryDelayMs(attempt, retryBaseMs)),
    emailSentAt: null,
    emailError,
  };
}
