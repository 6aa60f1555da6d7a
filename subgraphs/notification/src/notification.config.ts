import { int, str } from "@junggo/runtime";
import { DEFAULT_MAIL_FROM } from "./adapters/smtp.mailer.ts";

/** Notification's own settings: the mailer. */
export const notificationSettings = {
  smtpUrl: str({
    env: "SMTP_URL",
    format: "url",
    description:
      "SMTP server for emails, e.g. `smtp://user:pass@mail.example.com:587` (`smtps://` for TLS from the start); unset: in-app only, emails skipped.",
  }),
  mailFrom: str({ env: "MAIL_FROM", default: DEFAULT_MAIL_FROM, description: "Sender address of emails." }),
  mailPollMs: int({
    env: "MAIL_POLL_MS",
    min: 1,
    default: 1000,
    description: "How often pending emails are sent.",
  }),
  mailRetryBaseMs: int({
    env: "MAIL_RETRY_BASE_MS",
    min: 0,
    default: 30_000,
    description: "First retry delay of a failed email (doubles; FAILED after 5 attempts).",
  }),
};
