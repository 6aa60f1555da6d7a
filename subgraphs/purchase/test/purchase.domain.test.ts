import { describe, expect, it } from "vitest";
import { DomainError } from "@junggo/runtime";
import {
  asOfEvent,
  cancel,
  canCancel,
  canReturn,
  completeReturn,
  canView,
  deliver,
  MAX_CANCEL_REASON,
  normalizeCancelReason,
  parseReturnReason,
  pay,
  requestReturn,
  startDelivery,
  type Purchase,
  type PurchaseStatus,
} from "../src/domain/purchase.ts";

const now = new Date("2026-01-01T00:00:00Z");
const later = new Date("2026-01-02T00:00:00Z");
const vehicle = {
  id: "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa",
  make: "Hyundai",
  model: "Avante",
  year: 2019,
  priceKrw: 15_500_000,
};
const buyer = { id: "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb", name: "Kim Buyer" };
const purchaseId = "cccccccc-cccc-4ccc-8ccc-cccccccccccc";
const paymentId = "dddddddd-dddd-4ddd-8ddd-dddddddddddd";
const paid = () => pay({ id: purchaseId, vehicle, buyer, paymentId, now }).purchase;
const inState = (status: PurchaseStatus): Purchase => ({ ...paid(), status });
const ALL: PurchaseStatus[] = [
  "PAID",
  "DELIVERING",
  "DELIVERED",
  "CANCELLED",
  "RETURN_REQUESTED",
  "RETURNED",
];
const ref = { purchaseId, vehicleId: vehicle.id, buyerId: buyer.id };

const refusedWith = (code: string, fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe(code);
    return;
  }
  throw new Error("transition was not refused");
};

describe("pay", () => {
  it("creates a PAID purchase at the vehicle's price with a PurchasePaid event", () => {
    const t = pay({ id: purchaseId, vehicle, buyer, paymentId, now });
    expect(t.purchase).toMatchObject({
      id: purchaseId,
      status: "PAID",
      priceKrw: 15_500_000,
      buyerId: buyer.id,
      buyerName: "Kim Buyer",
      paymentId,
      vehicleId: vehicle.id,
      vehicleMake: "Hyundai",
      vehicleModel: "Avante",
      vehicleYear: 2019,
      createdAt: now,
      driverId: null,
    });
    expect(t.event).toEqual({
      type: "PurchasePaid",
      payload: {
        ...ref,
        buyerName: "Kim Buyer",
        priceKrw: 15_500_000,
        paymentId,
        vehicle: { make: "Hyundai", model: "Avante", year: 2019 },
      },
    });
  });
});

describe("startDelivery", () => {
  it("PAID --> DELIVERING with PurchaseDeliveryStarted", () => {
    const t = startDelivery(paid(), later);
    expect(t.purchase).toMatchObject({ status: "DELIVERING", deliveryStartedAt: later });
    expect(t.event).toEqual({ type: "PurchaseDeliveryStarted", payload: ref });
  });
  it.each(ALL.filter((s) => s !== "PAID"))("is refused from %s", (s) =>
    refusedWith("PURCHASE_TRANSITION_REFUSED", () => startDelivery(inState(s), later)),
  );
});

describe("deliver", () => {
  it("DELIVERING --> DELIVERED with PurchaseDelivered", () => {
    const t = deliver(inState("DELIVERING"), later);
    expect(t.purchase).toMatchObject({ status: "DELIVERED", deliveredAt: later });
    expect(t.event).toEqual({ type: "PurchaseDelivered", payload: ref });
  });
  it.each(ALL.filter((s) => s !== "DELIVERING"))("is refused from %s", (s) =>
    refusedWith("PURCHASE_TRANSITION_REFUSED", () => deliver(inState(s), later)),
  );
});

describe("cancel", () => {
  it.each(["PAID", "DELIVERING"] as const)(
    "%s --> CANCELLED with PurchaseCancelled carrying the previous status",
    (s) => {
      const t = cancel(inState(s), "changed my mind", later);
      expect(t.purchase).toMatchObject({
        status: "CANCELLED",
        cancelledAt: later,
        cancelReason: "changed my mind",
      });
      expect(t.event).toEqual({
        type: "PurchaseCancelled",
        payload: { ...ref, reason: "changed my mind", previousStatus: s },
      });
    },
  );
  it.each(["DELIVERED", "CANCELLED", "RETURN_REQUESTED", "RETURNED"] as const)(
    "is refused from %s with PURCHASE_NOT_CANCELLABLE",
    (s) => refusedWith("PURCHASE_NOT_CANCELLABLE", () => cancel(inState(s), null, later)),
  );
});

describe("normalizeCancelReason", () => {
  it("trims, and treats blank as no reason", () => {
    expect(normalizeCancelReason("  too far  ")).toBe("too far");
    expect(normalizeCancelReason("   ")).toBeNull();
    expect(normalizeCancelReason(undefined)).toBeNull();
    expect(normalizeCancelReason(null)).toBeNull();
  });
  it("accepts 500 characters and refuses 501 with BAD_USER_INPUT on reason", () => {
    expect(normalizeCancelReason("x".repeat(MAX_CANCEL_REASON))).toHaveLength(500);
    try {
      normalizeCancelReason("x".repeat(MAX_CANCEL_REASON + 1));
      throw new Error("not refused");
    } catch (err) {
      expect((err as DomainError).code).toBe("BAD_USER_INPUT");
      expect((err as DomainError).details).toEqual({ field: "reason" });
    }
  });
});

describe("access", () => {
  const driverId = "eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee";
  const p = { ...paid(), driverId };
  it("lets the buyer, staff and the assigned driver see a purchase, nobody else", () => {
    expect(canView({ id: buyer.id, role: "BUYER" }, p)).toBe(true);
    expect(canView({ id: "someone", role: "STAFF" }, p)).toBe(true);
    expect(canView({ id: driverId, role: "DRIVER" }, p)).toBe(true);
    expect(canView({ id: "other-driver", role: "DRIVER" }, p)).toBe(false);
    expect(canView({ id: "other-buyer", role: "BUYER" }, p)).toBe(false);
    expect(canView({ id: "seller", role: "SELLER" }, p)).toBe(false);
  });
  it("lets only the buyer and staff cancel", () => {
    expect(canCancel({ id: buyer.id, role: "BUYER" }, p)).toBe(true);
    expect(canCancel({ id: "someone", role: "STAFF" }, p)).toBe(true);
    expect(canCancel({ id: driverId, role: "DRIVER" }, p)).toBe(false);
    expect(canCancel({ id: "other-buyer", role: "BUYER" }, p)).toBe(false);
  });
});

describe("returns", () => {
  const delivered = () => deliver(startDelivery(paid(), now).purchase, now).purchase;
  const hours = (h: number) => new Date(now.getTime() + h * 3_600_000);
  const codeOf = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return (e as DomainError).code;
    }
    return "no error";
  };

  it("takes a delivered car back within 3 days, then completes once the car is on the lot", () => {
    const r = requestReturn(delivered(), "Engine noise", hours(71));
    expect(r.purchase).toMatchObject({ status: "RETURN_REQUESTED", returnReason: "Engine noise" });
    expect(r.event).toMatchObject({
      type: "PurchaseReturnRequested",
      payload: { purchaseId, vehicleId: vehicle.id, buyerId: buyer.id, paymentId, priceKrw: 15_500_000 },
    });
    const done = completeReturn(r.purchase, hours(80));
    expect(done.purchase).toMatchObject({ status: "RETURNED", returnedAt: hours(80) });
    expect(done.event).toMatchObject({
      type: "PurchaseReturned",
      payload: { paymentId, amountKrw: 15_500_000 },
    });
  });

  it("closes the window after 3 days (configurable) with RETURN_WINDOW_CLOSED", () => {
    expect(codeOf(() => requestReturn(delivered(), "late", hours(72.01)))).toBe("RETURN_WINDOW_CLOSED");
    expect(codeOf(() => requestReturn(delivered(), "late", hours(2), 3_600_000))).toBe(
      "RETURN_WINDOW_CLOSED",
    );
  });

  it("refuses before delivery and twice with PURCHASE_NOT_RETURNABLE", () => {
    for (const s of ["PAID", "DELIVERING", "CANCELLED"] as const)
      expect(codeOf(() => requestReturn(inState(s), "x", now))).toBe("PURCHASE_NOT_RETURNABLE");
    const once = requestReturn(delivered(), "x", hours(1)).purchase;
    expect(codeOf(() => requestReturn(once, "x", hours(2)))).toBe("PURCHASE_NOT_RETURNABLE");
    expect(codeOf(() => completeReturn(delivered(), now))).toBe("PURCHASE_TRANSITION_REFUSED");
  });

  it("counts the window from deliveredAt: open up to its last millisecond", () => {
    const d = delivered();
    const end = new Date(d.deliveredAt!.getTime() + 3 * 86_400_000);
    expect(requestReturn(d, "x", end).purchase.status).toBe("RETURN_REQUESTED");
    expect(codeOf(() => requestReturn(d, "x", new Date(end.getTime() + 1)))).toBe("RETURN_WINDOW_CLOSED");
    // Not from the purchase's creation: a delivery days after the payment still gets its 3 days.
    const late = deliver(startDelivery(paid(), hours(100)).purchase, hours(120)).purchase;
    expect(requestReturn(late, "x", hours(120 + 71)).purchase.status).toBe("RETURN_REQUESTED");
  });

  it("refuses to return a RETURNED purchase again, and completes a return once", () => {
    const requested = requestReturn(delivered(), "x", hours(1)).purchase;
    const returned = completeReturn(requested, hours(5)).purchase;
    expect(codeOf(() => requestReturn(returned, "x", hours(6)))).toBe("PURCHASE_NOT_RETURNABLE");
    expect(codeOf(() => completeReturn(returned, hours(6)))).toBe("PURCHASE_TRANSITION_REFUSED");
    for (const s of ["PAID", "DELIVERING", "CANCELLED"] as const)
      expect(codeOf(() => completeReturn(inState(s), hours(6)))).toBe("PURCHASE_TRANSITION_REFUSED");
  });

  it("needs a reason of at most 500 characters; only the buyer returns", () => {
    expect(codeOf(() => parseReturnReason("  "))).toBe("BAD_USER_INPUT");
    expect(codeOf(() => parseReturnReason("x".repeat(501)))).toBe("BAD_USER_INPUT");
    expect(parseReturnReason(" scratches ")).toBe("scratches");
    expect(canReturn({ id: buyer.id, role: "BUYER" }, paid())).toBe(true);
    expect(canReturn({ id: "staff", role: "STAFF" }, paid())).toBe(false);
    expect(canReturn({ id: "other-buyer", role: "BUYER" }, paid())).toBe(false);
    expect(parseReturnReason("가".repeat(500))).toHaveLength(500);
  });
});

describe("asOfEvent (what a live update shows)", () => {
  it("gives back the purchase exactly as each step's event left it, read after later steps", () => {
    const steps = [pay({ id: purchaseId, vehicle, buyer, paymentId, now })];
    steps.push(startDelivery(steps.at(-1)!.purchase, later));
    steps.push(deliver(steps.at(-1)!.purchase, new Date("2026-01-03T00:00:00Z")));
    steps.push(requestReturn(steps.at(-1)!.purchase, "scratched door", new Date("2026-01-04T00:00:00Z")));
    steps.push(completeReturn(steps.at(-1)!.purchase, new Date("2026-01-05T00:00:00Z")));
    const current = steps.at(-1)!.purchase;
    for (const step of steps) expect(asOfEvent(current, step.event)).toEqual(step.purchase);
    // A refund changes no status: the purchase as it is.
    expect(asOfEvent(current, { type: "PaymentRefunded" })).toEqual(current);
  });

  it("shows DELIVERING for a delivery that was cancelled afterwards, and CANCELLED for the cancel", () => {
    const delivering = startDelivery(paid(), later);
    const cancelled = cancel(delivering.purchase, "changed my mind", later);
    expect(asOfEvent(cancelled.purchase, delivering.event)).toEqual(delivering.purchase);
    expect(asOfEvent(cancelled.purchase, cancelled.event)).toEqual(cancelled.purchase);
  });
});
