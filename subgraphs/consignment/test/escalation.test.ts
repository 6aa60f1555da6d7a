import { DELIVERY_JOB } from "@junggo/runtime/testing";
import { describe, expect, it } from "vitest";
import { refusalOf } from "@junggo/runtime/testing";
import {
  accept,
  cancel,
  complete,
  escalate,
  isDispatchOverdue,
  MAX_ESCALATIONS,
  pickUp,
  requestDelivery,
  type Consignment,
} from "../src/domain/consignment.ts";

const T0 = new Date("2026-03-01T09:00:00.000Z");
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const TIMEOUT = 15 * 60_000;
const request = {
  id: "11111111-1111-4111-8111-111111111111",
  purchaseId: "22222222-2222-4222-8222-222222222222",
  vehicleId: "33333333-3333-4333-8333-333333333333",
  buyerId: "44444444-4444-4444-8444-444444444444",
};
const driver = { id: "55555555-5555-4555-8555-555555555555", name: "Kim Driver" };
const requested = () => requestDelivery(request, T0).consignment;

describe("dispatch escalation", () => {
  it("a new job starts with no escalation", () => {
    expect(requested()).toMatchObject({ escalatedAt: null, escalationCount: 0 });
  });

  it("is not overdue before the timeout, and overdue from the timeout on", () => {
    expect(isDispatchOverdue(requested(), TIMEOUT, at(14.99))).toBe(false);
    expect(isDispatchOverdue(requested(), TIMEOUT, at(15))).toBe(true);
  });

  it("REQUESTED → REQUESTED with the escalation recorded and ConsignmentEscalated for staff and the buyer", () => {
    const { consignment, event } = escalate(requested(), TIMEOUT, at(16));
    expect(consignment).toMatchObject({
      status: "REQUESTED",
      escalatedAt: at(16),
      escalationCount: 1,
      driverId: null,
    });
    expect(event).toEqual({
      type: "ConsignmentEscalated",
      payload: {
        ...DELIVERY_JOB,
        consignmentId: request.id,
        purchaseId: request.purchaseId,
        buyerId: request.buyerId,
        vehicleId: request.vehicleId,
        waitingSinceIso: T0.toISOString(),
        escalation: 1,
      },
    });
  });

  it("the next escalation waits another full timeout from the last one", () => {
    const once = escalate(requested(), TIMEOUT, at(16)).consignment;
    expect(isDispatchOverdue(once, TIMEOUT, at(30))).toBe(false);
    expect(refusalOf(() => escalate(once, TIMEOUT, at(30))).code).toBe("CONSIGNMENT_INVALID_STATE");
    const twice = escalate(once, TIMEOUT, at(31));
    expect(twice.consignment.escalationCount).toBe(2);
    expect(twice.event.payload).toMatchObject({ escalation: 2, waitingSinceIso: T0.toISOString() });
  });

  it(`stops after ${MAX_ESCALATIONS} escalations`, () => {
    let c: Consignment = requested();
    for (let i = 1; i <= MAX_ESCALATIONS; i++) c = escalate(c, TIMEOUT, at(16 * i)).consignment;
    expect(c.escalationCount).toBe(MAX_ESCALATIONS);
    expect(isDispatchOverdue(c, TIMEOUT, at(1000))).toBe(false);
    expect(refusalOf(() => escalate(c, TIMEOUT, at(1000))).code).toBe("CONSIGNMENT_ESCALATION_LIMIT");
  });

  it("a job a driver took, or one that ended, is never escalated", () => {
    const assigned = accept(requested(), driver, at(100), at(10)).consignment;
    const pickedUp = pickUp(assigned, driver.id, at(20)).consignment;
    const jobs = [
      assigned,
      pickedUp,
      complete(pickedUp, driver.id, at(30)).consignment,
      cancel(requested(), at(5)).consignment,
    ];
    for (const c of jobs) {
      expect(isDispatchOverdue(c, TIMEOUT, at(1000)), c.status).toBe(false);
      expect(refusalOf(() => escalate(c, TIMEOUT, at(1000))).code, c.status).toBe(
        "CONSIGNMENT_INVALID_STATE",
      );
    }
  });

  it("accepting an escalated job works as for any open job", () => {
    const escalated = escalate(requested(), TIMEOUT, at(16)).consignment;
    expect(accept(escalated, driver, at(120), at(20)).consignment).toMatchObject({
      status: "ASSIGNED",
      escalationCount: 1,
    });
  });
});
