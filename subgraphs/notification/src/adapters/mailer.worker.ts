import type { Logger } from "@junggo/runtime";

/**
 * Runs the mailer's passes every `pollMs`; overlapping passes are skipped. Pending emails live in
 * the database, so a restart loses nothing.
 */
export class MailerWorker {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  sent = 0;
  failed = 0;

  constructor(private readonly o: { pass: () => Promise<{ sent: number; failed: number }>; pollMs: number; log: Logger }) {}

  start(): void {
    // unref: the worker never keeps the process alive; `stop` lets the email in hand finish.
    this.timer = setInterval(() => void this.tick(), this.o.pollMs);
    this.timer.unref();
  }

  tick(): Promise<void> {
    this.running ??= this.o
      .pass()
      .then((r) => { this.sent += r.sent; this.failed += r.failed; })
      .catch((err: Error) => this.o.log.warn("mailer pass failed", { err: err.message }))
      .finally(() => { this.running = null; });
    return this.running;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
