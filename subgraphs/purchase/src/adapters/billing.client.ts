import {
  circuitBreaker, CircuitState, ConsecutiveBreaker, ExponentialBackoff, handleWhen, isBrokenCircuitError,
  retry, TaskCancelledError, timeout, TimeoutStrategy, wrap, type CircuitBreakerPolicy,
} from "cockatiel";
import type { Logger } from "@junggo/runtime";
import type { BillingPort, ChargeOutcome } from "../app/billing.port.ts";

export interface BillingClientOptions {
  /** Base URL of billing, e.g. http://127.0.0.1:4004 */
  url: string;
  /** Per attempt. The reference designs used 610 ms. */
  timeoutMs: number;
  retries: number;
  breakerThreshold: number;
  halfOpenAfterMs: number;
  serviceToken: () => Promise<string>;
  log: Logger;
}

/** Transport failure, 5xx or an unreadable answer: billing may or may not have charged. Retried. */
class BillingUnreachable extends Error {}
/** An answer that says our request is wrong (400/401/409 conflict): retrying cannot help. */
class BillingRejected extends Error {}

const isTransient = (err: Error) => err instanceof BillingUnreachable || err instanceof TaskCancelledError;

const STATE_NAMES: Record<CircuitState, string> = {
  [CircuitState.Closed]: "closed",
  [CircuitState.Open]: "open",
  [CircuitState.HalfOpen]: "half-open",
  [CircuitState.Isolated]: "isolated",
};

/**
 * HTTP client for billing's internal charge API. Each attempt has a timeout; transport errors,
 * 5xx and timeouts are retried a bounded number of times with a small backoff and count towards
 * the circuit breaker, which then fails fast instead of piling up requests on a sick billing.
 * A decline is an answer, never retried and never a breaker failure.
 */
export class BillingClient implements BillingPort {
  private readonly breaker: CircuitBreakerPolicy;
  private readonly policy;
  private openedAt: number | null = null;

  constructor(private readonly o: BillingClientOptions) {
    this.breaker = circuitBreaker(handleWhen(isTransient), { halfOpenAfter: o.halfOpenAfterMs, breaker: new ConsecutiveBreaker(o.breakerThreshold) });
    this.breaker.onBreak(() => {
      this.openedAt = Date.now();
      o.log.warn("billing circuit opened", { halfOpenAfterMs: o.halfOpenAfterMs });
    });
    this.breaker.onReset(() => {
      this.openedAt = null;
      o.log.info("billing circuit closed");
    });
    this.policy = wrap(
      retry(handleWhen(isTransient), { maxAttempts: o.retries, backoff: new ExponentialBackoff({ initialDelay: 50, maxDelay: 200 }) }),
      this.breaker,
      timeout(o.timeoutMs, TimeoutStrategy.Aggressive),
    );
  }

  get breakerState(): string {
    return STATE_NAMES[this.breaker.state];
  }

  async charge(req: { purchaseId: string; buyerId: string; amountKrw: number }): Promise<ChargeOutcome> {
    try {
      return await this.policy.execute(({ signal }) => this.post(req, signal));
    } catch (err) {
      const reason = isBrokenCircuitError(err) ? "circuit open" : err instanceof TaskCancelledError ? "timeout" : (err as Error).message;
      if (err instanceof BillingRejected) this.o.log.error("billing rejected the charge request", { purchaseId: req.purchaseId, reason });
      else this.o.log.warn("charge failed", { purchaseId: req.purchaseId, reason });
      return { kind: "unavailable", reason, retryAfterSeconds: this.retryAfterSeconds() };
    }
  }

  /** Until the breaker lets a trial call through, or a short pause otherwise. */
  private retryAfterSeconds(): number {
    if (this.openedAt === null) return 2;
    return Math.max(1, Math.ceil((this.openedAt + this.o.halfOpenAfterMs - Date.now()) / 1000));
  }

  private async post(req: { purchaseId: string; buyerId: string; amountKrw: number }, signal: AbortSignal): Promise<ChargeOutcome> {
    let res: Response;
    let body: { paymentId?: string; code?: string; message?: string } | null;
    try {
      res = await fetch(new URL("/internal/payments/charge", this.o.url), {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${await this.o.serviceToken()}` },
        body: JSON.stringify(req),
        signal,
      });
      body = await res.json().catch(() => null);
    } catch (err) {
      throw new BillingUnreachable(`billing unreachable: ${(err as Error).message}`);
    }
    if (res.status === 200 && typeof body?.paymentId === "string") return { kind: "approved", paymentId: body.paymentId };
    if (res.status === 402) return { kind: "declined", message: body?.message ?? "declined" };
    // The purchaseId was voided (its request was abandoned meanwhile): this request is over.
    if (res.status === 409 && body?.code === "PAYMENT_VOIDED") return { kind: "unavailable", reason: "payment voided", retryAfterSeconds: 1 };
    if (res.status >= 500 || res.status === 200) throw new BillingUnreachable(`billing answered ${res.status} ${body?.code ?? ""}`.trim());
    throw new BillingRejected(`billing rejected the charge: ${res.status} ${body?.code ?? ""}`.trim());
  }
}
