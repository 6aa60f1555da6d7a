import { DELIVERY_JOB } from "@junggo/runtime/testing";
import { describe, expect, it } from "vitest";
import { refusalOf } from "@junggo/runtime/testing";
import {
  accept,
  asOfEvent,
  cancel,
  cancelledBeforeRequest,
  complete,
  isCancellable,
  pickUp,
  requestDelivery,
  type Consignment,
  type ConsignmentStatus,
  type JobEvent,
} from "../src/domain/consignment.ts";

const T0 = new Date("2026-03-01T09:00:00.000Z");
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const ids = {
  consignment: "11111111-1111-4111-8111-111111111111",
  purchase: "22222222-2222-4222-8222-222222222222",
  vehicle: "33333333-3333-4333-8333-333333333333",
  buyer: "44444444-4444-4444-8444-444444444444",
  driver: "55555555-5555-4555-8555-555555555555",
  otherDriver: "66666666-6666-4666-8666-666666666666",
};
const driver = { id: ids.driver, name: "Kim Driver" };
const request = { id: ids.consignment, purchaseId: ids.purchase, vehicleId: ids.vehicle, buyerId: ids.buyer };

const requested = () => requestDelivery(request, T0).consignment;
const assigned = () => accept(requested(), driver, at(100), at(10)).consignment;
const pickedUp = () => pickUp(assigned(), ids.driver, at(20)).consignment;
const delivered = () => complete(pickedUp(), ids.driver, at(90)).consignment;
const cancelledJob = () => cancel(requested(), at(5)).consignment;
const inState: Record<ConsignmentStatus, () => Consignment> = {
  REQUESTED: requested,
  ASSIGNED: assigned,
  PICKED_UP: pickedUp,
  DELIVERED: delivered,
  CANCELLED: cancelledJob,
};

describe("requestDelivery", () => {
  it("opens a REQUESTED delivery job with no driver and emits ConsignmentRequested", () => {
    const { consignment, event } = requestDelivery(request, T0);
    expect(consignment).toMatchObject({
      ...request,
      kind: "DELIVERY",
      status: "REQUESTED",
      driverId: null,
      driverName: null,
      eta: null,
      returnToLot: false,
      requestedAt: T0,
      assignedAt: null,
      version: 0,
    });
    expect(event).toEqual({
      type: "ConsignmentRequested",
      payload: {
        ...DELIVERY_JOB,
        consignmentId: ids.consignment,
        purchaseId: ids.purchase,
        vehicleId: ids.vehicle,
        buyerId: ids.buyer,
        kind: "DELIVERY",
      },
    });
  });

  it("a tombstone for a purchase cancelled before its job was requested is CANCELLED and never requested", () => {
    const t = cancelledBeforeRequest(request, at(3));
    expect(t.consignment).toMatchObject({
      status: "CANCELLED",
      requestedAt: null,
      cancelledAt: at(3),
      purchaseId: ids.purchase,
      kind: "DELIVERY",
      returnToLot: false,
    });
    expect(t.event).toEqual({
      type: "ConsignmentCancelled",
      payload: {
        ...DELIVERY_JOB,
        consignmentId: t.consignment.id,
        purchaseId: ids.purchase,
        vehicleId: request.vehicleId,
        buyerId: request.buyerId,
        previousStatus: "NONE",
        returnToLot: false,
      },
    });
  });
});

describe("accept", () => {
  it("REQUESTED → ASSIGNED with the driver, the ETA and ConsignmentAssigned", () => {
    const { consignment, event } = accept(requested(), driver, at(100), at(10));
    expect(consignment).toMatchObject({
      status: "ASSIGNED",
      driverId: ids.driver,
      driverName: "Kim Driver",
      eta: at(100),
      assignedAt: at(10),
    });
    expect(event).toEqual({
      type: "ConsignmentAssigned",
      payload: {
        ...DELIVERY_JOB,
        consignmentId: ids.consignment,
        purchaseId: ids.purchase,
        buyerId: ids.buyer,
        vehicleId: ids.vehicle,
        driverId: ids.driver,
        driverName: "Kim Driver",
        eta: at(100).toISOString(),
      },
    });
  });

  it("does not change the state it was given", () => {
    const before = requested();
    accept(before, driver, at(100), at(10));
    expect(before.status).toBe("REQUESTED");
    expect(before.driverId).toBeNull();
  });

  it.each(["ASSIGNED", "PICKED_UP", "DELIVERED", "CANCELLED"] as const)(
    "is refused with CONSIGNMENT_NOT_OPEN when %s",
    (status) => {
      const r = refusalOf(() =>
        accept(inState[status](), { id: ids.otherDriver, name: "Lee" }, at(200), at(30)),
      );
      expect(r.code).toBe("CONSIGNMENT_NOT_OPEN");
      expect(r.message).toMatch(/not open/);
    },
  );

  it("refuses an ETA earlier than the acceptance", () => {
    expect(refusalOf(() => accept(requested(), driver, at(9), at(10))).code).toBe("CONSIGNMENT_INVALID_ETA");
  });
});

describe("pickUp", () => {
  it("ASSIGNED → PICKED_UP by the assigned driver, with ConsignmentPickedUp", () => {
    const { consignment, event } = pickUp(assigned(), ids.driver, at(20));
    expect(consignment).toMatchObject({ status: "PICKED_UP", pickedUpAt: at(20), driverId: ids.driver });
    expect(event).toEqual({
      type: "ConsignmentPickedUp",
      payload: {
        ...DELIVERY_JOB,
        consignmentId: ids.consignment,
        purchaseId: ids.purchase,
        vehicleId: ids.vehicle,
        buyerId: ids.buyer,
        driverId: ids.driver,
      },
    });
  });

  it("is FORBIDDEN for a driver who is not assigned", () => {
    expect(refusalOf(() => pickUp(assigned(), ids.otherDriver, at(20))).code).toBe("FORBIDDEN");
  });

  it("is refused on a job nobody accepted yet", () => {
    const r = refusalOf(() => pickUp(requested(), ids.driver, at(20)));
    expect(r).toEqual({
      code: "CONSIGNMENT_INVALID_STATE",
      message: expect.stringMatching(/not been accepted/),
    });
  });

  it.each(["PICKED_UP", "DELIVERED"] as const)(
    "is refused with CONSIGNMENT_INVALID_STATE when %s",
    (status) => {
      expect(refusalOf(() => pickUp(inState[status](), ids.driver, at(95))).code).toBe(
        "CONSIGNMENT_INVALID_STATE",
      );
    },
  );

  it("is refused when the job was cancelled after acceptance", () => {
    const c = cancel(assigned(), at(15)).consignment;
    expect(refusalOf(() => pickUp(c, ids.driver, at(20)))).toEqual({
      code: "CONSIGNMENT_INVALID_STATE",
      message: expect.stringMatching(/cancelled/),
    });
  });

  it("another driver gets FORBIDDEN, not a state error, on a job that is not theirs", () => {
    expect(refusalOf(() => pickUp(delivered(), ids.otherDriver, at(95))).code).toBe("FORBIDDEN");
  });
});

describe("complete", () => {
  it("PICKED_UP → DELIVERED by the assigned driver, with ConsignmentDelivered", () => {
    const { consignment, event } = complete(pickedUp(), ids.driver, at(90));
    expect(consignment).toMatchObject({ status: "DELIVERED", deliveredAt: at(90) });
    expect(event).toEqual({
      type: "ConsignmentDelivered",
      payload: {
        ...DELIVERY_JOB,
        consignmentId: ids.consignment,
        purchaseId: ids.purchase,
        vehicleId: ids.vehicle,
        buyerId: ids.buyer,
        driverId: ids.driver,
      },
    });
  });

  it("is FORBIDDEN for a driver who is not assigned", () => {
    expect(refusalOf(() => complete(pickedUp(), ids.otherDriver, at(90))).code).toBe("FORBIDDEN");
  });

  it("is refused before pick-up with a clear message", () => {
    expect(refusalOf(() => complete(assigned(), ids.driver, at(90)))).toEqual({
      code: "CONSIGNMENT_INVALID_STATE",
      message: expect.stringMatching(/before the car has been picked up/),
    });
  });

  it.each(["REQUESTED", "DELIVERED"] as const)(
    "is refused with CONSIGNMENT_INVALID_STATE when %s",
    (status) => {
      expect(refusalOf(() => complete(inState[status](), ids.driver, at(95))).code).toBe(
        "CONSIGNMENT_INVALID_STATE",
      );
    },
  );

  it("is refused when the job was cancelled on the road", () => {
    const c = cancel(pickedUp(), at(30)).consignment;
    expect(refusalOf(() => complete(c, ids.driver, at(90))).code).toBe("CONSIGNMENT_INVALID_STATE");
  });
});

describe("cancel", () => {
  it.each([
    ["REQUESTED", false],
    ["ASSIGNED", false],
    ["PICKED_UP", true],
  ] as const)("%s → CANCELLED (returnToLot %s) with ConsignmentCancelled", (status, returnToLot) => {
    const before = inState[status]();
    const { consignment, event } = cancel(before, at(50));
    expect(consignment).toMatchObject({ status: "CANCELLED", returnToLot, cancelledAt: at(50) });
    expect(event).toEqual({
      type: "ConsignmentCancelled",
      payload: {
        ...DELIVERY_JOB,
        consignmentId: ids.consignment,
        purchaseId: ids.purchase,
        vehicleId: ids.vehicle,
        buyerId: ids.buyer,
        previousStatus: status,
        returnToLot,
      },
    });
  });

  it.each(["DELIVERED", "CANCELLED"] as const)("is refused when %s", (status) => {
    expect(isCancellable(inState[status]())).toBe(false);
    expect(refusalOf(() => cancel(inState[status](), at(120))).code).toBe("CONSIGNMENT_INVALID_STATE");
  });

  it("isCancellable is true exactly for REQUESTED, ASSIGNED and PICKED_UP", () => {
    expect((Object.keys(inState) as ConsignmentStatus[]).filter((s) => isCancellable(inState[s]()))).toEqual([
      "REQUESTED",
      "ASSIGNED",
      "PICKED_UP",
    ]);
  });
});

describe("asOfEvent (what a live update shows)", () => {
  it("gives back the job exactly as each step's event left it, read after later steps", () => {
    const steps: { consignment: Consignment; event: JobEvent }[] = [requestDelivery(request, T0)];
    steps.push(accept(steps.at(-1)!.consignment, driver, at(100), at(10)));
    steps.push(pickUp(steps.at(-1)!.consignment, ids.driver, at(20)));
    steps.push(complete(steps.at(-1)!.consignment, ids.driver, at(90)));
    const current = steps.at(-1)!.consignment;
    for (const step of steps) expect(asOfEvent(current, step.event)).toEqual(step.consignment);
  });

  it("shows a picked-up job that was cancelled afterwards as PICKED_UP, then CANCELLED", () => {
    const picked = pickUp(assigned(), ids.driver, at(20));
    const cancelled = cancel(picked.consignment, at(30));
    expect(asOfEvent(cancelled.consignment, picked.event)).toEqual(picked.consignment);
    expect(asOfEvent(cancelled.consignment, cancelled.event)).toEqual(cancelled.consignment);
  });
});
