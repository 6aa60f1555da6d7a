import { describe, expect, it } from "vitest";
import { refusalOf } from "@junggo/runtime/testing";
import { blockBeforePayout, canSeePayout, pay, reverse } from "../src/domain/payout.ts";

const NOW = new Date("2026-12-01T00:00:00Z");
const LATER = new Date("2026-12-02T00:00:00Z");
const SR = "44444444-4444-4444-8444-444444444444";
const SELLER = "33333333-3333-4333-8333-333333333333";
const ID = "55555555-5555-4555-8555-555555555555";
const paid = () =>
  pay({ id: ID, sellRequestId: SR, sellerId: SELLER, amountKrw: 12_000_000, providerRef: "ref", now: NOW });

describe("Payout", () => {
  it("pay: PAID with PayoutPaid carrying the amount", () => {
    const t = paid();
    expect(t.payout).toMatchObject({ status: "PAID", amountKrw: 12_000_000, paidAt: NOW, reversedAt: null });
    expect(t.event).toEqual({
      type: "PayoutPaid",
      payload: { payoutId: ID, sellRequestId: SR, sellerId: SELLER, amountKrw: 12_000_000 },
    });
  });

  it("pay refuses a zero, negative or fractional amount", () => {
    for (const amountKrw of [0, -1, 1.5, 2 ** 31])
      expect(
        refusalOf(() =>
          pay({ id: ID, sellRequestId: SR, sellerId: SELLER, amountKrw, providerRef: "r", now: NOW }),
        ).code,
      ).toBe("BAD_USER_INPUT");
  });

  it("reverse: PAID → REVERSED with PayoutReversed; a second reversal is refused", () => {
    const t = reverse(paid().payout, LATER);
    expect(t.payout).toMatchObject({ status: "REVERSED", amountKrw: 12_000_000, reversedAt: LATER });
    expect(t.event.type).toBe("PayoutReversed");
    expect(t.event.payload.amountKrw).toBe(12_000_000);
    expect(refusalOf(() => reverse(t.payout, LATER)).code).toBe("PAYMENT_TRANSITION_REFUSED");
  });

  it("blockBeforePayout: a REVERSED tombstone with what the provider took back (0 when nothing was paid)", () => {
    const t = blockBeforePayout({
      id: ID,
      sellRequestId: SR,
      sellerId: SELLER,
      reversedAmountKrw: 0,
      now: NOW,
    });
    expect(t.payout).toMatchObject({ status: "REVERSED", amountKrw: 0, providerRef: null, paidAt: null });
    expect(t.event).toEqual({
      type: "PayoutReversed",
      payload: { payoutId: ID, sellRequestId: SR, sellerId: SELLER, amountKrw: 0 },
    });
    expect(refusalOf(() => reverse(t.payout, LATER)).code).toBe("PAYMENT_TRANSITION_REFUSED");
  });

  it("only the seller and staff see a payout", () => {
    const p = paid().payout;
    expect(canSeePayout({ id: SELLER, role: "SELLER" }, p)).toBe(true);
    expect(canSeePayout({ id: "someone-else", role: "STAFF" }, p)).toBe(true);
    expect(canSeePayout({ id: "someone-else", role: "SELLER" }, p)).toBe(false);
    expect(canSeePayout({ id: "someone-else", role: "BUYER" }, p)).toBe(false);
    expect(canSeePayout(null, p)).toBe(false);
  });
});
