import {
  ProviderUnavailableError,
  type ChargeOutcome,
  type PaymentProvider,
} from "../app/payment-provider.port.ts";

export interface SandboxOptions {
  latencyMs: number;
  /** Share of charges declined, 0..1. */
  declineRate: number;
  /** Share of calls failing as "provider unavailable", 0..1. */
  errorRate: number;
  /** Every charge above this amount is declined (deterministic decline for tests); null = no limit. */
  declineAboveKrw: number | null;
  random?: () => number;
}

/** The sandbox's behaviour from billing's settings (PAYMENT_SANDBOX_*). */
export function sandboxOptions(s: {
  sandboxLatencyMs: number;
  sandboxDeclineRate: number;
  sandboxErrorRate: number;
  sandboxDeclineAboveKrw: number | undefined;
}): SandboxOptions {
  return {
    latencyMs: s.sandboxLatencyMs,
    declineRate: s.sandboxDeclineRate,
    errorRate: s.sandboxErrorRate,
    declineAboveKrw: s.sandboxDeclineAboveKrw ?? null,
  };
}

/** The part of the sandbox's behaviour that can be changed while it runs (fault injection). */
export type SandboxBehaviour = Omit<SandboxOptions, "random">;

/**
 * In-process stand-in for a payment provider. Like a real one it honours idempotency keys: a
 * repeated charge returns the first outcome, a repeated refund or void is a no-op. Its memory
 * is the process's, which is enough for a sandbox.
 */
export class SandboxPaymentProvider implements PaymentProvider {
  private readonly charges = new Map<string, ChargeOutcome>();
  private readonly refunds = new Set<string>();
  private readonly voids = new Set<string>();
  private readonly random: () => number;
  private o: SandboxBehaviour;

  constructor(options: SandboxOptions) {
    const { random, ...behaviour } = options;
    this.o = behaviour;
    this.random = random ?? Math.random;
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
    this.charges.set(req.idempotencyKey, outcome);
    return outcome;
  }

  async refund(req: { idempotencyKey: string }): Promise<void> {
    await this.call();
    this.refunds.add(req.idempotencyKey);
  }

  async void(req: { idempotencyKey: string }): Promise<void> {
    await this.call();
    this.voids.add(req.idempotencyKey);
  }

  /** How many distinct refunds/voids were executed (tests). */
  get refundCount(): number {
    return this.refunds.size;
  }

  get voidCount(): number {
    return this.voids.size;
  }

  private async call(): Promise<void> {
    if (this.o.latencyMs > 0) await new Promise((r) => setTimeout(r, this.o.latencyMs));
    if (this.random() < this.o.errorRate)
      throw new ProviderUnavailableError("sandbox provider unavailable (simulated)");
  }
}
