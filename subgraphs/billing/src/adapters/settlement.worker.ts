import { PeriodicTask, type Logger } from "@junggo/runtime";
import type { Payment } from "../domain/payment.ts";

export interface SettlementWorkerOptions {
  listPending: () => Promise<Payment[]>;
  settle: (p: Payment) => Promise<void>;
  log: Logger;
  pollMs: number;
}

/**
 * Polls payments with a decided refund/void and settles them with the provider. A payment whose
 * provider call failed waits with exponential backoff (kept in memory: after a restart it is
 * simply tried at once, which the idempotency key makes harmless).
 */
export class SettlementWorker {
  private readonly task: PeriodicTask;
  private readonly backoff = new Map<string, { attempts: number; until: number }>();
  failures = 0;
  settled = 0;

  constructor(private readonly o: SettlementWorkerOptions) {
    this.task = new PeriodicTask({
      name: "settlement pass",
      periodMs: o.pollMs,
      periodSetting: "PAYMENT_SETTLE_POLL_MS",
      log: o.log,
      pass: () => this.pass(),
    });
  }

  start(): void {
    this.task.start();
  }

  /** Stops polling and lets the payment in hand finish; pending work survives in the database. */
  stop(): Promise<void> {
    return this.task.stop();
  }

  /** Payments currently waiting to retry a failed provider call. */
  get retrying(): number {
    return this.backoff.size;
  }

  private async pass(): Promise<void> {
    let pending: Payment[];
    try {
      pending = await this.o.listPending();
    } catch (err) {
      this.o.log.warn("could not list pending payments", { err: (err as Error).message });
      return;
    }
    const now = Date.now();
    for (const p of pending) {
      const wait = this.backoff.get(p.id);
      if (wait && wait.until > now) continue;
      try {
        await this.o.settle(p);
        this.backoff.delete(p.id);
        this.settled++;
      } catch (err) {
        const attempts = (wait?.attempts ?? 0) + 1;
        const delay = Math.min(500 * 2 ** (attempts - 1), 60_000);
        this.backoff.set(p.id, { attempts, until: Date.now() + delay });
        this.failures++;
        this.o.log.warn("settling payment failed, will retry", {
          paymentId: p.id,
          status: p.status,
          attempts,
          delayMs: delay,
          err: (err as Error).message,
        });
      }
    }
  }
}
