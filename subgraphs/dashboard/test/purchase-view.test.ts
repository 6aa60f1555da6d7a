import { DELIVERY_JOB } from "@junggo/runtime/testing";
import { describe, expect, it } from "vitest";
import { newEvent, type EventEnvelope, type EventPayloads, type EventType } from "@junggo/events";
import {
  advance,
  applyEvent,
  canSeeView,
  CONSIGNMENT_STATUS_RANK,
  isReady,
  PAYMENT_STATUS_RANK,
  PURCHASE_STATUS_RANK,
  type PurchaseView,
} from "../src/domain/purchase-view.ts";

const PURCHASE = "22222222-2222-4222-8222-222222222222";
const VEHICLE = "33333333-3333-4333-8333-333333333333";
const BUYER = "44444444-4444-4444-8444-444444444444";
const DRIVER = "55555555-5555-4555-8555-555555555555";
const JOB = "11111111-1111-4111-8111-111111111111";
const PAYMENT = "77777777-7777-4777-8777-777777777777";
const T0 = Date.parse("2026-03-01T09:00:00.000Z");
const min = (m: number) => new Date(T0 + m * 60_000);

let clock = 0;
/** Events stamped one minute apart in creation order, unless `at` says otherwise. */
function ev<T extends EventType>(type: T, payload: EventPayloads[T], at?: number): EventEnvelope<T> {
  return newEvent(type, payload, { producer: "test", now: min(at ?? ++clock) });
}
const ids = { purchaseId: PURCHASE, buyerId: BUYER };
const E = {
  paid: (at?: number) =>
    ev(
      "PurchasePaid",
      {
        ...ids,
        vehicleId: VEHICLE,
        buyerName: "Park",
        priceKrw: 15_500_000,
        paymentId: PAYMENT,
        vehicle: { make: "Hyundai", model: "Avante", year: 2019 },
      },
      at,
    ),
  deliveryStarted: (at?: number) => ev("PurchaseDeliveryStarted", { ...ids, vehicleId: VEHICLE }, at),
  delivered: (at?: number) => ev("PurchaseDelivered", { ...ids, vehicleId: VEHICLE }, at),
  cancelled: (at?: number) =>
    ev(
      "PurchaseCancelled",
      { ...ids, vehicleId: VEHICLE, reason: "changed my mind", previousStatus: "PAID" },
      at,
    ),
  approved: (at?: number) => ev("PaymentApproved", { ...ids, paymentId: PAYMENT, amountKrw: 15_500_000 }, at),
  refunded: (at?: number) => ev("PaymentRefunded", { ...ids, paymentId: PAYMENT, amountKrw: 15_500_000 }, at),
  requested: (at?: number, consignmentId = JOB, kind: "DELIVERY" | "RETURN_PICKUP" = "DELIVERY") =>
    ev("ConsignmentRequested", { ...ids, ...DELIVERY_JOB, consignmentId, vehicleId: VEHICLE, kind }, at),
  assigned: (at?: number, consignmentId = JOB) =>
    ev(
      "ConsignmentAssigned",
      {
        ...ids,
        ...DELIVERY_JOB,
        consignmentId,
        vehicleId: VEHICLE,
        driverId: DRIVER,
        driverName: "Kim Driver",
        eta: "2026-03-01T11:00:00.000Z",
      },
      at,
    ),
  pickedUp: (at?: number, consignmentId = JOB) =>
    ev(
      "ConsignmentPickedUp",
      { ...ids, ...DELIVERY_JOB, consignmentId, vehicleId: VEHICLE, driverId: DRIVER },
      at,
    ),
  jobDelivered: (at?: number) =>
    ev(
      "ConsignmentDelivered",
      { ...ids, ...DELIVERY_JOB, consignmentId: JOB, vehicleId: VEHICLE, driverId: DRIVER },
      at,
    ),
  jobCancelled: (at?: number) =>
    ev(
      "ConsignmentCancelled",
      {
        ...ids,
        ...DELIVERY_JOB,
        consignmentId: JOB,
        vehicleId: VEHICLE,
        previousStatus: "PICKED_UP",
        returnToLot: true,
      },
      at,
    ),
};
const fold = (events: EventEnvelope[], from: PurchaseView | null = null) =>
  events.reduce<PurchaseView | null>(applyEvent, from);

describe("applyEvent, one event at a time", () => {
  it("PurchasePaid creates the row with the vehicle snapshot, price and PAID", () => {
    const v = applyEvent(null, E.paid(1))!;
    expect(v).toEqual({
      purchaseId: PURCHASE,
      buyerId: BUYER,
      vehicleId: VEHICLE,
      vehicleName: "2019 Hyundai Avante",
      priceKrw: 15_500_000,
      purchaseStatus: "PAID",
      paymentStatus: null,
      consignmentId: null,
      consignmentStatus: null,
      driverName: null,
      eta: null,
      returnConsignmentId: null,
      returnPickupStatus: null,
      createdAt: min(1),
      updatedAt: min(1),
    });
    expect(isReady(v)).toBe(true);
  });

  it.each([
    ["PurchaseDeliveryStarted", () => E.deliveryStarted(2), { purchaseStatus: "DELIVERING" }],
    ["PurchaseDelivered", () => E.delivered(2), { purchaseStatus: "DELIVERED" }],
    ["PurchaseCancelled", () => E.cancelled(2), { purchaseStatus: "CANCELLED" }],
    ["PaymentApproved", () => E.approved(2), { paymentStatus: "APPROVED" }],
    ["PaymentRefunded", () => E.refunded(2), { paymentStatus: "REFUNDED" }],
    ["ConsignmentRequested", () => E.requested(2), { consignmentStatus: "REQUESTED", consignmentId: JOB }],
    [
      "ConsignmentAssigned",
      () => E.assigned(2),
      {
        consignmentStatus: "ASSIGNED",
        consignmentId: JOB,
        driverName: "Kim Driver",
        eta: new Date("2026-03-01T11:00:00.000Z"),
      },
    ],
    ["ConsignmentPickedUp", () => E.pickedUp(2), { consignmentStatus: "PICKED_UP", consignmentId: JOB }],
    ["ConsignmentDelivered", () => E.jobDelivered(2), { consignmentStatus: "DELIVERED", consignmentId: JOB }],
    ["ConsignmentCancelled", () => E.jobCancelled(2), { consignmentStatus: "CANCELLED", consignmentId: JOB }],
  ] as const)("%s after PurchasePaid sets its part and updatedAt", (_name, make, expected) => {
    const paid = applyEvent(null, E.paid(1))!;
    const v = applyEvent(paid, make())!;
    expect(v).toMatchObject({
      ...expected,
      updatedAt: min(2),
      createdAt: min(1),
      vehicleName: "2019 Hyundai Avante",
    });
    expect(paid.updatedAt).toEqual(min(1)); // the input row is not mutated
  });

  it("ignores events it does not project", () => {
    const paid = applyEvent(null, E.paid(1))!;
    const other = newEvent(
      "VehicleReserved",
      { vehicleId: VEHICLE, purchaseId: PURCHASE },
      { producer: "stock" },
    );
    expect(applyEvent(paid, other)).toBe(paid);
    expect(applyEvent(null, other)).toBeNull();
  });

  it("refuses to fold an event of another purchase into a row", () => {
    const paid = applyEvent(null, E.paid(1))!;
    const foreign = newEvent(
      "PaymentApproved",
      {
        purchaseId: "99999999-9999-4999-8999-999999999999",
        buyerId: BUYER,
        paymentId: PAYMENT,
        amountKrw: 1,
      },
      { producer: "billing" },
    );
    expect(() => applyEvent(paid, foreign)).toThrow(/not 22222222/);
  });
});

describe("the happy path", () => {
  it("follows a purchase from payment to delivery", () => {
    const v = fold([
      E.paid(1),
      E.approved(2),
      E.requested(3),
      E.assigned(4),
      E.pickedUp(5),
      E.deliveryStarted(6),
      E.jobDelivered(7),
      E.delivered(8),
    ])!;
    expect(v).toMatchObject({
      purchaseStatus: "DELIVERED",
      paymentStatus: "APPROVED",
      consignmentStatus: "DELIVERED",
      driverName: "Kim Driver",
      eta: new Date("2026-03-01T11:00:00.000Z"),
      createdAt: min(1),
      updatedAt: min(8),
    });
  });

  it("a cancellation on the road ends CANCELLED / REFUNDED / CANCELLED", () => {
    const v = fold([
      E.paid(1),
      E.approved(2),
      E.requested(3),
      E.assigned(4),
      E.pickedUp(5),
      E.deliveryStarted(6),
      E.cancelled(7),
      E.refunded(8),
      E.jobCancelled(9),
    ])!;
    expect(v).toMatchObject({
      purchaseStatus: "CANCELLED",
      paymentStatus: "REFUNDED",
      consignmentStatus: "CANCELLED",
    });
  });
});

describe("out-of-order arrival", () => {
  it("PaymentApproved before PurchasePaid: a row that is not ready yet, completed by PurchasePaid", () => {
    const early = applyEvent(null, E.approved(2))!;
    expect(early).toMatchObject({
      purchaseId: PURCHASE,
      buyerId: BUYER,
      paymentStatus: "APPROVED",
      purchaseStatus: null,
      vehicleName: null,
      createdAt: null,
    });
    expect(isReady(early)).toBe(false);
    const v = applyEvent(early, E.paid(1))!;
    expect(v).toMatchObject({
      purchaseStatus: "PAID",
      paymentStatus: "APPROVED",
      vehicleName: "2019 Hyundai Avante",
      priceKrw: 15_500_000,
      createdAt: min(1),
      updatedAt: min(2),
    });
    expect(isReady(v)).toBe(true);
  });

  it("a cancellation seen before PurchasePaid is not ready until PurchasePaid arrives, and stays CANCELLED", () => {
    const early = applyEvent(null, E.cancelled(5))!;
    expect(early.purchaseStatus).toBe("CANCELLED");
    expect(isReady(early)).toBe(false); // no vehicle name or price yet
    const v = applyEvent(early, E.paid(1))!;
    expect(v).toMatchObject({ purchaseStatus: "CANCELLED", vehicleName: "2019 Hyundai Avante" });
    expect(isReady(v)).toBe(true);
  });

  it("consignment events before the row exists fill in; the row becomes ready with PurchasePaid", () => {
    const v = fold([E.assigned(4), E.requested(3), E.paid(1)])!;
    expect(v).toMatchObject({
      consignmentStatus: "ASSIGNED",
      consignmentId: JOB,
      driverName: "Kim Driver",
      purchaseStatus: "PAID",
    });
  });

  it("every order of the same events gives the same row", () => {
    const events = [
      E.paid(1),
      E.approved(2),
      E.requested(3),
      E.assigned(4),
      E.pickedUp(5),
      E.deliveryStarted(6),
      E.cancelled(7),
      E.refunded(8),
      E.jobCancelled(9),
    ];
    const expected = fold(events);
    // Reversed, interleaved, and a rotation.
    for (const order of [
      [...events].reverse(),
      [...events.filter((_, i) => i % 2), ...events.filter((_, i) => !(i % 2))],
      [...events.slice(4), ...events.slice(0, 4)],
    ]) {
      expect(fold(order)).toEqual(expected);
    }
  });
});

describe("no status regression", () => {
  it("a late PaymentApproved after PaymentRefunded keeps REFUNDED", () => {
    const refunded = fold([E.paid(1), E.refunded(3)])!;
    expect(applyEvent(refunded, E.approved(2))).toBe(refunded);
  });

  it("a late ConsignmentAssigned keeps PICKED_UP but brings the driver and ETA", () => {
    const v = applyEvent(fold([E.paid(1), E.requested(2), E.pickedUp(4)]), E.assigned(3))!;
    expect(v).toMatchObject({
      consignmentStatus: "PICKED_UP",
      driverName: "Kim Driver",
      eta: new Date("2026-03-01T11:00:00.000Z"),
      updatedAt: min(4),
    });
  });

  it("late ConsignmentRequested / PickedUp never undo DELIVERED or CANCELLED", () => {
    const delivered = fold([E.paid(1), E.jobDelivered(6)])!;
    expect(applyEvent(applyEvent(delivered, E.pickedUp(5)), E.requested(2))).toBe(delivered);
    const cancelled = fold([E.paid(1), E.jobCancelled(6)])!;
    expect(applyEvent(cancelled, E.assigned(3))!.consignmentStatus).toBe("CANCELLED");
  });

  it("late PurchasePaid or PurchaseDeliveryStarted never undo DELIVERED or CANCELLED", () => {
    for (const terminal of [E.delivered(9), E.cancelled(9)]) {
      const v = fold([E.deliveryStarted(5), terminal])!;
      expect(fold([E.deliveryStarted(6), E.paid(1)], v)!.purchaseStatus).toBe(v.purchaseStatus);
    }
  });

  it("terminal statuses share the top rank: the first one seen stays", () => {
    expect(fold([E.paid(1), E.delivered(5), E.cancelled(6)])!.purchaseStatus).toBe("DELIVERED");
    expect(fold([E.paid(1), E.jobCancelled(5), E.jobDelivered(6)])!.consignmentStatus).toBe("CANCELLED");
  });

  it("ranks order every status", () => {
    expect(PURCHASE_STATUS_RANK).toEqual({
      PAID: 1,
      DELIVERING: 2,
      DELIVERED: 3,
      CANCELLED: 3,
      RETURN_REQUESTED: 4,
      RETURNED: 5,
    });
    expect(PAYMENT_STATUS_RANK).toEqual({ APPROVED: 1, REFUNDED: 2, VOIDED: 2 });
    expect(CONSIGNMENT_STATUS_RANK).toEqual({
      REQUESTED: 1,
      ASSIGNED: 2,
      PICKED_UP: 3,
      DELIVERED: 4,
      CANCELLED: 4,
    });
    expect(advance(null, "PAID", PURCHASE_STATUS_RANK)).toBe("PAID");
    expect(advance("PAID", "DELIVERING", PURCHASE_STATUS_RANK)).toBe("DELIVERING");
    expect(advance("DELIVERING", "PAID", PURCHASE_STATUS_RANK)).toBe("DELIVERING");
    expect(advance("DELIVERED", "CANCELLED", PURCHASE_STATUS_RANK)).toBe("DELIVERED");
    expect(advance("DELIVERED", "RETURN_REQUESTED", PURCHASE_STATUS_RANK)).toBe("RETURN_REQUESTED");
    expect(advance("RETURNED", "DELIVERED", PURCHASE_STATUS_RANK)).toBe("RETURNED");
  });

  it("updatedAt never moves back for a late event that changes something", () => {
    const v = applyEvent(fold([E.paid(1), E.pickedUp(9)]), E.approved(2))!;
    expect(v.paymentStatus).toBe("APPROVED");
    expect(v.updatedAt).toEqual(min(9));
  });
});

describe("idempotence", () => {
  it("applying any event a second time changes nothing (same object back)", () => {
    const events = [
      E.paid(1),
      E.approved(2),
      E.requested(3),
      E.assigned(4),
      E.pickedUp(5),
      E.deliveryStarted(6),
      E.jobDelivered(7),
      E.delivered(8),
      E.refunded(9),
      E.cancelled(10),
      E.jobCancelled(11),
    ];
    let v: PurchaseView | null = null;
    for (const e of events) {
      v = applyEvent(v, e);
      expect(applyEvent(v, e)).toBe(v);
    }
  });

  it("replaying the whole stream twice gives the same row as once", () => {
    const events = [E.approved(2), E.paid(1), E.requested(3), E.assigned(4)];
    expect(fold([...events, ...events])).toEqual(fold(events));
  });
});

describe("other jobs of the same purchase", () => {
  it("the row follows the delivery job; another delivery job's events are not mixed in", () => {
    const OTHER = "88888888-8888-4888-8888-888888888888";
    const v = fold([E.paid(1), E.requested(2), E.assigned(3)])!;
    expect(applyEvent(v, E.pickedUp(6, OTHER))).toBe(v);
    expect(applyEvent(v, E.assigned(6, OTHER))).toBe(v);
  });
});

describe("returns", () => {
  const RETURN_JOB = "88888888-8888-4888-8888-888888888888";
  const returnJob = { ...DELIVERY_JOB, kind: "RETURN_PICKUP" as const };
  const R = {
    requested: (at?: number) =>
      ev(
        "PurchaseReturnRequested",
        { ...ids, vehicleId: VEHICLE, reason: "engine noise", paymentId: PAYMENT, priceKrw: 15_500_000 },
        at,
      ),
    returned: (at?: number) =>
      ev("PurchaseReturned", { ...ids, vehicleId: VEHICLE, paymentId: PAYMENT, amountKrw: 15_500_000 }, at),
    jobAssigned: (at?: number) =>
      ev(
        "ConsignmentAssigned",
        {
          ...ids,
          ...returnJob,
          consignmentId: RETURN_JOB,
          vehicleId: VEHICLE,
          driverId: DRIVER,
          driverName: "Lee Return",
          eta: "2026-03-04T11:00:00.000Z",
        },
        at,
      ),
    jobDelivered: (at?: number) =>
      ev(
        "ConsignmentDelivered",
        { ...ids, ...returnJob, consignmentId: RETURN_JOB, vehicleId: VEHICLE, driverId: DRIVER },
        at,
      ),
  };
  const delivered = () => [
    E.paid(1),
    E.approved(2),
    E.requested(3),
    E.assigned(4),
    E.pickedUp(5),
    E.deliveryStarted(6),
    E.jobDelivered(7),
    E.delivered(8),
  ];

  it("RETURN_REQUESTED then RETURNED with the refund; the return job apart from the delivery job", () => {
    const events = [
      ...delivered(),
      R.requested(9),
      E.requested(10, RETURN_JOB, "RETURN_PICKUP"),
      R.jobAssigned(11),
      R.jobDelivered(12),
      R.returned(13),
      E.refunded(14),
    ];
    const v = fold(events)!;
    expect(v).toMatchObject({
      purchaseStatus: "RETURNED",
      paymentStatus: "REFUNDED",
      // The delivery job keeps its data.
      consignmentId: JOB,
      consignmentStatus: "DELIVERED",
      driverName: "Kim Driver",
      eta: new Date("2026-03-01T11:00:00.000Z"),
      returnConsignmentId: RETURN_JOB,
      returnPickupStatus: "DELIVERED",
      updatedAt: min(14),
    });
  });

  it("any order gives the same row; a late DELIVERED never undoes the return", () => {
    const events = [...delivered(), R.requested(9), R.jobAssigned(11), R.jobDelivered(12), R.returned(13)];
    const expected = fold(events);
    expect(fold([...events].reverse())).toEqual(expected);
    expect(fold([events[0]!, R.returned(13), ...events.slice(1)])).toEqual(expected);
    expect(expected).toMatchObject({ purchaseStatus: "RETURNED", returnPickupStatus: "DELIVERED" });
    const returned = fold(events)!;
    expect(applyEvent(returned, E.delivered(8))).toBe(returned);
    expect(applyEvent(returned, R.requested(9))).toBe(returned);
  });
});

describe("canSeeView", () => {
  const v = applyEvent(null, E.paid(1))!;
  it("the buyer and staff see the row; others do not", () => {
    expect(canSeeView(v, { id: BUYER, role: "BUYER" })).toBe(true);
    expect(canSeeView(v, { id: "aaaaaaaa-0000-4000-8000-000000000000", role: "STAFF" })).toBe(true);
    expect(canSeeView(v, { id: "bbbbbbbb-0000-4000-8000-000000000000", role: "BUYER" })).toBe(false);
    expect(canSeeView(v, { id: DRIVER, role: "DRIVER" })).toBe(false);
  });
});
