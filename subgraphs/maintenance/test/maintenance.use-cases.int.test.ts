import { randomUUID } from "node:crypto";
import { newEvent } from "@junggo/events";
import { migrationsDir } from "@junggo/prisma";
import { createLogger, sqlReader, type Viewer } from "@junggo/runtime";
import { openTestDatabase, refusalOfAsync, type TestDatabase } from "@junggo/runtime/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repairOrderRepository } from "../src/adapters/repair-order.repository.ts";
import { makeCompleteRepairOrder } from "../src/app/complete-repair-order.use-case.ts";
import { makeOpenInspection, makeOpenRepairOrder } from "../src/app/open-repair-order.use-case.ts";
import type { MaintenanceDeps, WorkshopHolds } from "../src/app/ports.ts";
import { makeRepairOrderQueries } from "../src/app/repair-order.query.ts";

// Maintenance's use cases on a real database with its migrations. The holds port stands for the
// purchase context's hold table (one holder per car); here a map with the same rule.
let testDb: TestDatabase;
let deps: MaintenanceDeps;
const held = new Map<string, string>(); // vehicleId -> holder
const buyerHolds = new Set<string>();
const holds: WorkshopHolds = {
  async take(vehicleId, repairOrderId) {
    if (buyerHolds.has(vehicleId)) return { taken: false, vehicleStatus: "RESERVED" };
    if (held.has(vehicleId) && held.get(vehicleId) !== repairOrderId)
      return { taken: false, vehicleStatus: "IN_REPAIR" };
    held.set(vehicleId, repairOrderId);
    return { taken: true };
  },
  async release(repairOrderId) {
    for (const [v, h] of held) if (h === repairOrderId) held.delete(v);
  },
};
const staff: Viewer = { id: randomUUID(), role: "STAFF", name: "Staff", email: "t@x" };
const buyer: Viewer = { id: randomUUID(), role: "BUYER", name: "Buyer", email: "b@x" };
const now = new Date("2026-12-03T10:00:00Z");

beforeAll(async () => {
  testDb = await openTestDatabase(migrationsDir("maintenance"));
  deps = {
    repo: repairOrderRepository,
    holds,
    transact: (fn) => testDb.db.transaction(fn),
    reader: sqlReader(testDb.db),
    clock: () => now,
    newId: randomUUID,
    log: createLogger("test"),
  };
}, 120_000);

afterAll(async () => {
  await testDb?.close();
});

const outboxTypes = async () =>
  ((await testDb.db.query(`SELECT type FROM messaging.outbox ORDER BY seq`, [])) as { type: string }[]).map(
    (r) => r.type,
  );

describe("maintenance use cases", () => {
  it("opens a repair on an available car, refuses a second one and a held car, completes once", async () => {
    const car = randomUUID();
    const order = await makeOpenRepairOrder(deps)(staff, car, " Brake pads ");
    expect(order).toMatchObject({
      kind: "REPAIR",
      status: "OPEN",
      description: "Brake pads",
      openedBy: staff.id,
    });
    expect(held.get(car)).toBe(order.id);
    expect((await refusalOfAsync(() => makeOpenRepairOrder(deps)(staff, car, "again"))).code).toBe(
      "VEHICLE_NOT_AVAILABLE",
    );
    const reserved = randomUUID();
    buyerHolds.add(reserved);
    expect(await refusalOfAsync(() => makeOpenRepairOrder(deps)(staff, reserved, "x"))).toMatchObject({
      code: "VEHICLE_NOT_AVAILABLE",
      message: "This car is held by a buyer and cannot be sent to repair.",
    });
    const done = await makeCompleteRepairOrder(deps)(staff, order.id, "replaced");
    expect(done).toMatchObject({ status: "COMPLETED", notes: "replaced", completedAt: now });
    expect((await refusalOfAsync(() => makeCompleteRepairOrder(deps)(staff, order.id, null))).code).toBe(
      "REPAIR_ORDER_NOT_OPEN",
    );
    expect(await outboxTypes()).toEqual(["RepairOrderOpened", "RepairOrderCompleted"]);
  });

  it("a bad description holds nothing and writes nothing; staff only", async () => {
    const car = randomUUID();
    expect((await refusalOfAsync(() => makeOpenRepairOrder(deps)(staff, car, "   "))).code).toBe(
      "BAD_USER_INPUT",
    );
    expect(held.has(car)).toBe(false);
    expect((await refusalOfAsync(() => makeOpenRepairOrder(deps)(buyer, car, "x"))).code).toBe("FORBIDDEN");
    expect((await refusalOfAsync(() => makeRepairOrderQueries(deps).list(buyer, true))).code).toBe(
      "FORBIDDEN",
    );
  });

  it("opens the inspection of a car bought from a seller once, whatever the redeliveries", async () => {
    const car = randomUUID();
    const sellRequestId = randomUUID();
    const cause = newEvent(
      "SellRequestPickedUp",
      { sellRequestId, sellerId: randomUUID(), consignmentId: randomUUID() },
      { producer: "acquisition" },
    );
    const inspect = makeOpenInspection(deps);
    await testDb.db.transaction((tx) => inspect(tx, cause, car, sellRequestId));
    await testDb.db.transaction((tx) => inspect(tx, cause, car, sellRequestId));
    const open = await makeRepairOrderQueries(deps).list(staff, true);
    expect(open.filter((o) => o.sellRequestId === sellRequestId)).toMatchObject([
      { kind: "INSPECTION", vehicleId: car },
    ]);
    expect(
      (await makeRepairOrderQueries(deps).list(staff, false)).every((o) => o.status === "COMPLETED"),
    ).toBe(true);
  });
});
