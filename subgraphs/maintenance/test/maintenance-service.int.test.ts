import { randomUUID } from "node:crypto";
import { newEvent } from "@junggo/events";
import { createLogger, signServiceToken, sqlReader, type SqlTx, type Viewer } from "@junggo/runtime";
import { type ConsumerHarness, consumerHarness, refusalOfAsync, serveRoutes } from "@junggo/runtime/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// The other side of the contract: purchase's real holds API on its own database.
import { holdRoutes } from "../../purchase/src/adapters/holds.routes.ts";
import { makeVehicleHolds } from "../../purchase/src/app/hold-vehicle.use-case.ts";
import { type PurchaseHarness, purchaseHarness } from "../../purchase/test/support/purchase-harness.ts";
import { maintenanceHandlers } from "../src/adapters/event.handlers.ts";
import { PurchaseHoldsClient } from "../src/adapters/purchase-holds.client.ts";
import { repairOrderRepository } from "../src/adapters/repair-order.repository.ts";
import { WITHDRAWN_NOTE } from "../src/app/complete-repair-order.use-case.ts";
import { makeCompleteRepairOrder } from "../src/app/complete-repair-order.use-case.ts";
import { makeOpenRepairOrder } from "../src/app/open-repair-order.use-case.ts";
import type { MaintenanceDeps } from "../src/app/ports.ts";
import { makeRepairOrderQueries } from "../src/app/repair-order.query.ts";

// Maintenance as served: its consumers on its real database, and its WorkshopHolds client over
// real HTTP against purchase's real holds API (purchase's own database and event handlers).
const SECRET = "maintenance-test-secret-0123456789abcdef";
const log = createLogger("maintenance-test", {});
let maintenanceDb: ConsumerHarness<SqlTx, undefined>;
let purchaseDb: PurchaseHarness;
let purchase: { url: string; close(): Promise<void> };
let deps: MaintenanceDeps;
const staff: Viewer = { id: randomUUID(), role: "STAFF", name: "Staff", email: "s@junggo.test" };

beforeAll(async () => {
  purchaseDb = await purchaseHarness(log);
  purchase = await serveRoutes((app) =>
    holdRoutes(app, { holds: makeVehicleHolds(purchaseDb.deps), internalSecret: SECRET, log }),
  );
  maintenanceDb = await consumerHarness({
    context: "maintenance",
    handlers: ({ db }) => {
      deps = {
        repo: repairOrderRepository,
        holds: new PurchaseHoldsClient({
          url: purchase.url,
          timeoutMs: 5000,
          serviceToken: () => signServiceToken("maintenance", SECRET),
          log,
        }),
        transact: (fn) => db.transaction(fn),
        reader: sqlReader(db),
        clock: () => new Date(),
        newId: randomUUID,
        log,
      };
      return maintenanceHandlers(deps);
    },
  });
}, 180_000);
afterAll(async () => {
  await purchase?.close();
  await maintenanceDb?.close();
  await purchaseDb?.close();
});

/** A car purchase knows (stock's VehicleRegistered through purchase's own handler). */
async function carAtPurchase(extra: { status?: "AVAILABLE" | "IN_REPAIR"; sellRequestId?: string } = {}) {
  const vehicleId = randomUUID();
  const e = newEvent(
    "VehicleRegistered",
    {
      vehicleId,
      vin: "KMHL",
      make: "Hyundai",
      model: "Sonata",
      year: 2020,
      mileageKm: 50_000,
      priceKrw: 18_000_000,
      status: extra.status ?? "AVAILABLE",
      sellRequestId: extra.sellRequestId ?? null,
    },
    { producer: "stock" },
  );
  await purchaseDb.apply(e);
  return vehicleId;
}
const holdOf = async (vehicleId: string) => {
  const [r] = await purchaseDb.db.query<{ kind: string; holderId: string }>(
    `SELECT kind::text AS kind, "holderId" FROM "VehicleHold" WHERE "vehicleId" = $1::uuid`,
    [vehicleId],
  );
  return r ?? null;
};
const outbox = async (type: string) =>
  (
    await maintenanceDb.db.query<{ body: string }>(
      `SELECT body FROM messaging.outbox WHERE type = $1 ORDER BY seq`,
      [type],
    )
  ).map((r) => (JSON.parse(r.body) as { payload: Record<string, unknown> }).payload);

/** The handler alone (no inbox row): delivering an event twice tests the handler's own idempotency. */
async function deliver<T extends "VehicleRegistered" | "SellRequestCancelled">(
  e: ReturnType<typeof newEvent<T>>,
) {
  await maintenanceDb.apply(e);
}

describe("openRepairOrder / completeRepairOrder with purchase's holds", () => {
  it("holds an available car for its order at purchase; completing leaves the release to purchase's consumer", async () => {
    const car = await carAtPurchase();
    const order = await makeOpenRepairOrder(deps)(staff, car, "Timing belt");
    expect(await holdOf(car)).toEqual({ kind: "REPAIR", holderId: order.id });
    expect(await refusalOfAsync(() => makeOpenRepairOrder(deps)(staff, car, "again"))).toMatchObject({
      code: "VEHICLE_NOT_AVAILABLE",
      message: "This car is already in the workshop.",
    });
    const done = await makeCompleteRepairOrder(deps)(staff, order.id, "belt replaced");
    expect(done.status).toBe("COMPLETED");
    expect((await outbox("RepairOrderCompleted")).at(-1)).toMatchObject({
      repairOrderId: order.id,
      vehicleId: car,
      kind: "REPAIR",
      outcome: "DONE",
    });
  });

  it("refuses a car a buyer or the seller holds, and one purchase does not know", async () => {
    const car = await carAtPurchase();
    // The seller takes it back (acquisition's WITHDRAWAL) — nobody else may hold it then.
    const token = await signServiceToken("acquisition", SECRET);
    const res = await fetch(`${purchase.url}/internal/holds`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ vehicleId: car, kind: "WITHDRAWAL", holderId: randomUUID() }),
    });
    expect(res.status).toBe(200);
    expect(await refusalOfAsync(() => makeOpenRepairOrder(deps)(staff, car, "x"))).toMatchObject({
      code: "VEHICLE_NOT_AVAILABLE",
      message: "The seller is taking this car back; it cannot be sent to repair.",
    });
    expect((await refusalOfAsync(() => makeOpenRepairOrder(deps)(staff, randomUUID(), "x"))).code).toBe(
      "VEHICLE_NOT_FOUND",
    );
    expect((await makeRepairOrderQueries(deps).list(staff, true)).some((o) => o.vehicleId === car)).toBe(
      false,
    );
  });

  it("gives the hold back when the order cannot be written", async () => {
    const car = await carAtPurchase();
    const failing: MaintenanceDeps = {
      ...deps,
      repo: {
        ...repairOrderRepository,
        insertOpen: async () => {
          throw new Error("disk full");
        },
      },
    };
    await expect(makeOpenRepairOrder(failing)(staff, car, "Brakes")).rejects.toThrow("disk full");
    expect(await holdOf(car)).toBeNull();
    // The car can go to the workshop afterwards.
    expect((await makeOpenRepairOrder(deps)(staff, car, "Brakes")).status).toBe("OPEN");
  });

  it("answers SERVICE_UNAVAILABLE while purchase cannot be reached, and writes nothing", async () => {
    const down: MaintenanceDeps = {
      ...deps,
      holds: new PurchaseHoldsClient({
        url: "http://127.0.0.1:9",
        timeoutMs: 500,
        serviceToken: () => signServiceToken("maintenance", SECRET),
        log,
      }),
    };
    const car = randomUUID();
    expect((await refusalOfAsync(() => makeOpenRepairOrder(down)(staff, car, "x"))).code).toBe(
      "SERVICE_UNAVAILABLE",
    );
    expect((await makeRepairOrderQueries(deps).list(staff, undefined)).some((o) => o.vehicleId === car)).toBe(
      false,
    );
  });
});

describe("maintenance's consumers", () => {
  it("opens the INSPECTION of a car bought from a seller once under redelivery, no hold call", async () => {
    const sellRequestId = randomUUID();
    const vehicleId = randomUUID(); // purchase does not know it: the consumer must not call purchase
    const e = newEvent(
      "VehicleRegistered",
      {
        vehicleId,
        vin: "KNAH",
        make: "Kia",
        model: "Carnival",
        year: 2022,
        mileageKm: 10_000,
        priceKrw: 35_000_000,
        status: "IN_REPAIR",
        sellRequestId,
      },
      { producer: "stock" },
    );
    await deliver(e);
    await deliver(e);
    const orders = (await makeRepairOrderQueries(deps).list(staff, true)).filter(
      (o) => o.vehicleId === vehicleId,
    );
    expect(orders).toMatchObject([{ kind: "INSPECTION", status: "OPEN", sellRequestId }]);
    expect((await outbox("RepairOrderOpened")).filter((p) => p.vehicleId === vehicleId)).toEqual([
      { repairOrderId: orders[0]!.id, vehicleId, kind: "INSPECTION", sellRequestId },
    ]);
    expect(await holdOf(vehicleId)).toBeNull();
  });

  it("ignores cars registered AVAILABLE, and IN_REPAIR without a sell request", async () => {
    for (const [status, sellRequestId] of [
      ["AVAILABLE", randomUUID()],
      ["IN_REPAIR", null],
    ] as const) {
      const vehicleId = randomUUID();
      await deliver(
        newEvent(
          "VehicleRegistered",
          {
            vehicleId,
            vin: "X",
            make: "K",
            model: "M",
            year: 2020,
            mileageKm: 1,
            priceKrw: 1,
            status,
            sellRequestId,
          },
          { producer: "stock" },
        ),
      );
      expect(
        (await makeRepairOrderQueries(deps).list(staff, undefined)).some((o) => o.vehicleId === vehicleId),
      ).toBe(false);
    }
  });

  it("closes the open order of a car its seller took back as WITHDRAWN, once", async () => {
    const sellRequestId = randomUUID();
    const vehicleId = randomUUID();
    await deliver(
      newEvent(
        "VehicleRegistered",
        {
          vehicleId,
          vin: "Y",
          make: "K",
          model: "M",
          year: 2020,
          mileageKm: 1,
          priceKrw: 1,
          status: "IN_REPAIR",
          sellRequestId,
        },
        { producer: "stock" },
      ),
    );
    const cancelled = (returnVehicleId: string | null) =>
      newEvent(
        "SellRequestCancelled",
        {
          sellRequestId,
          sellerId: randomUUID(),
          reason: null,
          previousStatus: "IN_INSPECTION",
          reversePayout: true,
          cancelPickup: false,
          returnVehicleId,
        },
        { producer: "acquisition" },
      );
    await deliver(cancelled(null));
    expect(
      (await makeRepairOrderQueries(deps).list(staff, true)).some((o) => o.vehicleId === vehicleId),
    ).toBe(true);
    const e = cancelled(vehicleId);
    await deliver(e);
    await deliver(e);
    const [order] = (await makeRepairOrderQueries(deps).list(staff, false)).filter(
      (o) => o.vehicleId === vehicleId,
    );
    expect(order).toMatchObject({ status: "COMPLETED", notes: WITHDRAWN_NOTE });
    expect((await outbox("RepairOrderCompleted")).filter((p) => p.vehicleId === vehicleId)).toEqual([
      { repairOrderId: order!.id, vehicleId, kind: "INSPECTION", sellRequestId, outcome: "WITHDRAWN" },
    ]);
    // A car with no open order: nothing to close.
    await deliver(cancelled(randomUUID()));
  });
});
