// Every kind of driver job runs the same state machine; they differ in whose job it is (a purchase
// and its buyer, or a sell request and its seller) and in how they are called off.
import { describe, expect, it } from "vitest";
import type { ConsignmentKind, ConsignmentOwner } from "@junggo/events";
import { refusalOf } from "@junggo/runtime/testing";
import {
  accept,
  cancel,
  cancelledBeforeRequest,
  cancelSellerPickup,
  complete,
  escalate,
  isCancellable,
  pickUp,
  requestJob,
  type Consignment,
  type JobRequest,
} from "../src/domain/consignment.ts";
import { canSeeConsignment } from "../src/domain/visibility.ts";

const T0 = new Date("2026-12-03T09:00:00.000Z");
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const ids = {
  job: "11111111-1111-4111-8111-111111111111",
  purchase: "22222222-2222-4222-8222-222222222222",
  vehicle: "33333333-3333-4333-8333-333333333333",
  buyer: "44444444-4444-4444-8444-444444444444",
  driver: "55555555-5555-4555-8555-555555555555",
  sellRequest: "77777777-7777-4777-8777-777777777777",
  seller: "88888888-8888-4888-8888-888888888888",
  returnJob: "99999999-9999-4999-8999-999999999999",
};
const driver = { id: ids.driver, name: "Kim Driver" };

const purchaseJob = (kind: "DELIVERY" | "RETURN_PICKUP"): JobRequest => ({
  id: ids.job,
  kind,
  purchaseId: ids.purchase,
  buyerId: ids.buyer,
  vehicleId: ids.vehicle,
});
const sellerJob = (kind: "SELLER_PICKUP" | "SELLER_RETURN"): JobRequest => ({
  id: ids.job,
  kind,
  sellRequestId: ids.sellRequest,
  sellerId: ids.seller,
  vehicleId: ids.vehicle,
});
const REQUESTS: Record<ConsignmentKind, JobRequest> = {
  DELIVERY: purchaseJob("DELIVERY"),
  RETURN_PICKUP: purchaseJob("RETURN_PICKUP"),
  SELLER_PICKUP: sellerJob("SELLER_PICKUP"),
  SELLER_RETURN: sellerJob("SELLER_RETURN"),
};
const ownerFor = (kind: ConsignmentKind): ConsignmentOwner =>
  kind === "DELIVERY" || kind === "RETURN_PICKUP"
    ? { kind, purchaseId: ids.purchase, buyerId: ids.buyer, sellRequestId: null, sellerId: null }
    : { kind, purchaseId: null, buyerId: null, sellRequestId: ids.sellRequest, sellerId: ids.seller };
const KINDS = Object.keys(REQUESTS) as ConsignmentKind[];

const requested = (kind: ConsignmentKind) => requestJob(REQUESTS[kind], T0).consignment;
const assigned = (kind: ConsignmentKind) => accept(requested(kind), driver, at(100), at(10)).consignment;
const pickedUp = (kind: ConsignmentKind) => pickUp(assigned(kind), ids.driver, at(20)).consignment;

describe.each(KINDS)("a %s job", (kind) => {
  it("opens REQUESTED with its owner's columns and announces them", () => {
    const { consignment, event } = requestJob(REQUESTS[kind], T0);
    expect(consignment).toMatchObject({
      ...ownerFor(kind),
      id: ids.job,
      vehicleId: ids.vehicle,
      status: "REQUESTED",
      requestedAt: T0,
      driverId: null,
    });
    expect(event).toEqual({
      type: "ConsignmentRequested",
      payload: { ...ownerFor(kind), consignmentId: ids.job, vehicleId: ids.vehicle },
    });
  });

  it("runs accept → pick up → deliver, every event naming the owner", () => {
    const a = accept(requested(kind), driver, at(100), at(10));
    const p = pickUp(a.consignment, ids.driver, at(20));
    const d = complete(p.consignment, ids.driver, at(80));
    expect(d.consignment).toMatchObject({ ...ownerFor(kind), status: "DELIVERED", deliveredAt: at(80) });
    for (const { event } of [a, p, d]) expect(event.payload).toMatchObject(ownerFor(kind));
    expect([a, p, d].map((t) => t.event.type)).toEqual([
      "ConsignmentAssigned",
      "ConsignmentPickedUp",
      "ConsignmentDelivered",
    ]);
  });

  it("is escalated when nobody takes it, telling whose job it is", () => {
    const { consignment, event } = escalate(requested(kind), 15 * 60_000, at(16));
    expect(consignment).toMatchObject({ status: "REQUESTED", escalationCount: 1 });
    expect(event.payload).toMatchObject({ ...ownerFor(kind), escalation: 1 });
  });
});

describe("cancellation rules per kind", () => {
  it("a DELIVERY on the road comes back to the lot", () => {
    const { consignment, event } = cancel(pickedUp("DELIVERY"), at(30));
    expect(consignment).toMatchObject({ status: "CANCELLED", returnToLot: true });
    expect(event.payload).toMatchObject({ previousStatus: "PICKED_UP", returnToLot: true });
  });

  it("a SELLER_PICKUP is cancelled from REQUESTED, ASSIGNED and PICKED_UP, never back to the lot", () => {
    for (const c of [requested("SELLER_PICKUP"), assigned("SELLER_PICKUP"), pickedUp("SELLER_PICKUP")]) {
      const { consignment, event } = cancel(c, at(30));
      expect(consignment).toMatchObject({ status: "CANCELLED", returnToLot: false, cancelledAt: at(30) });
      expect(event.payload).toMatchObject({
        ...ownerFor("SELLER_PICKUP"),
        previousStatus: c.status,
        returnToLot: false,
      });
    }
  });

  it("return jobs (RETURN_PICKUP, SELLER_RETURN) are never cancelled: the car has to come back", () => {
    for (const kind of ["RETURN_PICKUP", "SELLER_RETURN"] as const) {
      for (const c of [requested(kind), assigned(kind), pickedUp(kind)]) {
        expect(isCancellable(c)).toBe(false);
        expect(refusalOf(() => cancel(c, at(30)))).toMatchObject({
          code: "CONSIGNMENT_INVALID_STATE",
          message: "A return job cannot be cancelled: the car has to come back.",
        });
      }
    }
  });
});

describe("cancelSellerPickup", () => {
  it("before the pickup: the job is cancelled and nothing else happens", () => {
    for (const c of [requested("SELLER_PICKUP"), assigned("SELLER_PICKUP")]) {
      const { cancelled, sellerReturn } = cancelSellerPickup(c, ids.returnJob, at(30));
      expect(cancelled.consignment.status).toBe("CANCELLED");
      expect(sellerReturn).toBeNull();
    }
  });

  it("racing a pickup: the job is cancelled and a SELLER_RETURN takes the car back to its seller", () => {
    const { cancelled, sellerReturn } = cancelSellerPickup(pickedUp("SELLER_PICKUP"), ids.returnJob, at(30));
    expect(cancelled.consignment).toMatchObject({ status: "CANCELLED", returnToLot: false });
    expect(cancelled.event.payload).toMatchObject({ previousStatus: "PICKED_UP", returnToLot: false });
    expect(sellerReturn?.consignment).toMatchObject({
      ...ownerFor("SELLER_RETURN"),
      id: ids.returnJob,
      vehicleId: ids.vehicle,
      status: "REQUESTED",
      requestedAt: at(30),
      driverId: null,
    });
    expect(sellerReturn?.event).toEqual({
      type: "ConsignmentRequested",
      payload: { ...ownerFor("SELLER_RETURN"), consignmentId: ids.returnJob, vehicleId: ids.vehicle },
    });
  });

  it("refuses other kinds and finished jobs", () => {
    expect(refusalOf(() => cancelSellerPickup(requested("DELIVERY"), ids.returnJob, at(1))).code).toBe(
      "CONSIGNMENT_INVALID_STATE",
    );
    const delivered = complete(pickedUp("SELLER_PICKUP"), ids.driver, at(40)).consignment;
    expect(refusalOf(() => cancelSellerPickup(delivered, ids.returnJob, at(41))).code).toBe(
      "CONSIGNMENT_INVALID_STATE",
    );
  });
});

describe("tombstone of a sale cancelled before its pickup was requested", () => {
  it("is a CANCELLED SELLER_PICKUP that was never requested, announced with previousStatus NONE", () => {
    const t = cancelledBeforeRequest(sellerJob("SELLER_PICKUP"), at(3));
    expect(t.consignment).toMatchObject({
      ...ownerFor("SELLER_PICKUP"),
      status: "CANCELLED",
      requestedAt: null,
      cancelledAt: at(3),
      returnToLot: false,
    });
    expect(t.event).toEqual({
      type: "ConsignmentCancelled",
      payload: {
        ...ownerFor("SELLER_PICKUP"),
        consignmentId: ids.job,
        vehicleId: ids.vehicle,
        previousStatus: "NONE",
        returnToLot: false,
      },
    });
  });
});

describe("who sees a seller's job", () => {
  const job = (status: Consignment["status"]) => ({ ...assigned("SELLER_PICKUP"), status });
  it("its seller, its driver and staff; any driver while open; nobody else", () => {
    expect(canSeeConsignment(job("ASSIGNED"), { id: ids.seller, role: "SELLER" })).toBe(true);
    expect(canSeeConsignment(job("DELIVERED"), { id: ids.driver, role: "DRIVER" })).toBe(true);
    expect(canSeeConsignment(job("ASSIGNED"), { id: ids.buyer, role: "STAFF" })).toBe(true);
    expect(canSeeConsignment(requested("SELLER_PICKUP"), { id: ids.buyer, role: "DRIVER" })).toBe(true);
    expect(canSeeConsignment(job("ASSIGNED"), { id: ids.buyer, role: "DRIVER" })).toBe(false);
    expect(canSeeConsignment(job("ASSIGNED"), { id: ids.buyer, role: "SELLER" })).toBe(false);
    expect(canSeeConsignment(job("ASSIGNED"), { id: ids.buyer, role: "BUYER" })).toBe(false);
    expect(canSeeConsignment(requested("SELLER_PICKUP"), { id: ids.buyer, role: "BUYER" })).toBe(false);
  });

  it("a buyer sees the return pickup of their purchase", () => {
    expect(canSeeConsignment(assigned("RETURN_PICKUP"), { id: ids.buyer, role: "BUYER" })).toBe(true);
    expect(canSeeConsignment(assigned("RETURN_PICKUP"), { id: ids.seller, role: "SELLER" })).toBe(false);
  });
});
