import {
  BulkheadPolicy, circuitBreaker, CircuitState, ConsecutiveBreaker, ExponentialBackoff, handleWhen, isBrokenCircuitError,
  isBulkheadRejectedError, retry, TaskCancelledError, timeout, TimeoutStrategy, type CircuitBreakerPolicy,
  type RetryPolicy, type TimeoutPolicy,
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
  /** Charges talking to billing at once (bulkhead); further ones wait in the queue. */
  maxConcurrent: number;
  /** Charges that may wait for a slot; beyond that they are refused at once. */
  maxQueued: number;
  serviceToken: () => Promise<string>;
  log: Logger;
}

/** Transport failure, 5xx or an unreadable answer: billing may or may not have charged. Retried. */
class BillingUnreachable extends Error {}
/** An answer that says our request is wrong (400/401/409 conflict): retrying cannot help. */
class BillingRejected extends Error {}
/** Another charge is the half-open probe; this one is refused instead of queueing behind it. */
class ProbeInFlight extends Error {}

const isTransient = (err: Error) => err instanceof BillingUnreachable || err instanceof TaskCancelledError;

export type BreakerState = "closed" | "open" | "half-open" | "isolated";

const STATE_NAMES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: "closed",
  [CircuitState.Open]: "open",
  [CircuitState.HalfOpen]: "half-open",
  [CircuitState.Isolated]: "isolated",
};

/** Counters since the process started, plus the current state. */
export interface BillingProtectionStats {
  breaker: BreakerState;
  /** Times the breaker opened (including re-opening after a failed probe). */
  opened: number;
  /** HTTP attempts sent to billing (retries included). */
  calls: number;
  /** Attempts whose outcome is unknown: transport error, 5xx or timeout. */
  failures: number;
  timeouts: number;
  /** Charges refused without calling billing because the breaker was open (or probing). */
  rejected: number;
  /** Charges refused without calling billing because the bulkhead was full. */
  bulkheadRejected: number;
  /** HTTP attempts to billing in progress right now. */
  inFlight: number;
}

/** Prometheus gauge value of the breaker: 0 closed, 1 open, 2 half-open (isolated counts as open). */
export function breakerStateCode(state: BreakerState): number {
  return state === "closed" ? 0 : state === "half-open" ? 2 : 1;
}

/** The purchase service's billing metrics, by their exported names. */
export function billingMetrics(s: BillingProtectionStats): Record<string, number> {
  return {
    junggo_billing_breaker_state: breakerStateCode(s.breaker),
    junggo_billing_breaker_opened_total: s.opened,
    junggo_billing_calls_total: s.calls,
    junggo_billing_failures_total: s.failures,
    junggo_billing_timeouts_total: s.timeouts,
    junggo_billing_rejected_total: s.rejected,
    junggo_billing_bulkhead_rejected_total: s.bulkheadRejected,
    junggo_billing_in_flight: s.inFlight,
  };
}

/**
 * HTTP client for billing's internal charge API, behind (outermost first):
 *  - a bulkhead: at most `maxConcurrent` charges talk to billing, `maxQueued` wait, the rest are
 *    refused at once, so a slow billing cannot tie up every request of this service;
 *  - retries for transport errors, 5xx and timeouts (the purchaseId is the idempotency key);
 *  - a circuit breaker: after `breakerThreshold` consecutive failed attempts it fails fast for
 *    `halfOpenAfterMs`, then lets one probe through; only that probe waits on billing, other
 *    charges meanwhile are refused rather than queued behind it;
 *  - a timeout per attempt.
 * A decline is an answer, never retried and never a breaker failure.
 */
export class BillingClient implements BillingPort {
  private readonly bulkhead: BulkheadPolicy;
  private readonly retry: RetryPolicy;
  private readonly breaker: CircuitBreakerPolicy;
  private readonly timeout: TimeoutPolicy;
  private openedAt: number | null = null;
  private readonly counts = { opened: 0, calls: 0, failures: 0, timeouts: 0, rejected: 0, bulkheadRejected: 0, inFlight: 0 };

  constructor(private readonly o: BillingClientOptions) {
    if (!Number.isInteger(o.maxConcurrent) || o.maxConcurrent < 1) throw new Error(`BILLING_MAX_CONCURRENT must be a whole number ≥ 1, got ${o.maxConcurrent}`);
    if (!Number.isInteger(o.maxQueued) || o.maxQueued < 0) throw new Error(`BILLING_MAX_QUEUED must be a whole number ≥ 0, got ${o.maxQueued}`);
    this.bulkhead = new BulkheadPolicy(o.maxConcurrent, o.maxQueued);
    this.retry = retry(handleWhen(isTransient), { maxAttempts: o.retries, backoff: new ExponentialBackoff({ initialDelay: 50, maxDelay: 200 }) });
    this.breaker = circuitBreaker(handleWhen(isTransient), { halfOpenAfter: o.halfOpenAfterMs, breaker: new ConsecutiveBreaker(o.breakerThreshold) });
    this.timeout = timeout(o.timeoutMs, TimeoutStrategy.Aggressive);
    this.breaker.onBreak(() => {
      this.openedAt = Date.now();
      this.counts.opened++;
      o.log.warn("billing circuit opened", { halfOpenAfterMs: o.halfOpenAfterMs, failures: this.counts.failures });
    });
    this.breaker.onHalfOpen(() => o.log.info("billing circuit half-open: probing billing"));
    this.breaker.onReset(() => {
      this.openedAt = null;
      o.log.info("billing circuit closed");
    });
    this.breaker.onFailure(({ handled }) => { if (handled) this.counts.failures++; });
    this.timeout.onTimeout(() => { this.counts.timeouts++; });
  }

  get breakerState(): BreakerState {
    return STATE_NAMES[this.breaker.state];
  }

  stats(): BillingProtectionStats {
    return { breaker: this.breakerState, ...this.counts };
  }

  /**
   * Lets purchase refuse before holding a vehicle: the breaker is open and its half-open time has
   * not come, a probe is in flight, or every bulkhead slot and queue place is taken.
   */
  fastRefusal(): { reason: string; retryAfterSeconds: number } | null {
    const state = this.breaker.state;
    const waiting = state === CircuitState.Open && this.openedAt !== null && Date.now() < this.openedAt + this.o.halfOpenAfterMs;
    if (waiting || state === CircuitState.HalfOpen || state === CircuitState.Isolated) {
      this.counts.rejected++;
      return { reason: state === CircuitState.HalfOpen ? "circuit half-open" : "circuit open", retryAfterSeconds: this.retryAfterSeconds() };
    }
    if (this.bulkhead.executionSlots === 0 && this.bulkhead.queueSlots === 0) {
      this.counts.bulkheadRejected++;
      return { reason: "too many concurrent charges", retryAfterSeconds: this.retryAfterSeconds() };
    }
    return null;
  }

  async charge(req: { purchaseId: string; buyerId: string; amountKrw: number }): Promise<ChargeOutcome> {
    let sent = false;
    const attempt = async (signal: AbortSignal) => {
      sent = true;
      this.counts.calls++;
      this.counts.inFlight++;
      try {
        return await this.post(req, signal);
      } finally {
        this.counts.inFlight--;
      }
    };
    try {
      return await this.bulkhead.execute(() =>
        this.retry.execute(() => {
          // cockatiel would make this call wait for the probe's answer; fail fast instead.
          if (this.breaker.state === CircuitState.HalfOpen) throw new ProbeInFlight();
          return this.breaker.execute(() => this.timeout.execute(({ signal }) => attempt(signal)));
        }),
      );
    } catch (err) {
      const reason = this.reasonOf(err);
      if (err instanceof BillingRejected) this.o.log.error("billing rejected the charge request", { purchaseId: req.purchaseId, reason });
      else this.o.log.warn("charge failed", { purchaseId: req.purchaseId, reason, sent });
      return { kind: "unavailable", reason, retryAfterSeconds: this.retryAfterSeconds(), sent };
    }
  }

  private reasonOf(err: unknown): string {
    if (isBulkheadRejectedError(err)) {
      this.counts.bulkheadRejected++;
      return "too many concurrent charges";
    }
    if (isBrokenCircuitError(err)) {
      this.counts.rejected++;
      return "circuit open";
    }
    if (err instanceof ProbeInFlight) {
      this.counts.rejected++;
      return "circuit half-open";
    }
    return err instanceof TaskCancelledError ? "timeout" : (err as Error).message;
  }

  /** Until the breaker lets a trial call through, or a short pause otherwise. */
  private retryAfterSeconds(): number {
    if (this.openedAt === null) return this.breaker.state === CircuitState.Closed ? 2 : 1;
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
    if (res.status === 409 && body?.code === "PAYMENT_VOIDED") return { kind: "unavailable", reason: "payment voided", retryAfterSeconds: 1, sent: true };
    if (res.status >= 500 || res.status === 200) throw new BillingUnreachable(`billing answered ${res.status} ${body?.code ?? ""}`.trim());
    throw new BillingRejected(`billing rejected the charge: ${res.status} ${body?.code ?? ""}`.trim());
  }
}
