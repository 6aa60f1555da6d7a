import { DELIVERY_JOB } from "@junggo/runtime/testing";
import { describe, expect, it } from "vitest";
import { newEvent, type EventPayloads } from "@junggo/events";
import {
  audienceOf,
  isNotifying,
  NOTIFYING_EVENTS,
  vehicleName,
  waitingMinutes,
  type Facts,
  type NotifyingEnvelope,
  type NotifyingEvent,
} from "../src/domain/audience.ts";

const ids = {
  purchase: "22222222-2222-4222-8222-222222222222",
  vehicle: "33333333-3333-4333-8333-333333333333",
  buyer: "44444444-4444-4444-8444-444444444444",
  driver: "55555555-5555-4555-8555-555555555555",
  consignment: "11111111-1111-4111-8111-111111111111",
  payment: "77777777-7777-4777-8777-777777777777",
  staff1: "88888888-8888-4888-8888-888888888888",
  staff2: "99999999-9999-4999-8999-999999999999",
  seller: "66666666-6666-4666-8666-666666666666",
  sellRequest: "abcdef12-2222-4222-8222-222222222222",
  payout: "12121212-1212-4212-8212-121212121212",
};
const V = "2019 Hyundai Avante";
const facts: Facts = {
  vehicleName: V,
  driver: { id: ids.driver, name: "Jung Hyunwoo" },
  staffIds: [ids.staff1, ids.staff2],
};
const common = { purchaseId: ids.purchase, buyerId: ids.buyer };
const job = { ...common, ...DELIVERY_JOB, consignmentId: ids.consignment, vehicleId: ids.vehicle };
const sale = { sellRequestId: ids.sellRequest, sellerId: ids.seller };
/** The same job as `job`, of another kind (a return pickup is the buyer's, seller jobs the seller's). */
const jobOf = (kind: "RETURN_PICKUP" | "SELLER_PICKUP" | "SELLER_RETURN") =>
  kind === "RETURN_PICKUP" ? { ...job, kind } : { ...job, kind, purchaseId: null, buyerId: null, ...sale };
const jobEvent = <
  T extends
    | "ConsignmentAssigned"
    | "ConsignmentPickedUp"
    | "ConsignmentDelivered"
    | "ConsignmentCancelled"
    | "ConsignmentEscalated",
>(
  type: T,
  kind: "RETURN_PICKUP" | "SELLER_PICKUP" | "SELLER_RETURN",
) => event(type, { ...payloads[type], ...jobOf(kind) } as EventPayloads[T]);

const payloads: Pick<EventPayloads, NotifyingEvent> = {
  PurchasePaid: {
    ...common,
    vehicleId: ids.vehicle,
    buyerName: "Kim",
    priceKrw: 18_900_000,
    paymentId: ids.payment,
    vehicle: { make: "Hyundai", model: "Avante", year: 2019 },
  },
  PurchaseDeliveryStarted: { ...common, vehicleId: ids.vehicle },
  PurchaseDelivered: { ...common, vehicleId: ids.vehicle },
  PurchaseCancelled: { ...common, vehicleId: ids.vehicle, reason: "changed my mind", previousStatus: "PAID" },
  PaymentApproved: { ...common, paymentId: ids.payment, amountKrw: 18_900_000 },
  PaymentRefunded: { ...common, paymentId: ids.payment, amountKrw: 18_900_000 },
  ConsignmentAssigned: {
    ...job,
    driverId: ids.driver,
    driverName: "Jung Hyunwoo",
    eta: "2026-03-01T09:45:00.000Z",
  },
  ConsignmentPickedUp: { ...job, driverId: ids.driver },
  ConsignmentDelivered: { ...job, driverId: ids.driver },
  ConsignmentCancelled: { ...job, previousStatus: "ASSIGNED", returnToLot: false },
  ConsignmentEscalated: { ...job, waitingSinceIso: "2026-03-01T09:00:00.000Z", escalation: 1 },
  PurchaseReturnRequested: {
    ...common,
    vehicleId: ids.vehicle,
    reason: "engine noise",
    paymentId: ids.payment,
    priceKrw: 18_900_000,
  },
  PurchaseReturned: { ...common, vehicleId: ids.vehicle, paymentId: ids.payment, amountKrw: 18_900_000 },
  PayoutReversed: { ...sale, payoutId: ids.payout, amountKrw: 12_400_000 },
  SellRequestSubmitted: {
    ...sale,
    quoteId: ids.payout,
    offerKrw: 12_400_000,
    vehicle: { vin: "KMHD341CBKU000001", make: "Hyundai", model: "Avante", year: 2019, mileageKm: 52_000 },
  },
  SellRequestAccepted: {
    ...sale,
    offerKrw: 12_400_000,
    vehicleId: ids.vehicle,
    listPriceKrw: 14_100_000,
    vin: "KMHD341CBKU000001",
    make: "Hyundai",
    model: "Avante",
    year: 2019,
    mileageKm: 52_000,
    vehicleName: V,
    decidedBy: ids.staff1,
  },
  SellRequestRejected: { ...sale, reason: "salvage title", decidedBy: ids.staff1 },
  SellRequestPickedUp: { ...sale, consignmentId: ids.consignment },
  SellRequestInspectionStarted: { ...sale, vehicleId: ids.vehicle },
  SellRequestListed: { ...sale, vehicleId: ids.vehicle },
  SellRequestCancelled: {
    ...sale,
    reason: null,
    previousStatus: "LISTED",
    reversePayout: true,
    cancelPickup: false,
    returnVehicleId: ids.vehicle,
  },
};
const event = <T extends NotifyingEvent>(
  type: T,
  payload: EventPayloads[T] = payloads[type] as EventPayloads[T],
) =>
  newEvent(type, payload, {
    producer: "test",
    now: new Date("2026-03-01T09:16:00.000Z"),
  }) as NotifyingEnvelope;
const who = (e: NotifyingEnvelope, f: Facts = facts) => audienceOf(e, f).map((a) => [a.recipientId, a.kind]);

describe("who is concerned by each event", () => {
  it("the buyer hears about every status change of their purchase, payment and delivery", () => {
    const expected: Partial<Record<NotifyingEvent, string>> = {
      PurchasePaid: "PURCHASE_PAID",
      PurchaseDeliveryStarted: "PURCHASE_DELIVERY_STARTED",
      PurchaseDelivered: "PURCHASE_DELIVERED",
      PurchaseCancelled: "PURCHASE_CANCELLED",
      PaymentApproved: "PAYMENT_APPROVED",
      PaymentRefunded: "PAYMENT_REFUNDED",
      ConsignmentPickedUp: "CONSIGNMENT_PICKED_UP",
      ConsignmentDelivered: "CONSIGNMENT_DELIVERED",
    };
    for (const [type, kind] of Object.entries(expected)) {
      expect(who(event(type as NotifyingEvent)), type).toEqual([[ids.buyer, kind]]);
    }
  });

  it("ConsignmentAssigned: the buyer gets the driver's name and ETA, the driver a confirmation", () => {
    const a = audienceOf(event("ConsignmentAssigned"), facts);
    expect(a).toEqual([
      {
        recipientId: ids.buyer,
        kind: "CONSIGNMENT_ASSIGNED",
        params: { vehicle: V, driverName: "Jung Hyunwoo", etaIso: "2026-03-01T09:45:00.000Z" },
      },
      {
        recipientId: ids.driver,
        kind: "CONSIGNMENT_ASSIGNED_DRIVER",
        params: { vehicle: V, etaIso: "2026-03-01T09:45:00.000Z" },
      },
    ]);
  });

  it("ConsignmentCancelled: the buyer, and the driver of an accepted job (told whether to bring the car back)", () => {
    expect(who(event("ConsignmentCancelled"))).toEqual([
      [ids.buyer, "CONSIGNMENT_CANCELLED"],
      [ids.driver, "CONSIGNMENT_CANCELLED_DRIVER"],
    ]);
    const onTheRoad = audienceOf(
      event("ConsignmentCancelled", {
        ...payloads.ConsignmentCancelled,
        previousStatus: "PICKED_UP",
        returnToLot: true,
      }),
      facts,
    );
    expect(onTheRoad.map((a) => a.params)).toEqual([
      { vehicle: V, returnToLot: true },
      { vehicle: V, returnToLot: true },
    ]);
    // Nobody had accepted it: no driver to tell.
    expect(
      who(event("ConsignmentCancelled", { ...payloads.ConsignmentCancelled, previousStatus: "REQUESTED" }), {
        ...facts,
        driver: null,
      }),
    ).toEqual([[ids.buyer, "CONSIGNMENT_CANCELLED"]]);
  });

  it("ConsignmentPickedUp names the driver who accepted the job, and nobody else", () => {
    expect(audienceOf(event("ConsignmentPickedUp"), facts)[0]!.params).toEqual({
      vehicle: V,
      driverName: "Jung Hyunwoo",
    });
    expect(
      audienceOf(event("ConsignmentPickedUp"), {
        ...facts,
        driver: { id: ids.staff1, name: "Someone else" },
      })[0]!.params,
    ).toEqual({ vehicle: V, driverName: null });
  });

  it("ConsignmentEscalated: the buyer and every staff member, with how long the job has waited", () => {
    const a = audienceOf(event("ConsignmentEscalated"), facts);
    expect(a.map((x) => [x.recipientId, x.kind])).toEqual([
      [ids.buyer, "CONSIGNMENT_ESCALATED"],
      [ids.staff1, "CONSIGNMENT_ESCALATED_STAFF"],
      [ids.staff2, "CONSIGNMENT_ESCALATED_STAFF"],
    ]);
    expect(a[1]!.params).toEqual({ vehicle: V, purchaseId: ids.purchase, waitingMinutes: 16, escalation: 1 });
  });

  it("one person in two roles of one event is notified once", () => {
    const selfDelivery = { ...payloads.ConsignmentAssigned, driverId: ids.buyer };
    expect(who(event("ConsignmentAssigned", selfDelivery))).toEqual([[ids.buyer, "CONSIGNMENT_ASSIGNED"]]);
    expect(
      who(event("ConsignmentEscalated"), { ...facts, staffIds: [ids.staff1, ids.staff1] }).map(([id]) => id),
    ).toEqual([ids.buyer, ids.staff1]);
  });

  it("uses the car's name from the purchase projection, or none", () => {
    for (const type of NOTIFYING_EVENTS) {
      for (const a of audienceOf(event(type), { ...facts, vehicleName: null }))
        expect((a.params as { vehicle: unknown }).vehicle, type).toBeNull();
    }
  });
});

describe("returns and the seller side", () => {
  it("the buyer hears about every return step; the seller about every sell-request step", () => {
    const expected: Partial<Record<NotifyingEvent, [string, string]>> = {
      PurchaseReturnRequested: [ids.buyer, "PURCHASE_RETURN_REQUESTED"],
      PurchaseReturned: [ids.buyer, "PURCHASE_RETURNED"],
      SellRequestAccepted: [ids.seller, "SELL_REQUEST_ACCEPTED"],
      SellRequestRejected: [ids.seller, "SELL_REQUEST_REJECTED"],
      SellRequestPickedUp: [ids.seller, "SELL_REQUEST_PICKED_UP"],
      SellRequestInspectionStarted: [ids.seller, "SELL_REQUEST_IN_INSPECTION"],
      SellRequestListed: [ids.seller, "SELL_REQUEST_LISTED"],
      SellRequestCancelled: [ids.seller, "SELL_REQUEST_CANCELLED"],
      PayoutReversed: [ids.seller, "PAYOUT_REVERSED"],
    };
    for (const [type, to] of Object.entries(expected))
      expect(who(event(type as NotifyingEvent)), type).toEqual([to]);
  });

  it("carries the amount, the reason and the compensations into the messages", () => {
    const params = (type: NotifyingEvent) => audienceOf(event(type), facts)[0]!.params;
    expect(params("SellRequestAccepted")).toEqual({ vehicle: V, offerKrw: 12_400_000 });
    expect(params("SellRequestRejected")).toEqual({ vehicle: V, reason: "salvage title" });
    expect(params("SellRequestCancelled")).toEqual({
      vehicle: V,
      reason: null,
      reversePayout: true,
      returnCar: true,
    });
    expect(
      audienceOf(
        event("SellRequestCancelled", {
          ...payloads.SellRequestCancelled,
          previousStatus: "PENDING",
          reversePayout: false,
          returnVehicleId: null,
        }),
        facts,
      )[0]!.params,
    ).toMatchObject({ reversePayout: false, returnCar: false });
    expect(params("PayoutReversed")).toEqual({ vehicle: V, amountKrw: 12_400_000 });
    expect(params("PurchaseReturned")).toEqual({ vehicle: V, amountKrw: 18_900_000 });
  });

  it("SellRequestSubmitted: every staff member, with the offer; not the seller", () => {
    const a = audienceOf(event("SellRequestSubmitted"), facts);
    expect(a).toEqual(
      [ids.staff1, ids.staff2].map((recipientId) => ({
        recipientId,
        kind: "SELL_REQUEST_SUBMITTED_STAFF",
        params: { vehicle: V, offerKrw: 12_400_000, sellRequestId: ids.sellRequest },
      })),
    );
    expect(audienceOf(event("SellRequestSubmitted"), { ...facts, staffIds: [] })).toEqual([]);
  });

  it("driver assignment of every kind of job: the customer gets the driver and ETA, the driver a confirmation", () => {
    const eta = "2026-03-01T09:45:00.000Z";
    for (const [kind, customer, message] of [
      ["RETURN_PICKUP", ids.buyer, "RETURN_PICKUP_ASSIGNED"],
      ["SELLER_PICKUP", ids.seller, "SELLER_PICKUP_ASSIGNED"],
      ["SELLER_RETURN", ids.seller, "SELLER_RETURN_ASSIGNED"],
    ] as const) {
      expect(audienceOf(jobEvent("ConsignmentAssigned", kind), facts), kind).toEqual([
        {
          recipientId: customer,
          kind: message,
          params: { vehicle: V, driverName: "Jung Hyunwoo", etaIso: eta },
        },
        {
          recipientId: ids.driver,
          kind: "JOB_ASSIGNED_DRIVER",
          params: { vehicle: V, job: kind, etaIso: eta },
        },
      ]);
    }
  });

  it("the other job steps: return pickup departs, a car handed back to its seller; the rest said by the saga's own events", () => {
    expect(who(jobEvent("ConsignmentPickedUp", "RETURN_PICKUP"))).toEqual([[ids.buyer, "RETURN_PICKED_UP"]]);
    expect(who(jobEvent("ConsignmentPickedUp", "SELLER_PICKUP"))).toEqual([]); // SellRequestPickedUp says it
    expect(who(jobEvent("ConsignmentPickedUp", "SELLER_RETURN"))).toEqual([]);
    expect(who(jobEvent("ConsignmentDelivered", "SELLER_RETURN"))).toEqual([
      [ids.seller, "SELLER_RETURN_DELIVERED"],
    ]);
    expect(who(jobEvent("ConsignmentDelivered", "SELLER_PICKUP"))).toEqual([]); // SellRequestInspectionStarted
    expect(who(jobEvent("ConsignmentDelivered", "RETURN_PICKUP"))).toEqual([]); // PurchaseReturned
  });

  it("a cancelled seller job tells the driver who had accepted it (the seller hears it from SellRequestCancelled)", () => {
    expect(audienceOf(jobEvent("ConsignmentCancelled", "SELLER_PICKUP"), facts)).toEqual([
      {
        recipientId: ids.driver,
        kind: "JOB_CANCELLED_DRIVER",
        params: { vehicle: V, job: "SELLER_PICKUP", returnToLot: false },
      },
    ]);
    expect(who(jobEvent("ConsignmentCancelled", "SELLER_PICKUP"), { ...facts, driver: null })).toEqual([]);
  });

  it("an escalated seller job: the seller and every staff member, naming the sell request", () => {
    const a = audienceOf(jobEvent("ConsignmentEscalated", "SELLER_PICKUP"), facts);
    expect(a.map((x) => [x.recipientId, x.kind])).toEqual([
      [ids.seller, "JOB_ESCALATED"],
      [ids.staff1, "JOB_ESCALATED_STAFF"],
      [ids.staff2, "JOB_ESCALATED_STAFF"],
    ]);
    expect(a[1]!.params).toEqual({
      vehicle: V,
      job: "SELLER_PICKUP",
      ownerId: ids.sellRequest,
      waitingMinutes: 16,
      escalation: 1,
    });
  });

  it("notifies about events naming a purchase or a sell request, nothing else", () => {
    expect(isNotifying(event("SellRequestListed"))).toBe(true);
    expect(isNotifying(jobEvent("ConsignmentAssigned", "SELLER_RETURN"))).toBe(true);
    expect(
      isNotifying(
        newEvent("VehicleSold", { vehicleId: ids.vehicle, purchaseId: ids.purchase }, { producer: "t" }),
      ),
    ).toBe(false);
    const orphan = { ...job, purchaseId: null, buyerId: null, sellRequestId: null, sellerId: null };
    expect(isNotifying(event("ConsignmentDelivered", { ...orphan, driverId: ids.driver }))).toBe(false);
  });
});

describe("helpers", () => {
  it("names a car by year, make and model", () => {
    expect(vehicleName({ make: "Kia", model: "K5", year: 2021 })).toBe("2021 Kia K5");
  });
  it("counts waiting minutes, at least one", () => {
    expect(waitingMinutes("2026-03-01T09:00:00.000Z", "2026-03-01T09:16:20.000Z")).toBe(16);
    expect(waitingMinutes("2026-03-01T09:00:00.000Z", "2026-03-01T09:00:02.000Z")).toBe(1);
  });
});
