import {
  BulkheadPolicy,
  circuitBreaker,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  handleWhen,
  isBrokenCircuitError,
  isBulkheadRejectedError,
  retry,
  type CircuitBreakerPolicy,
  type RetryPolicy,
} from "cockatiel";
import {
  type HttpResponse,
  inSpan,
  keepAliveHttp,
  LoopStallMeter,
  SpanKind,
  type Logger,
} from "@junggo/runtime";
import type { BillingPort, ChargeOutcome } from "../app/billing.port.ts";

export interface BillingClientOptions {
  /** Base URL of billing, e.g. http://127.0.0.1:4004 */
  url: string;
  /**
   * Per attempt: billing's own processing budget. An answer counts as billing's when billing's own
   * processing (its `Server-Timing` `app` minus `stall`, or, without that header, the time on this
   * process's own clock) is within it; otherwise it is a timeout. The reference designs used 610 ms.
   */
  timeoutMs: number;
  /**
   * Per attempt: the longest wait for any answer, on this process's own clock (time in which our
   * event loop was stalled does not count). An attempt waits `timeoutMs`, plus twice the event-loop
   * stall billing itself reported in its recent answers (`Server-Timing`, decaying with a half-life
   * of 1 s), up to this. A late answer is taken when billing's `Server-Timing` shows that the
   * lateness was not billing's own processing (billing's loop CPU-starved, or the answer waiting in
   * transit). Default min(2 × timeoutMs, timeoutMs + 1000).
   */
  answerTimeoutMs?: number;
  /**
   * How much of this process's own event-loop stall one charge forgives, summed over its attempts:
   * an attempt ends at the latest after `answerTimeoutMs` plus what is left of the allowance,
   * whatever the cause. Such an end that our stall explains is local overload: not retried and not
   * counted against billing by the breaker. A charge so lasts at most
   * `answerTimeoutMs × attempts + stallAllowanceMs` (plus backoff). Default 0 (no stall forgiven).
   */
  stallAllowanceMs?: number;
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
/**
 * Billing's own slowness: no answer within the wait on our own clock, or an answer whose own
 * processing time exceeded `timeoutMs`. A breaker failure; retried.
 */
class BillingTimeout extends Error {}
/**
 * No answer by the wall-clock ceiling, but most of that time this process's event loop was
 * stalled (CPU-starved or busy): the delay is ours, not billing's. Not retried (that would add
 * work to a saturated process) and not a breaker failure. The outcome is unknown, as for a timeout.
 */
class LocalStall extends Error {}

const isTransient = (err: Error) => err instanceof BillingUnreachable || err instanceof BillingTimeout;

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
  /** Attempts whose outcome is unknown: transport error, 5xx or timeout (billing's failures; breaker input). */
  failures: number;
  /** Attempts that failed for billing's slowness: no answer in time on our own clock, or billing's own processing over `timeoutMs`. */
  timeouts: number;
  /** Attempts ended by the ceiling while this process's own loop had been stalled: not billing's failures. */
  stallTimeouts: number;
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
    junggo_billing_stall_timeouts_total: s.stallTimeouts,
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
 *  - a timeout per attempt that counts only billing's own failures, so that a CPU-starved burst does
 *    not open the breaker while billing is healthy:
 *      · the wait runs on this process's own clock: time in which our event loop was stalled
 *        (measured by a probe timer) does not count, since a starved or busy process reads even a
 *        prompt answer late; when the charge's `stallAllowanceMs` is used up the attempt ends as
 *        local overload (no retry, no breaker failure);
 *      · billing reports in `Server-Timing` its handler time and its own event-loop stall; an answer
 *        counts as a timeout only when billing's own processing (handler time less stall) exceeds
 *        `timeoutMs`, and while billing reports being starved, attempts wait for its answer up to
 *        `answerTimeoutMs`;
 *      · no answer within that wait on our own clock, a slow answer by billing's own account, 5xx
 *        and transport errors remain failures: retried, and counted by the breaker.
 * A decline is an answer, never retried and never a breaker failure.
 */
export class BillingClient implements BillingPort {
  private readonly bulkhead: BulkheadPolicy;
  private readonly retry: RetryPolicy;
  private readonly breaker: CircuitBreakerPolicy;
  private readonly stall = new LoopStallMeter();
  private readonly stallAllowanceMs: number;
  private readonly answerTimeoutMs: number;
  /** Pooled keep-alive sockets to billing (its free sockets do not keep the process alive). */
  private readonly http = keepAliveHttp();
  /** The event-loop stall billing reported in its latest answer (ms), and when (performance.now()). */
  private billingStall = { ms: 0, at: 0 };
  private openedAt: number | null = null;
  private readonly counts = {
    opened: 0,
    calls: 0,
    failures: 0,
    timeouts: 0,
    stallTimeouts: 0,
    rejected: 0,
    bulkheadRejected: 0,
    inFlight: 0,
  };

  constructor(private readonly o: BillingClientOptions) {
    if (!Number.isInteger(o.maxConcurrent) || o.maxConcurrent < 1)
      throw new Error(`BILLING_MAX_CONCURRENT must be a whole number ≥ 1, got ${o.maxConcurrent}`);
    if (!Number.isInteger(o.maxQueued) || o.maxQueued < 0)
      throw new Error(`BILLING_MAX_QUEUED must be a whole number ≥ 0, got ${o.maxQueued}`);
    if (!Number.isInteger(o.timeoutMs) || o.timeoutMs < 1)
      throw new Error(`BILLING_TIMEOUT_MS must be a whole number ≥ 1, got ${o.timeoutMs}`);
    this.stallAllowanceMs = o.stallAllowanceMs ?? 0;
    this.answerTimeoutMs = o.answerTimeoutMs ?? defaultAnswerTimeoutMs(o.timeoutMs);
    if (!Number.isInteger(this.answerTimeoutMs) || this.answerTimeoutMs < o.timeoutMs)
      throw new Error(
        `BILLING_ANSWER_TIMEOUT_MS must be a whole number ≥ BILLING_TIMEOUT_MS (${o.timeoutMs}), got ${o.answerTimeoutMs}`,
      );
    if (!Number.isInteger(this.stallAllowanceMs) || this.stallAllowanceMs < 0)
      throw new Error(`BILLING_STALL_ALLOWANCE_MS must be a whole number ≥ 0, got ${o.stallAllowanceMs}`);
    this.bulkhead = new BulkheadPolicy(o.maxConcurrent, o.maxQueued);
    this.retry = retry(handleWhen(isTransient), {
      maxAttempts: o.retries,
      backoff: new ExponentialBackoff({ initialDelay: 50, maxDelay: 200 }),
    });
    this.breaker = circuitBreaker(handleWhen(isTransient), {
      halfOpenAfter: o.halfOpenAfterMs,
      breaker: new ConsecutiveBreaker(o.breakerThreshold),
    });
    this.breaker.onBreak(() => {
      this.openedAt = Date.now();
      this.counts.opened++;
      o.log.warn("billing circuit opened", {
        halfOpenAfterMs: o.halfOpenAfterMs,
        failures: this.counts.failures,
      });
    });
    this.breaker.onHalfOpen(() => o.log.info("billing circuit half-open: probing billing"));
    this.breaker.onReset(() => {
      this.openedAt = null;
      o.log.info("billing circuit closed");
    });
    this.breaker.onFailure(({ handled }) => {
      if (handled) this.counts.failures++;
    });
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
    const waiting =
      state === CircuitState.Open &&
      this.openedAt !== null &&
      Date.now() < this.openedAt + this.o.halfOpenAfterMs;
    if (waiting || state === CircuitState.HalfOpen || state === CircuitState.Isolated) {
      this.counts.rejected++;
      return {
        reason: state === CircuitState.HalfOpen ? "circuit half-open" : "circuit open",
        retryAfterSeconds: this.retryAfterSeconds(),
      };
    }
    if (this.bulkhead.executionSlots === 0 && this.bulkhead.queueSlots === 0) {
      this.counts.bulkheadRejected++;
      return { reason: "too many concurrent charges", retryAfterSeconds: this.retryAfterSeconds() };
    }
    return null;
  }

  /** The charge in a `billing.charge` span: breaker state before and after, outcome (no-op without tracing). */
  charge(req: { purchaseId: string; buyerId: string; amountKrw: number }): Promise<ChargeOutcome> {
    return inSpan("billing.charge", () => this.protectedCharge(req), {
      kind: SpanKind.CLIENT,
      attributes: { "billing.breaker.state": this.breakerState, "junggo.purchase.id": req.purchaseId },
      describe: (outcome) => ({
        "billing.outcome": outcome.kind,
        "billing.breaker.state_after": this.breakerState,
        ...(outcome.kind === "unavailable"
          ? { "billing.unavailable.reason": outcome.reason, "billing.sent": outcome.sent }
          : {}),
      }),
    });
  }

  private async protectedCharge(req: {
    purchaseId: string;
    buyerId: string;
    amountKrw: number;
  }): Promise<ChargeOutcome> {
    let sent = false;
    const allowance = { leftMs: this.stallAllowanceMs };
    const attempt = async () => {
      const token = await this.o.serviceToken();
      sent = true;
      this.counts.calls++;
      this.counts.inFlight++;
      try {
        return await this.withTimeout(allowance, (signal, ourShareMs) =>
          this.post(req, token, signal, ourShareMs),
        );
      } finally {
        this.counts.inFlight--;
      }
    };
    try {
      return await this.bulkhead.execute(() =>
        this.retry.execute(() => {
          // cockatiel would make this call wait for the probe's answer; fail fast instead.
          if (this.breaker.state === CircuitState.HalfOpen) throw new ProbeInFlight();
          return this.breaker.execute(attempt);
        }),
      );
    } catch (err) {
      const reason = this.reasonOf(err);
      if (err instanceof BillingRejected)
        this.o.log.error("billing rejected the charge request", { purchaseId: req.purchaseId, reason });
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
    if (err instanceof BillingTimeout) return "timeout";
    return (err as Error).message;
  }

  /**
   * Runs one attempt against the per-attempt timeout on this process's own clock (see the class
   * comment). The clock starts once the request is ready to go (token signed), and the timer that
   * decides is itself checked against the stall: a timer that fires late after a stall, ahead of
   * the answer waiting in the socket, re-arms for the rest of billing's time instead of failing it.
   */
  private async withTimeout<T>(
    allowance: { leftMs: number },
    run: (signal: AbortSignal, ourShareMs: () => number) => Promise<T>,
  ): Promise<T> {
    const budget = Math.round(
      Math.min(this.answerTimeoutMs, this.o.timeoutMs + 2 * this.recentBillingStallMs()),
    );
    const ceiling = budget + allowance.leftMs;
    const releaseMeter = this.stallAllowanceMs > 0 ? this.stall.hold() : () => {};
    const ctrl = new AbortController();
    const t0 = performance.now();
    const s0 = this.stall.stalledMs(t0);
    /** Time since the attempt started, less this process's own stall. */
    const ourShareMs = (now = performance.now()) =>
      now - t0 - (this.stallAllowanceMs > 0 ? this.stall.stalledMs(now) - s0 : 0);
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      const check = () => {
        const now = performance.now();
        const wall = now - t0;
        const billingShare = ourShareMs(now);
        const stalled = wall - billingShare;
        let verdict: Error;
        if (billingShare >= budget - 0.5) {
          this.counts.timeouts++;
          verdict = new BillingTimeout(`billing did not answer within ${budget} ms`);
        } else if (wall >= ceiling - 0.5) {
          // A half-open probe is judged strictly: an unhandled error would close the breaker.
          if (this.breaker.state === CircuitState.HalfOpen) {
            this.counts.timeouts++;
            verdict = new BillingTimeout(`billing did not answer within ${Math.round(wall)} ms (probe)`);
          } else {
            this.counts.stallTimeouts++;
            this.o.log.warn("billing attempt ended by local event-loop stall, not counted against billing", {
              wallMs: Math.round(wall),
              stalledMs: Math.round(stalled),
            });
            verdict = new LocalStall(
              `local overload: no answer within ${Math.round(wall)} ms, ${Math.round(stalled)} ms of it this process was stalled`,
            );
          }
        } else {
          timer = setTimeout(check, Math.max(1, Math.min(budget - billingShare, ceiling - wall)));
          return;
        }
        ctrl.abort(verdict);
        reject(verdict);
      };
      timer = setTimeout(check, budget);
    });
    expired.catch(() => {});
    try {
      return await Promise.race([run(ctrl.signal, ourShareMs), expired]);
    } finally {
      clearTimeout(timer);
      if (this.stallAllowanceMs > 0)
        allowance.leftMs = Math.max(0, allowance.leftMs - (this.stall.stalledMs() - s0));
      releaseMeter();
    }
  }

  /** Billing's latest reported stall, halved for every second since. */
  private recentBillingStallMs(now = performance.now()): number {
    return this.billingStall.ms * 0.5 ** ((now - this.billingStall.at) / 1000);
  }

  /** Until the breaker lets a trial call through, or a short pause otherwise. */
  private retryAfterSeconds(): number {
    if (this.openedAt === null) return this.breaker.state === CircuitState.Closed ? 2 : 1;
    return Math.max(1, Math.ceil((this.openedAt + this.o.halfOpenAfterMs - Date.now()) / 1000));
  }

  private async post(
    req: { purchaseId: string; buyerId: string; amountKrw: number },
    token: string,
    signal: AbortSignal,
    ourShareMs: () => number,
  ): Promise<ChargeOutcome> {
    let res: HttpResponse;
    let body: { paymentId?: string; code?: string; message?: string } | null;
    try {
      res = await this.http.fetcher(new URL("/internal/payments/charge", this.o.url).href, {
        method: "POST",
        // The trace goes on at billing: the fetcher adds `traceparent`.
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify(req),
        signal,
      });
      body = (await res.json().catch(() => null)) as typeof body;
    } catch (err) {
      throw new BillingUnreachable(`billing unreachable: ${(err as Error).message}`);
    }
    // Billing's own processing decides; without its account, the time on our own clock does.
    const timing = billingTiming(res.headers.get("server-timing"));
    if (timing)
      this.billingStall = {
        ms: Math.max(timing.stallMs, this.recentBillingStallMs()),
        at: performance.now(),
      };
    const own = timing ? timing.ownMs : null;
    const took = own ?? ourShareMs();
    if (took > this.o.timeoutMs) {
      this.counts.timeouts++;
      throw new BillingTimeout(
        `billing took ${Math.round(took)} ms${own === null ? "" : " of its own processing"}, over ${this.o.timeoutMs} ms`,
      );
    }
    if (res.status === 200 && typeof body?.paymentId === "string")
      return { kind: "approved", paymentId: body.paymentId };
    if (res.status === 402) return { kind: "declined", message: body?.message ?? "declined" };
    // The purchaseId was voided (its request was abandoned meanwhile): this request is over.
    if (res.status === 409 && body?.code === "PAYMENT_VOIDED")
      return { kind: "unavailable", reason: "payment voided", retryAfterSeconds: 1, sent: true };
    if (res.status >= 500 || res.status === 200)
      throw new BillingUnreachable(`billing answered ${res.status} ${body?.code ?? ""}`.trim());
    throw new BillingRejected(`billing rejected the charge: ${res.status} ${body?.code ?? ""}`.trim());
  }
}

/** The default wait for any answer: twice billing's budget, at most a second more than it. */
export const defaultAnswerTimeoutMs = (timeoutMs: number) => Math.min(2 * timeoutMs, timeoutMs + 1_000);

/**
 * Billing's own processing time from its `Server-Timing` (`app` minus `stall`, see billing's charge
 * route), or null when the header is absent or unreadable.
 */
export function billingOwnMs(header: string | null): number | null {
  return billingTiming(header)?.ownMs ?? null;
}

function billingTiming(header: string | null): { ownMs: number; stallMs: number } | null {
  if (!header) return null;
  const dur = (name: string) => {
    const m = new RegExp(`(?:^|,)\\s*${name}\\s*;[^,]*?dur=([0-9.]+)`).exec(header);
    return m ? Number(m[1]) : NaN;
  };
  const app = dur("app");
  if (!Number.isFinite(app)) return null;
  const reported = dur("stall");
  const stallMs = Number.isFinite(reported) ? Math.min(reported, app) : 0;
  return { ownMs: Math.max(0, app - stallMs), stallMs };
}
