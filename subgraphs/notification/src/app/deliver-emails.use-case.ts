import type { Logger } from "@junggo/runtime";
import { emailBody } from "../domain/messages.ts";
import { emailFailed, emailSent } from "../domain/notification.ts";
import type { Mailer, NotificationRepository } from "./ports.ts";

export interface DeliverEmailsDeps<Db> {
  repo: NotificationRepository<Db>;
  /** The plain client: sending never happens inside a database transaction. */
  db: Db;
  mailer: Mailer;
  clock(): Date;
  log: Logger;
  /** First retry delay; doubles with each failed attempt. */
  retryBaseMs: number;
  /** How long a claimed email stays hidden from other senders (a sender that died mid-send). */
  leaseMs: number;
}

/**
 * One pass of the mailer: for each due email, claim an attempt (so no other replica sends it
 * meanwhile), send it with no transaction open, then record SENT right after the SMTP server
 * accepted it, or the failure with its backoff. Only a crash between the server's acceptance and
 * that write can send an email twice; the stable Message-ID lets the receiving side drop it.
 */
export function makeDeliverEmails<Db>(deps: DeliverEmailsDeps<Db>) {
  const { repo, db } = deps;
  return async function deliverDue(batch = 20): Promise<{ sent: number; failed: number }> {
    const result = { sent: 0, failed: 0 };
    for (const n of await repo.dueEmails(db, deps.clock(), batch)) {
      if (!n.emailTo) continue;
      const attempt = n.emailAttempts + 1;
      if (
        !(await repo.claimEmail(db, n.id, n.emailAttempts, new Date(deps.clock().getTime() + deps.leaseMs)))
      )
        continue;
      try {
        await deps.mailer.send({
          to: n.emailTo,
          subject: n.title,
          text: emailBody(n.locale, n.message),
          messageId: `<${n.id}@junggo.notification>`,
        });
      } catch (err) {
        const outcome = emailFailed(attempt, (err as Error).message, deps.clock(), deps.retryBaseMs);
        await repo.recordEmailOutcome(db, n.id, attempt, outcome);
        result.failed++;
        deps.log.warn(
          outcome.emailStatus === "FAILED" ? "email failed for good" : "email failed, will retry",
          {
            notificationId: n.id,
            attempt,
            retryAt: outcome.emailNextAttemptAt?.toISOString(),
            err: outcome.emailError,
          },
        );
        continue;
      }
      await repo.recordEmailOutcome(db, n.id, attempt, emailSent(deps.clock()));
      result.sent++;
    }
    return result;
  };
}
