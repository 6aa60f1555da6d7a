import { DomainError } from "./errors.ts";

export interface AdmissionGateOptions {
  /** Requests served at once. */
  maxConcurrent: number;
  /** Requests that may wait for a place; beyond that they are refused at once. */
  maxQueued: number;
  /** Longest a request waits for a place before it is refused. */
  maxWaitMs: number;
  /** The settings the three limits came from, named when one is not valid. */
  settings?: { maxConcurrent?: string; maxQueued?: string; maxWaitMs?: string };
  /** What the refusal message calls the busy service, e.g. "Purchases". */
  what?: string;
}

/** Counters since the process started, plus the current occupancy. */
export interface AdmissionStats {
  inFlight: number;
  queued: number;
  /** Requests that got a place (at once or after waiting). */
  admitted: number;
  /** Admitted after waiting in the queue. */
  queuedAdmitted: number;
  /** Refused at once because every place and queue slot was taken. */
  rejectedFull: number;
  /** Refused after waiting `maxWaitMs` without getting a place. */
  rejectedWait: number;
}

/** The overload answer: retryable, with a hint of when to come back. */
export const overloaded = (what: string, retryAfterSeconds: number) =>
  new DomainError(
    "OVERLOADED",
    `${what} are very busy right now; nothing was done. Please try again in ${retryAfterSeconds} s.`,
    { retryAfterSeconds },
  );

interface Waiter {
  admit: () => void;
  timer: NodeJS.Timeout;
}

/**
 * Load shedding at the door: at most `maxConcurrent` requests run, up to `maxQueued` more wait
 * (first come, first served) at most `maxWaitMs` for a place, any other is refused at once with a
 * retryable OVERLOADED error (`retryAfterSeconds`). A refused request has done nothing, so the
 * gate belongs in front of the first write.
 */
export class AdmissionGate {
  private inFlight = 0;
  private readonly queue: Waiter[] = [];
  private readonly counts = { admitted: 0, queuedAdmitted: 0, rejectedFull: 0, rejectedWait: 0 };
  /** Moving average of how long an admitted request keeps its place (ms). */
  private serviceMs = 100;

  constructor(private readonly o: AdmissionGateOptions) {
    const check = (value: number, min: number, setting: string | undefined, fallback: string) => {
      if (!Number.isInteger(value) || value < min)
        throw new Error(`${setting ?? fallback} must be a whole number ≥ ${min}, got ${value}`);
    };
    check(o.maxConcurrent, 1, o.settings?.maxConcurrent, "maxConcurrent");
    check(o.maxQueued, 0, o.settings?.maxQueued, "maxQueued");
    check(o.maxWaitMs, 0, o.settings?.maxWaitMs, "maxWaitMs");
  }

  /** Runs `fn` once a place is free, or throws OVERLOADED without running it. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquire();
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      this.serviceMs += (performance.now() - t0 - this.serviceMs) * 0.2;
      this.release();
    }
  }

  stats(): AdmissionStats {
    return { inFlight: this.inFlight, queued: this.queue.length, ...this.counts };
  }

  /** Seconds until a place is likely free: the queue ahead drained at the observed pace. */
  retryAfterSeconds(): number {
    const rounds = (this.queue.length + this.inFlight) / this.o.maxConcurrent;
    return Math.min(30, Math.max(1, Math.ceil((rounds * this.serviceMs) / 1000)));
  }

  private acquire(): Promise<void> {
    if (this.inFlight < this.o.maxConcurrent && this.queue.length === 0) {
      this.inFlight++;
      this.counts.admitted++;
      return Promise.resolve();
    }
    if (this.queue.length >= this.o.maxQueued || this.o.maxWaitMs === 0) {
      this.counts.rejectedFull++;
      return Promise.reject(overloaded(this.o.what ?? "Requests", this.retryAfterSeconds()));
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        admit: () => {
          clearTimeout(waiter.timer);
          this.counts.admitted++;
          this.counts.queuedAdmitted++;
          resolve();
        },
        timer: setTimeout(() => {
          const i = this.queue.indexOf(waiter);
          if (i >= 0) this.queue.splice(i, 1);
          this.counts.rejectedWait++;
          reject(overloaded(this.o.what ?? "Requests", this.retryAfterSeconds()));
        }, this.o.maxWaitMs),
      };
      this.queue.push(waiter);
    });
  }

  private release(): void {
    const next = this.queue.shift();
    // The place passes straight to the next waiter: inFlight stays the same.
    if (next) next.admit();
    else this.inFlight--;
  }
}

/**
 * How long this process's event loop has been stalled: busy with other work, or not scheduled at
 * all because the machine's cores were taken. A probe timer expects to run every `periodMs`; any
 * lateness beyond `toleranceMs` is stall. Time during which the loop was stalled is time in which
 * no answer, however early it arrived, could have been read, so it is this process's delay, not
 * the remote service's.
 *
 * The probe runs only while someone holds the meter (`hold()`), so an idle process does not wake
 * up for it.
 */
export class LoopStallMeter {
  private timer: NodeJS.Timeout | null = null;
  private expected = 0;
  private stalled = 0;
  private holders = 0;

  constructor(
    private readonly periodMs = 10,
    private readonly toleranceMs = 2,
  ) {}

  /** Starts measuring (if not already); the returned function stops this holder's use of it. */
  hold(): () => void {
    if (this.holders++ === 0) this.schedule(performance.now());
    let done = false;
    return () => {
      if (done) return;
      done = true;
      if (--this.holders === 0 && this.timer) {
        clearTimeout(this.timer);
        this.timer = null;
      }
    };
  }

  /**
   * Milliseconds of stall so far (monotonic while held), including a probe that is overdue right
   * now: a timer firing late is itself the sign of a stall the probe has not yet recorded.
   */
  stalledMs(now = performance.now()): number {
    const overdue = this.timer ? Math.max(0, now - this.expected - this.toleranceMs) : 0;
    return this.stalled + overdue;
  }

  private schedule(now: number): void {
    this.expected = now + this.periodMs;
    this.timer = setTimeout(() => {
      const t = performance.now();
      this.stalled += Math.max(0, t - this.expected - this.toleranceMs);
      this.schedule(t);
    }, this.periodMs);
    this.timer.unref();
  }
}
