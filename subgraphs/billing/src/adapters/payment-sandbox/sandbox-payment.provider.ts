import { intEnv } from "@junggo/runtime";
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
   * How many idempotency keys of each kind (charges, refunds, voids) the sandbox remembers. Past
   * it, the oldest settled ones are forgotten (a real provider also keeps keys for a limited time):
   * a replay of a recent key is still answered from memory; a replay of a forgotten one is a new
   * call. Billing's own unique purchaseId keeps a forgotten charge key from charging twice.
   */
  maxRecords?: number;
  random?: () => number;
}

/** Default of `maxRecords` (PAYMENT_SANDBOX_MAX_RECORDS): a few MB at most, hours of a busy demo. */
export const DEFAULT_SANDBOX_MAX_RECORDS = 100_000;

const rate = (name: string): number => {
  const v = intEnv(name, 0);
  if (v < 0 || v > 1) throw new Error(`${name} must be between 0 and 1, got ${v}`);
  return v;
};

const maxRecords = (): number => {
  const v = intEnv("PAYMENT_SANDBOX_MAX_RECORDS", DEFAULT_SANDBOX_MAX_RECORDS);
  if (!Number.isInteger(v) || v < 1)
    throw new Error(`PAYMENT_SANDBOX_MAX_RECORDS must be a whole number of at least 1, got ${v}`);
  return v;
};

export function sandboxOptionsFromEnv(): SandboxOptions {
  const above = process.env.PAYMENT_SANDBOX_DECLINE_ABOVE_KRW;
  return {
    latencyMs: intEnv("PAYMENT_SANDBOX_LATENCY_MS", 20),
    declineRate: rate("PAYMENT_SANDBOX_DECLINE_RATE"),
    errorRate: rate("PAYMENT_SANDBOX_ERROR_RATE"),
    declineAboveKrw: above ? intEnv("PAYMENT_SANDBOX_DECLINE_ABOVE_KRW", 0) : null,
    maxRecords: maxRecords(),
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
  private readonly random: () => number;
  private o: SandboxBehaviour;

  constructor(options: SandboxOptions) {
    const { random, maxRecords = DEFAULT_SANDBOX_MAX_RECORDS, ...behaviour } = options;
    this.o = behaviour;
    this.random = random ?? Math.random;
    this.charges = new BoundedRecords(maxRecords);
    this.refunds = new BoundedRecords(maxRecords);
    this.voids = new BoundedRecords(maxRecords);
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

  /** How many distinct refunds/voids were executed (tests). */
  get refundCount(): number {
    return this.refunds.recorded;
  }

  get voidCount(): number {
    return this.voids.recorded;
  }

  /** Keys held in memory per kind (readiness and tests: never above maxRecords). */
  get records(): { charges: number; refunds: number; voids: number } {
    return { charges: this.charges.size, refunds: this.refunds.size, voids: this.voids.size };
  }

  private async call(): Promise<void> {
    if (this.o.latencyMs > 0) await new Promise((r) => setTimeout(r, this.o.latencyMs));
    if (this.random() < this.o.errorRate)
      throw new ProviderUnavailableError("sandbox provider unavailable (simulated)");
  }
}
