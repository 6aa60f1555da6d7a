import type { Logger } from "./logger.ts";

export interface PeriodicTaskOptions {
  /** Names the task in the log when a pass fails. */
  name: string;
  periodMs: number;
  /** The setting `periodMs` came from, named when it is not a positive number. */
  periodSetting?: string;
  pass: () => Promise<unknown>;
  log: Logger;
}

/**
 * A background pass run every `periodMs` (sweeps, pollers). A pass still running when the next is
 * due is not doubled; a failed pass is logged and the next one tries again; the timer never keeps
 * the process alive, and `stop` waits for the pass in hand.
 */
export class PeriodicTask {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(private readonly o: PeriodicTaskOptions) {
    if (!(o.periodMs > 0))
      throw new Error(
        `${o.periodSetting ?? `${o.name} period`} must be a positive number of milliseconds, got ${o.periodMs}`,
      );
  }

  start(): this {
    this.timer ??= setInterval(() => void this.tick(), this.o.periodMs);
    this.timer.unref();
    return this;
  }

  /** Runs a pass now, or joins the one already running. */
  tick(): Promise<void> {
    this.running ??= this.o
      .pass()
      .then(
        () => {},
        (err: Error) => this.o.log.warn(`${this.o.name} failed`, { err: err?.message }),
      )
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
