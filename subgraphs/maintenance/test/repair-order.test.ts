import { refusalOf } from "@junggo/runtime/testing";
import { describe, expect, it } from "vitest";
import { complete, open } from "../src/domain/repair-order.ts";

const now = new Date("2026-12-03T10:00:00Z");
const base = {
  id: "r1",
  kind: "REPAIR" as const,
  vehicleId: "v1",
  vehicleStatus: "AVAILABLE",
  description: " Brakes ",
  now,
};
const code = (f: () => unknown) => refusalOf(f).code;

describe("repair order", () => {
  it("opens on an AVAILABLE car and completes with notes", () => {
    const o = open(base);
    expect(o.repairOrder).toMatchObject({ status: "OPEN", description: "Brakes", completedAt: null });
    expect(o.event).toMatchObject({
      type: "RepairOrderOpened",
      payload: { vehicleId: "v1", kind: "REPAIR" },
    });
    const c = complete(o.repairOrder, " pads replaced ", now);
    expect(c.repairOrder).toMatchObject({ status: "COMPLETED", notes: "pads replaced", completedAt: now });
    expect(c.event.type).toBe("RepairOrderCompleted");
  });

  it("refuses a car held by a buyer or already in the workshop: VEHICLE_NOT_AVAILABLE", () => {
    for (const vehicleStatus of ["RESERVED", "SOLD", "IN_REPAIR"])
      expect(code(() => open({ ...base, vehicleStatus }))).toBe("VEHICLE_NOT_AVAILABLE");
  });

  it("opens the inspection of a car bought from a seller while it is IN_REPAIR", () => {
    const o = open({ ...base, kind: "INSPECTION", vehicleStatus: "IN_REPAIR", sellRequestId: "s1" });
    expect(o.event.payload).toMatchObject({ kind: "INSPECTION", sellRequestId: "s1" });
  });

  it("completes once (REPAIR_ORDER_NOT_OPEN) and validates text", () => {
    const done = complete(open(base).repairOrder, null, now).repairOrder;
    expect(code(() => complete(done, null, now))).toBe("REPAIR_ORDER_NOT_OPEN");
    expect(code(() => open({ ...base, description: " " }))).toBe("BAD_USER_INPUT");
    expect(code(() => complete(open(base).repairOrder, "x".repeat(2001), now))).toBe("BAD_USER_INPUT");
  });
});
