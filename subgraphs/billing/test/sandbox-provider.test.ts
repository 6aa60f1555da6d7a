import { describe, expect, it } from "vitest";
import {
  BoundedRecords,
  SandboxPaymentProvider,
  type SandboxOptions,
} from "../src/adapters/payment-sandbox/sandbox-payment.provider.ts";
import { ProviderUnavailableError } from "../src/app/payment-provider.port.ts";

const opts = (o: Partial<SandboxOptions> = {}): SandboxOptions => ({
  latencyMs: 0,
  declineRate: 0,
  errorRate: 0,
  declineAboveKrw: null,
  ...o,
});
const charge = (p: SandboxPaymentProvider, key: string, amountKrw = 1000) =>
  p.charge({ idempotencyKey: key, buyerId: "b", amountKrw });

describe("SandboxPaymentProvider", () => {
  it("approves by default and returns the same outcome for a repeated key", async () => {
    const p = new SandboxPaymentProvider(opts());
    const a = await charge(p, "k1");
    expect(a.outcome).toBe("APPROVED");
    expect(await charge(p, "k1")).toEqual(a);
    expect(await charge(p, "k2")).not.toEqual(a);
  });

  it("declines every amount above the configured limit, and only those", async () => {
    const p = new SandboxPaymentProvider(opts({ declineAboveKrw: 5000 }));
    expect((await charge(p, "a", 5000)).outcome).toBe("APPROVED");
    expect(await charge(p, "b", 5001)).toEqual({
      outcome: "DECLINED",
      reason: "amount above the card limit",
    });
  });

  it("declines everything with decline rate 1", async () => {
    const p = new SandboxPaymentProvider(opts({ declineRate: 1 }));
    for (const k of ["a", "b", "c"]) expect((await charge(p, k)).outcome).toBe("DECLINED");
  });

  it("fails every call as unavailable with error rate 1, refunds and voids included", async () => {
    const p = new SandboxPaymentProvider(opts({ errorRate: 1 }));
    await expect(charge(p, "a")).rejects.toBeInstanceOf(ProviderUnavailableError);
    await expect(p.refund({ idempotencyKey: "x" })).rejects.toBeInstanceOf(ProviderUnavailableError);
    await expect(p.void({ idempotencyKey: "x" })).rejects.toBeInstanceOf(ProviderUnavailableError);
  });

  it("uses the random source against the rates", async () => {
    const p = new SandboxPaymentProvider(opts({ declineRate: 0.5, errorRate: 0.1, random: () => 0.3 }));
    expect((await charge(p, "a")).outcome).toBe("DECLINED"); // 0.3 >= 0.1 (no error), 0.3 < 0.5 (decline)
  });

  it("refunds and voids once per key", async () => {
    const p = new SandboxPaymentProvider(opts());
    await p.refund({ idempotencyKey: "pay-1" });
    await p.refund({ idempotencyKey: "pay-1" });
    await p.void({ idempotencyKey: "pay-2" });
    await p.void({ idempotencyKey: "pay-2" });
    expect(p.refundCount).toBe(1);
    expect(p.voidCount).toBe(1);
  });

  it("waits the configured latency", async () => {
    const p = new SandboxPaymentProvider(opts({ latencyMs: 40 }));
    const t0 = Date.now();
    await charge(p, "a");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(35);
  });

  it("keeps at most maxRecords keys per kind, forgetting the oldest, while recent keys still replay", async () => {
    const p = new SandboxPaymentProvider(opts({ maxRecords: 3 }));
    const first: Record<string, unknown> = {};
    for (let i = 0; i < 1000; i++) {
      first[`k${i}`] = await charge(p, `k${i}`);
      await p.refund({ idempotencyKey: `r${i}` });
      await p.void({ idempotencyKey: `v${i}` });
      // The bound holds after every call, not just at the end.
      expect(p.records.charges).toBeLessThanOrEqual(3);
    }
    expect(p.records).toEqual({ charges: 3, refunds: 3, voids: 3, payouts: 0, reversals: 0 });
    // The latest keys replay their first outcome (same providerRef: no second charge).
    for (const k of ["k997", "k998", "k999"]) expect(await charge(p, k)).toEqual(first[k]);
    // The oldest was forgotten: its replay is a new charge, as with a provider past its key retention.
    expect(await charge(p, "k0")).not.toEqual(first.k0);
    expect(p.records.charges).toBe(3);
    // A repeated recent refund is still a no-op.
    await p.refund({ idempotencyKey: "r999" });
    expect(p.refundCount).toBe(1000);
  });

  it("defaults to a bound, and refuses a bound below 1", () => {
    expect(new SandboxPaymentProvider(opts())).toBeInstanceOf(SandboxPaymentProvider);
    expect(() => new SandboxPaymentProvider(opts({ maxRecords: 0 }))).toThrow(/at least 1/);
  });
});

describe("BoundedRecords", () => {
  it("forgets in insertion order and keeps a key's first value", () => {
    const r = new BoundedRecords<number>(2);
    r.add("a", 1);
    r.add("a", 9); // a replay does not overwrite, nor count again
    r.add("b", 2);
    r.add("c", 3);
    expect([r.has("a"), r.get("b"), r.get("c"), r.size, r.recorded]).toEqual([false, 2, 3, 2, 3]);
  });
});

describe("SandboxPaymentProvider payouts", () => {
  const payout = (p: SandboxPaymentProvider, key: string, amountKrw = 9_000_000) =>
    p.payout({ idempotencyKey: key, sellerId: "s", amountKrw });

  it("pays once per key: a repeated payout returns the first reference and moves no more money", async () => {
    const p = new SandboxPaymentProvider(opts());
    const first = await payout(p, "sr1");
    expect(first.providerRef).toMatch(/^sandbox_payout_/);
    expect(await payout(p, "sr1")).toEqual(first);
    expect(p.payoutCount).toBe(1);
    expect(p.payoutBalance("sr1")).toBe(9_000_000);
  });

  it("reverses a payout once, answering the same amount to a repeated reversal", async () => {
    const p = new SandboxPaymentProvider(opts());
    await payout(p, "sr1", 7_000_000);
    expect(await p.reversePayout({ idempotencyKey: "sr1", payoutKey: "sr1" })).toEqual({
      reversedAmountKrw: 7_000_000,
    });
    expect(await p.reversePayout({ idempotencyKey: "sr1", payoutKey: "sr1" })).toEqual({
      reversedAmountKrw: 7_000_000,
    });
    expect(p.payoutBalance("sr1")).toBe(0);
  });

  it("reverses nothing (0) when no payout was made under the key", async () => {
    const p = new SandboxPaymentProvider(opts());
    expect(await p.reversePayout({ idempotencyKey: "sr2", payoutKey: "sr2" })).toEqual({
      reversedAmountKrw: 0,
    });
    expect(p.payoutBalance("sr2")).toBe(0);
  });

  it("fails payouts and reversals as unavailable under the injected error rate, moving no money", async () => {
    const p = new SandboxPaymentProvider(opts({ errorRate: 1 }));
    await expect(payout(p, "sr3")).rejects.toBeInstanceOf(ProviderUnavailableError);
    await expect(p.reversePayout({ idempotencyKey: "sr3", payoutKey: "sr3" })).rejects.toBeInstanceOf(
      ProviderUnavailableError,
    );
    expect(p.payoutCount).toBe(0);
    p.configure({ errorRate: 0 });
    await payout(p, "sr3");
    expect(p.payoutBalance("sr3")).toBe(9_000_000);
  });
});
