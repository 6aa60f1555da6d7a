import { describe, expect, it } from "vitest";
import { DomainError } from "@junggo/runtime";
import {
  approve,
  catchLateCharge,
  completeRefund,
  completeVoid,
  isTombstone,
  pendingOperation,
  publicStatus,
  requestRefund,
  requestVoid,
  tombstone,
  type Payment,
  type PaymentStatus,
} from "../src/domain/payment.ts";

const now = new Date("2026-01-01T00:00:00Z");
const cause = "44444444-4444-4444-8444-444444444444";
const ids = {
  id: "11111111-1111-4111-8111-111111111111",
  purchaseId: "22222222-2222-4222-8222-222222222222",
  buyerId: "33333333-3333-4333-8333-333333333333",
};
const approved = () => approve({ ...ids, amountKrw: 15_000_000, providerRef: "ref-1", now }).payment;
const inState = (status: PaymentStatus): Payment => ({ ...approved(), status });
const ALL: PaymentStatus[] = ["APPROVED", "REFUND_PENDING", "REFUNDED", "VOID_PENDING", "VOIDED"];

const refused = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe("PAYMENT_TRANSITION_REFUSED");
    return;
  }
  throw new Error("transition was not refused");
};

describe("approve", () => {
  it("creates an APPROVED payment and a PaymentApproved event", () => {
    const t = approve({ ...ids, amountKrw: 15_000_000, providerRef: "ref-1", now });
    expect(t.payment).toMatchObject({
      ...ids,
      status: "APPROVED",
      amountKrw: 15_000_000,
      providerRef: "ref-1",
      createdAt: now,
    });
    expect(t.event).toEqual({
      type: "PaymentApproved",
      payload: { paymentId: ids.id, purchaseId: ids.purchaseId, buyerId: ids.buyerId, amountKrw: 15_000_000 },
    });
  });

  it.each([0, -5, 1.5, 2_147_483_648])("refuses amount %s", (amountKrw) => {
    expect(() => approve({ ...ids, amountKrw, providerRef: "r", now })).toThrowError(/positive whole number/);
  });
});

describe("refund", () => {
  it("APPROVED --requestRefund--> REFUND_PENDING without an event", () => {
    const t = requestRefund(approved(), cause);
    expect(t.payment).toMatchObject({ status: "REFUND_PENDING", settlementCausationId: cause });
    expect(t.event).toBeNull();
    expect(pendingOperation(t.payment)).toBe("REFUND");
    expect(publicStatus(t.payment)).toBe("APPROVED");
  });

  it("REFUND_PENDING --completeRefund--> REFUNDED with PaymentRefunded", () => {
    const later = new Date("2026-01-02T00:00:00Z");
    const t = completeRefund(requestRefund(approved(), cause).payment, later);
    expect(t.payment).toMatchObject({ status: "REFUNDED", refundedAt: later, settlementCausationId: cause });
    expect(t.event).toEqual({
      type: "PaymentRefunded",
      payload: { paymentId: ids.id, purchaseId: ids.purchaseId, buyerId: ids.buyerId, amountKrw: 15_000_000 },
    });
    expect(publicStatus(t.payment)).toBe("REFUNDED");
    expect(pendingOperation(t.payment)).toBeNull();
  });

  it.each(ALL.filter((s) => s !== "APPROVED"))("refuses requestRefund from %s (no second refund)", (s) =>
    refused(() => requestRefund(inState(s), cause)),
  );
  it.each(ALL.filter((s) => s !== "REFUND_PENDING"))("refuses completeRefund from %s", (s) =>
    refused(() => completeRefund(inState(s), now)),
  );
});

describe("void", () => {
  it("APPROVED --requestVoid--> VOID_PENDING --completeVoid--> VOIDED with PaymentVoided", () => {
    const pending = requestVoid(approved(), cause);
    expect(pending.payment).toMatchObject({ status: "VOID_PENDING", settlementCausationId: cause });
    expect(pending.event).toBeNull();
    expect(pendingOperation(pending.payment)).toBe("VOID");
    const t = completeVoid(pending.payment, now);
    expect(t.payment).toMatchObject({ status: "VOIDED", voidedAt: now });
    expect(t.event?.type).toBe("PaymentVoided");
    expect(t.event?.payload.amountKrw).toBe(15_000_000);
    expect(publicStatus(t.payment)).toBe("VOIDED");
  });

  it.each(ALL.filter((s) => s !== "APPROVED"))("refuses requestVoid from %s", (s) =>
    refused(() => requestVoid(inState(s), cause)),
  );
  it.each(ALL.filter((s) => s !== "VOID_PENDING"))("refuses completeVoid from %s", (s) =>
    refused(() => completeVoid(inState(s), now)),
  );
});

describe("tombstone", () => {
  it("is a VOIDED payment of 0 won without provider reference, announced by PaymentVoided", () => {
    const t = tombstone({ ...ids, now, causationId: cause });
    expect(t.payment).toMatchObject({
      status: "VOIDED",
      amountKrw: 0,
      providerRef: null,
      voidedAt: now,
      settlementCausationId: cause,
    });
    expect(isTombstone(t.payment)).toBe(true);
    expect(t.event).toEqual({
      type: "PaymentVoided",
      payload: { paymentId: ids.id, purchaseId: ids.purchaseId, buyerId: ids.buyerId, amountKrw: 0 },
    });
  });

  it("takes over a late charge so that it gets voided", () => {
    const t = catchLateCharge(tombstone({ ...ids, now, causationId: cause }).payment, {
      providerRef: "late",
      amountKrw: 900,
    });
    // The void of the late charge is caused by the same abandonment as the tombstone.
    expect(t.payment).toMatchObject({
      status: "VOID_PENDING",
      providerRef: "late",
      amountKrw: 900,
      voidedAt: null,
      settlementCausationId: cause,
    });
    expect(pendingOperation(t.payment)).toBe("VOID");
  });

  it("refuses a late charge on anything but a tombstone", () => {
    for (const s of ALL) refused(() => catchLateCharge(inState(s), { providerRef: "x", amountKrw: 1 }));
    const voidedCharge = completeVoid(requestVoid(approved(), cause).payment, now).payment;
    expect(isTombstone(voidedCharge)).toBe(false);
    refused(() => catchLateCharge(voidedCharge, { providerRef: "x", amountKrw: 1 }));
  });
});

describe("publicStatus", () => {
  it("shows pending refunds and voids as APPROVED (the money has not moved yet)", () => {
    expect(ALL.map((s) => publicStatus(inState(s)))).toEqual([
      "APPROVED",
      "APPROVED",
      "REFUNDED",
      "APPROVED",
      "VOIDED",
    ]);
  });
});
