import nodemailer from "nodemailer";
import type { Mailer } from "../app/ports.ts";

export const DEFAULT_MAIL_FROM = "Junggo <no-reply@junggo.test>";

/**
 * Email through SMTP (nodemailer). `url` as in SMTP_URL: `smtp://[user:pass@]host:port`, or
 * `smtps://` for TLS from the start; a server offering STARTTLS is upgraded.
 */
export function smtpMailer(url: string, from: string): Mailer & { close(): void } {
  const transport = nodemailer.createTransport({
    url,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  return {
    async send(m) {
      // Resolves only after the server accepted the message (250 after DATA).
      await transport.sendMail({ from, to: m.to, subject: m.subject, text: m.text, messageId: m.messageId });
    },
    close: () => transport.close(),
  };
}
