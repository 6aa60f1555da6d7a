import {
  ProviderUnavailableError,
  type ChargeOutcome,
  type PaymentProvider,
} from "../../app/payment-provider.port.ts";

export interface SandboxOptions {
  latencyMs: number;
  /** Share of charges declined, 0..1. */
  declineRate: number;
  /** Share of calls failing as "provider unavailable", 0..1. */
  errorRate: number;
  /** Every charge above this amount is declined (deterministic decline for tests); null = no limit. */
  declineAboveKrw: number | null;
  /**
   * How many idempotency keys of each kind (charges, refunds, voids, payouts, reversals) the sandbox remembers. Past
   * it, the oldest settled ones are forgotten (a real provider also keeps keys for a limited time):
   * a replay of a recent key is still answered from memory; a replay of a forgotten one is a new
   * call. Billing's own unique purchaseId keeps a forgotten charge key from charging twice.
   */
  maxRecords?: number;
  random?: () => number;
}

/** Billing's settings of the sandbox (billing.config.ts). */
export interface SandboxSettings {
  sandboxLatencyMs: number;
  sandboxDeclineRate: number;
  sandboxErrorRate: number;
  sandboxDeclineAboveKrw: number | undefined;
  sandboxMaxRecords: number;
}

/** Default of `maxRecords` (PAYMENT_SANDBOX_MAX_RECORDS): a few MB at most, hours of a busy demo. */
export const DEFAULT_SANDBOX_MAX_RECORDS = 100_000;

/** The sandbox's behaviour from billing's settings (PAYMENT_SANDBOX_*, billing.config.ts). */
export function sandboxOptions(s: SandboxSettings): SandboxOptions {
  return {
    latencyMs: s.sandboxLatencyMs,
    declineRate: s.sandboxDeclineRate,
    errorRate: s.sandboxErrorRate,
    declineAboveKrw: s.sandboxDeclineAboveKrw ?? null,
    maxRecords: s.sandboxMaxRecords,
  };
}

/** The part of the sandbox's behaviour that can be changed while it runs (fault injection). */
export type SandboxBehaviour = Omit<SandboxOptions, "random" | "maxRecords">;

/**
 * Outcomes by idempotency key, at most `max` of them: adding one more forgets the oldest. Only
 * settled calls are recorded (a call in flight has no entry yet), so what is forgotten is always
 * the oldest settled outcome. A Map keeps insertion order, so the oldest is its first key.
 */
export class BoundedRecords<V> {
  private readonly entries = new Map<string, V>();
  /** Distinct keys ever recorded (not lowered by forgetting). */
  recorded = 0;

  constructor(readonly max: number) {
    if (!(Number.isInteger(max) && max >= 1)) throw new Error(`record limit must be at least 1, got ${max}`);
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): V | undefined {
    return this.entries.get(key);
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** Records a key's outcome; a key already there keeps its first outcome. */
  add(key: string, value: V): void {
    if (this.entries.has(key)) return;
    this.entries.set(key, value);
    this.recorded++;
    while (this.entries.size > this.max) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }
}

/**
 * In-process stand-in for a payment provider. Like a real one it honours idempotency keys: a
 * repeated charge returns the first outcome, a repeated refund or void is a no-op. Its memory
 * is the process's and bounded: each kind keeps the latest `maxRecords` keys (see SandboxOptions).
 */
export class SandboxPaymentProvider implements PaymentProvider {
  private readonly charges: BoundedRecords<ChargeOutcome>;
  private readonly refunds: BoundedRecords<true>;
  private readonly voids: BoundedRecords<true>;
  /** Payouts by key, with what is left of them (0 once reversed). */
  private readonly payouts: BoundedRecords<{ providerRef: string; amountKrw: number; reversed: boolean }>;
  /** Reversals by key, with the amount they took back. */
  private readonly reversals: BoundedRecords<number>;
  private readonly random: () => number;
  private o: SandboxBehaviour;

  constructor(options: SandboxOptions) {
    const { random, maxRecords = DEFAULT_SANDBOX_MAX_RECORDS, ...behaviour } = options;
    this.o = behaviour;
    this.random = random ?? Math.random;
    this.charges = new BoundedRecords(maxRecords);
    this.refunds = new BoundedRecords(maxRecords);
    this.voids = new BoundedRecords(maxRecords);
    this.payouts = new BoundedRecords(maxRecords);
    this.reversals = new BoundedRecords(maxRecords);
  }

  get behaviour(): SandboxBehaviour {
    return { ...this.o };
  }

  /** Changes latency, decline and error rates for the calls that start from now on. */
  configure(patch: Partial<SandboxBehaviour>): SandboxBehaviour {
    this.o = { ...this.o, ...patch };
    return this.behaviour;
  }

  async charge(req: { idempotencyKey: string; buyerId: string; amountKrw: number }): Promise<ChargeOutcome> {
    await this.call();
    const seen = this.charges.get(req.idempotencyKey);
    if (seen) return seen;
    let outcome: ChargeOutcome;
    if (this.o.declineAboveKrw !== null && req.amountKrw > this.o.declineAboveKrw) {
      outcome = { outcome: "DECLINED", reason: "amount above the card limit" };
    } else if (this.random() < this.o.declineRate) {
      outcome = { outcome: "DECLINED", reason: "card declined by issuer" };
    } else {
      outcome = { outcome: "APPROVED", providerRef: `sandbox_${crypto.randomUUID()}` };
    }
    this.charges.add(req.idempotencyKey, outcome);
    return outcome;
  }

  async refund(req: { idempotencyKey: string }): Promise<void> {
    await this.call();
    this.refunds.add(req.idempotencyKey, true);
  }

  async void(req: { idempotencyKey: string }): Promise<void> {
    await this.call();
    this.voids.add(req.idempotencyKey, true);
  }

  /** Pays a seller; the same key returns the first payout (no second transfer). Failures: errorRate. */
  async payout(req: {
    idempotencyKey: string;
    sellerId: string;
    amountKrw: number;
  }): Promise<{ providerRef: string }> {
    await this.call();
    const seen = this.payouts.get(req.idempotencyKey);
    if (seen) return { providerRef: seen.providerRef };
    const providerRef = `sandbox_payout_${crypto.randomUUID()}`;
    this.payouts.add(req.idempotencyKey, { providerRef, amountKrw: req.amountKrw, reversed: false });
    return { providerRef };
  }

  /** Takes back the payout under `payoutKey` once; a repeated reversal answers the first amount. */
  async reversePayout(req: {
    idempotencyKey: string;
    payoutKey: string;
  }): Promise<{ reversedAmountKrw: number }> {
    await this.call();
    const seen = this.reversals.get(req.idempotencyKey);
    if (seen !== undefined) return { reversedAmountKrw: seen };
    const paid = this.payouts.get(req.payoutKey);
    const amount = paid && !paid.reversed ? paid.amountKrw : 0;
    if (paid) paid.reversed = true;
    this.reversals.add(req.idempotencyKey, amount);
    return { reversedAmountKrw: amount };
  }

  /** Money paid out and not taken back, per payout key (tests: never paid twice, never lost). */
  payoutBalance(payoutKey: string): number {
    const paid = this.payouts.get(payoutKey);
    return paid && !paid.reversed ? paid.amountKrw : 0;
  }

  /** How many distinct payouts were made (tests). */
  get payoutCount(): number {
    return this.payouts.recorded;
  }

  /** How many distinct refunds/voids were executed (tests). */
  get refundCount(): number {
    return this.refunds.recorded;
  }

  get voidCount(): number {
    return this.voids.recorded;
  }

  /** Keys held in memory per kind (readiness and tests: never above maxRecords). */
  get records(): { charges: number; refunds: number; voids: number; payouts: number; reversals: number } {
    return {
      charges: this.charges.size,
      refunds: this.refunds.size,
      voids: this.voids.size,
      payouts: this.payouts.size,
      reversals: this.reversals.size,
    };
  }

  private async call(): Promise<void> {
    if (this.o.latencyMs > 0) await new Promise((r) => setTimeout(r, this.o.latencyMs));
    if (this.random() < this.o.errorRate)
      throw new ProviderUnavailableError("sandbox provider unavailable (simulated)");
  }
}
