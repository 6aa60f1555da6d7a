import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger, type Database, type SqlTx } from "@junggo/runtime";
import { type ConsumerHarness, consumerHarness, testEvent as event } from "@junggo/runtime/testing";
import type { EventEnvelope } from "@junggo/events";
import { PrismaClient } from "@junggo/prisma/stock";
import { makeRegisterVehicle } from "../src/app/register-vehicle.use-case.ts";
import { makeSearchVehicles } from "../src/app/search-vehicles.query.ts";
import { makeStockSummary } from "../src/app/stock-summary.query.ts";
import { makeVehicleIntake } from "../src/app/vehicle-intake.use-case.ts";
import { makeVehicleLifecycle } from "../src/app/vehicle-lifecycle.use-case.ts";
import { stockEventHandlers } from "../src/adapters/event.handlers.ts";
import { intakeRepository } from "../src/adapters/intake.repository.ts";
import { VehicleRepository } from "../src/adapters/vehicle.repository.ts";

// Stock's consumers on a real (embedded PGlite, or PostgreSQL) database: events go through the
// context's handler map exactly as the consumer runs them (handleOnce: inbox row + effects +
// outbox in one plain-SQL transaction), so redeliveries and retries are the real ones.
let h: ConsumerHarness<SqlTx, PrismaClient>;
let db: Database;
let prisma: PrismaClient;
let vehicles: VehicleRepository;
const log = createLogger("stock-test");

beforeAll(async () => {
  h = await consumerHarness({
    context: "stock",
    client: (db) => new PrismaClient({ adapter: db.adapter }),
    handlers: ({ db, client }) => {
      vehicles = new VehicleRepository(client, db);
      return stockEventHandlers(
        makeVehicleLifecycle({ vehicles }),
        makeVehicleIntake({ vehicles, intakes: intakeRepository, log }),
        log,
      );
    },
  });
  ({ db, client: prisma } = h);
}, 60_000);

afterAll(async () => {
  await h?.close();
});

/** Delivers an event as the consumer does; the same envelope twice is a redelivery. */
const deliver = (e: EventEnvelope) => h.deliver(e);
const emitted = async (vehicleId: string) =>
  (await db.query<{ body: string }>(`SELECT body FROM messaging.outbox ORDER BY seq`))
    .map((r) => JSON.parse(r.body) as EventEnvelope)
    .filter((e) => (e.payload as { vehicleId?: string }).vehicleId === vehicleId);
const statusOf = async (id: string) => (await prisma.vehicle.findUnique({ where: { id } }))?.status;

const SELLER = "33333333-3333-4333-8333-333333333333";
let vinSeq = 0;
function sale() {
  const sellRequestId = crypto.randomUUID();
  const vehicleId = crypto.randomUUID();
  const vin = `KNAD341CBKU${String(100_000 + ++vinSeq)}`;
  const accepted = event("SellRequestAccepted", {
    sellRequestId,
    sellerId: SELLER,
    offerKrw: 15_000_000,
    vehicleId,
    listPriceKrw: 18_500_000,
    vin,
    make: "Kia",
    model: "Morning",
    year: 2021,
    mileageKm: 32_000,
    vehicleName: "2021 Kia Morning",
    decidedBy: crypto.randomUUID(),
  });
  const owner = {
    kind: "SELLER_PICKUP" as const,
    purchaseId: null,
    buyerId: null,
    sellRequestId,
    sellerId: SELLER,
  };
  const delivered = event("ConsignmentDelivered", {
    ...owner,
    consignmentId: crypto.randomUUID(),
    vehicleId,
    driverId: crypto.randomUUID(),
  });
  const inspection = crypto.randomUUID();
  const opened = event("RepairOrderOpened", {
    repairOrderId: inspection,
    vehicleId,
    kind: "INSPECTION",
    sellRequestId,
  });
  const completed = (outcome: "DONE" | "WITHDRAWN", repairOrderId = inspection) =>
    event("RepairOrderCompleted", { repairOrderId, vehicleId, kind: "INSPECTION", sellRequestId, outcome });
  const cancelled = (
    returnVehicleId: string | null,
    previousStatus: "ACCEPTED" | "IN_INSPECTION" | "LISTED",
  ) =>
    event("SellRequestCancelled", {
      sellRequestId,
      sellerId: SELLER,
      reason: null,
      previousStatus,
      reversePayout: true,
      cancelPickup: returnVehicleId === null,
      returnVehicleId,
    });
  return { sellRequestId, vehicleId, vin, accepted, delivered, opened, completed, cancelled };
}

describe("cars bought from sellers", () => {
  it("accepted → delivered registers the car IN_REPAIR at its list price (on the lot, not available), once under redelivery", async () => {
    const s = sale();
    expect(await deliver(s.accepted)).toBe("handled");
    expect(await deliver(s.accepted)).toBe("duplicate");
    expect(await statusOf(s.vehicleId)).toBeUndefined(); // expected, not in stock yet
    const before = await makeStockSummary({ vehicles })();
    expect(await deliver(s.delivered)).toBe("handled");
    expect(await deliver(s.delivered)).toBe("duplicate");
    // The same delivery reported again under another event id registers nothing more.
    await deliver({ ...s.delivered, eventId: crypto.randomUUID() });
    const car = await prisma.vehicle.findUnique({ where: { id: s.vehicleId } });
    expect(car).toMatchObject({
      status: "IN_REPAIR",
      priceKrw: 18_500_000,
      vin: s.vin,
      sellRequestId: s.sellRequestId,
    });
    const events = await emitted(s.vehicleId);
    expect(events.map((e) => e.type)).toEqual(["VehicleRegistered"]);
    expect(events[0]).toMatchObject({
      causationId: s.delivered.eventId,
      sellRequestId: s.sellRequestId,
      payload: {
        vehicleId: s.vehicleId,
        status: "IN_REPAIR",
        sellRequestId: s.sellRequestId,
        priceKrw: 18_500_000,
      },
    });
    const line = (await makeStockSummary({ vehicles })()).find((l) => l.model === "Morning")!;
    const was = before.find((l) => l.model === "Morning") ?? { available: 0, onLot: 0 };
    expect([line.available - was.available, line.onLot - was.onLot]).toEqual([0, 1]);
    // Search: the IN_REPAIR filter finds it; the AVAILABLE one (what buyers see) does not.
    const search = makeSearchVehicles({ vehicles });
    const ids = async (status: "IN_REPAIR" | "AVAILABLE") =>
      (await search({ filter: { status, model: "Morning" }, first: 100 })).edges.map((e) => e.node.id);
    expect(await ids("IN_REPAIR")).toContain(s.vehicleId);
    expect(await ids("AVAILABLE")).not.toContain(s.vehicleId);
  });

  it("a delivery before its acceptance reached stock fails (the consumer retries it) and leaves nothing behind", async () => {
    const s = sale();
    await expect(deliver(s.delivered)).rejects.toThrow(/no intake recorded yet/);
    expect(await statusOf(s.vehicleId)).toBeUndefined();
    await deliver(s.accepted);
    // The retry of the same event (its inbox row was rolled back with the failure) now registers.
    expect(await deliver(s.delivered)).toBe("handled");
    expect(await statusOf(s.vehicleId)).toBe("IN_REPAIR");
  });

  it("inspection opened changes nothing; completed DONE lists the car AVAILABLE with VehicleRepaired, once", async () => {
    const s = sale();
    await deliver(s.accepted);
    await deliver(s.delivered);
    await deliver(s.opened);
    expect(await statusOf(s.vehicleId)).toBe("IN_REPAIR");
    const done = s.completed("DONE");
    expect(await deliver(done)).toBe("handled");
    expect(await deliver(done)).toBe("duplicate");
    await deliver({ ...done, eventId: crypto.randomUUID() }); // the same completion again: a logged no-op
    expect(await statusOf(s.vehicleId)).toBe("AVAILABLE");
    expect((await emitted(s.vehicleId)).map((e) => [e.type, e.causationId])).toEqual([
      ["VehicleRegistered", s.delivered.eventId],
      ["VehicleRepaired", done.eventId],
    ]);
  });

  it("an inspection completion handled before its opening (a retried event) lists the car; the late opening moves nothing", async () => {
    const s = sale();
    await deliver(s.accepted);
    await deliver(s.delivered);
    await deliver(s.completed("DONE"));
    expect(await deliver(s.opened)).toBe("handled");
    expect(await statusOf(s.vehicleId)).toBe("AVAILABLE");
    expect((await emitted(s.vehicleId)).map((e) => e.type)).toEqual(["VehicleRegistered", "VehicleRepaired"]);
  });

  it("cancelled after it reached the lot: WITHDRAWN (off the lot, terminal) with VehicleWithdrawn, once; a WITHDRAWN order completion and a late inspection change nothing", async () => {
    const s = sale();
    await deliver(s.accepted);
    await deliver(s.delivered);
    await deliver(s.opened);
    const before = (await makeStockSummary({ vehicles })()).find((l) => l.model === "Morning")!;
    const cancel = s.cancelled(s.vehicleId, "IN_INSPECTION");
    expect(await deliver(cancel)).toBe("handled");
    expect(await deliver(cancel)).toBe("duplicate");
    await deliver({ ...cancel, eventId: crypto.randomUUID() });
    expect(await statusOf(s.vehicleId)).toBe("WITHDRAWN");
    await deliver(s.completed("WITHDRAWN"));
    await deliver(s.completed("DONE")); // even a DONE arriving late cannot bring it back
    expect(await statusOf(s.vehicleId)).toBe("WITHDRAWN");
    const after = (await makeStockSummary({ vehicles })()).find((l) => l.model === "Morning")!;
    expect(after.onLot - before.onLot).toBe(-1);
    expect((await emitted(s.vehicleId)).map((e) => e.type)).toEqual([
      "VehicleRegistered",
      "VehicleWithdrawn",
    ]);
    expect((await emitted(s.vehicleId)).at(-1)?.payload).toEqual({
      vehicleId: s.vehicleId,
      sellRequestId: s.sellRequestId,
    });
  });

  it("cancelled before the car arrived: a late SELLER_PICKUP delivery registers nothing", async () => {
    const s = sale();
    await deliver(s.accepted);
    await deliver(s.cancelled(null, "ACCEPTED"));
    expect(await deliver(s.delivered)).toBe("handled");
    expect(await statusOf(s.vehicleId)).toBeUndefined();
    expect(await emitted(s.vehicleId)).toEqual([]);
  });

  it("a bought car whose VIN another stock row holds is not registered (logged, acknowledged, nothing half-written)", async () => {
    const first = sale();
    await deliver(first.accepted);
    await deliver(first.delivered);
    const s = sale();
    const sameVin = { ...s.accepted, payload: { ...s.accepted.payload, vin: first.vin } };
    await deliver(sameVin);
    expect(await deliver(s.delivered)).toBe("handled");
    expect(await statusOf(s.vehicleId)).toBeUndefined();
    expect(await emitted(s.vehicleId)).toEqual([]);
    const intake = await db.query<{ registeredAt: unknown }>(
      `SELECT "registeredAt" FROM "ExpectedIntake" WHERE "sellRequestId" = $1`,
      [s.sellRequestId],
    );
    expect(intake).toEqual([{ registeredAt: null }]);
  });

  it("a cancellation naming another sell request's car withdraws nothing", async () => {
    const a = sale();
    const b = sale();
    for (const s of [a, b]) {
      await deliver(s.accepted);
      await deliver(s.delivered);
    }
    await deliver(b.cancelled(a.vehicleId, "IN_INSPECTION"));
    expect(await statusOf(a.vehicleId)).toBe("IN_REPAIR");
  });
});

describe("repairs", () => {
  const register = () =>
    makeRegisterVehicle({ vehicles, uow: { transact: (fn) => prisma.$transaction(fn) } })({
      vin: `KMHD341CBKU${String(200_000 + ++vinSeq)}`,
      make: "Hyundai",
      model: "Casper",
      year: 2022,
      mileageKm: 12_000,
      priceKrw: 14_000_000,
    });

  it("REPAIR opened: AVAILABLE → IN_REPAIR (VehicleSentToRepair); completed DONE → AVAILABLE (VehicleRepaired); redeliveries once", async () => {
    const v = await register();
    const repairOrderId = crypto.randomUUID();
    const opened = event("RepairOrderOpened", {
      repairOrderId,
      vehicleId: v.id,
      kind: "REPAIR",
      sellRequestId: null,
    });
    expect(await deliver(opened)).toBe("handled");
    expect(await deliver(opened)).toBe("duplicate");
    expect(await statusOf(v.id)).toBe("IN_REPAIR");
    // A second order for the same car (not possible through purchase's holds) is a logged no-op.
    await deliver(
      event("RepairOrderOpened", {
        repairOrderId: crypto.randomUUID(),
        vehicleId: v.id,
        kind: "REPAIR",
        sellRequestId: null,
      }),
    );
    // Another order's completion does not release it.
    await deliver(
      event("RepairOrderCompleted", {
        repairOrderId: crypto.randomUUID(),
        vehicleId: v.id,
        kind: "REPAIR",
        sellRequestId: null,
        outcome: "DONE",
      }),
    );
    expect(await statusOf(v.id)).toBe("IN_REPAIR");
    const done = event("RepairOrderCompleted", {
      repairOrderId,
      vehicleId: v.id,
      kind: "REPAIR",
      sellRequestId: null,
      outcome: "DONE",
    });
    await deliver(done);
    await deliver(done);
    expect(await statusOf(v.id)).toBe("AVAILABLE");
    expect((await emitted(v.id)).map((e) => [e.type, e.causationId])).toEqual([
      ["VehicleRegistered", null],
      ["VehicleSentToRepair", opened.eventId],
      ["VehicleRepaired", done.eventId],
    ]);
  });

  it("a repair of a car a buyer holds or that is unknown is a logged no-op", async () => {
    const v = await register();
    const purchaseId = crypto.randomUUID();
    await deliver(
      event("PurchasePaid", {
        purchaseId,
        vehicleId: v.id,
        buyerId: crypto.randomUUID(),
        buyerName: "Lee",
        priceKrw: v.priceKrw,
        paymentId: crypto.randomUUID(),
        vehicle: { make: v.make, model: v.model, year: v.year },
      }),
    );
    const opened = event("RepairOrderOpened", {
      repairOrderId: crypto.randomUUID(),
      vehicleId: v.id,
      kind: "REPAIR",
      sellRequestId: null,
    });
    expect(await deliver(opened)).toBe("handled");
    expect(await statusOf(v.id)).toBe("RESERVED");
    const unknown = event("RepairOrderOpened", {
      repairOrderId: crypto.randomUUID(),
      vehicleId: crypto.randomUUID(),
      kind: "REPAIR",
      sellRequestId: null,
    });
    expect(await deliver(unknown)).toBe("handled");
  });
});

describe("returns", () => {
  it("PurchaseReturned: SOLD → AVAILABLE with VehicleReleased {vehicleId, purchaseId}, once; only for the purchase that bought it", async () => {
    const v = await makeRegisterVehicle({ vehicles, uow: { transact: (fn) => prisma.$transaction(fn) } })({
      vin: `KMHD341CBKU${String(300_000 + ++vinSeq)}`,
      make: "Hyundai",
      model: "Ioniq",
      year: 2021,
      mileageKm: 22_000,
      priceKrw: 24_000_000,
    });
    const purchaseId = crypto.randomUUID();
    const buyerId = crypto.randomUUID();
    await deliver(
      event("PurchasePaid", {
        purchaseId,
        vehicleId: v.id,
        buyerId,
        buyerName: "Lee",
        priceKrw: v.priceKrw,
        paymentId: crypto.randomUUID(),
        vehicle: { make: v.make, model: v.model, year: v.year },
      }),
    );
    await deliver(
      event("ConsignmentPickedUp", {
        kind: "DELIVERY",
        purchaseId,
        buyerId,
        sellRequestId: null,
        sellerId: null,
        consignmentId: crypto.randomUUID(),
        vehicleId: v.id,
        driverId: crypto.randomUUID(),
      }),
    );
    expect(await statusOf(v.id)).toBe("SOLD");
    const returned = (pid: string) =>
      event("PurchaseReturned", {
        purchaseId: pid,
        vehicleId: v.id,
        buyerId,
        paymentId: crypto.randomUUID(),
        amountKrw: v.priceKrw,
      });
    await deliver(returned(crypto.randomUUID())); // another purchase's return: ignored
    expect(await statusOf(v.id)).toBe("SOLD");
    const r = returned(purchaseId);
    expect(await deliver(r)).toBe("handled");
    expect(await deliver(r)).toBe("duplicate");
    await deliver({ ...r, eventId: crypto.randomUUID() });
    expect(await prisma.vehicle.findUnique({ where: { id: v.id } })).toMatchObject({
      status: "AVAILABLE",
      purchaseId: null,
    });
    const last = (await emitted(v.id)).at(-1)!;
    expect([last.type, last.causationId, last.payload]).toEqual([
      "VehicleReleased",
      r.eventId,
      { vehicleId: v.id, purchaseId },
    ]);
    expect((await emitted(v.id)).filter((e) => e.type === "VehicleReleased")).toHaveLength(1);
  });
});

describe("on a Prisma transaction (dead-letter replay)", () => {
  it("records the intake and registers the car there as well", async () => {
    const s = sale();
    const replay = (e: EventEnvelope) =>
      prisma.$transaction((tx) =>
        (h.handlers[e.type] as (e: EventEnvelope, tx: SqlTx) => Promise<void>)(e, tx),
      );
    await replay(s.accepted);
    await replay(s.delivered);
    expect(await statusOf(s.vehicleId)).toBe("IN_REPAIR");
    await replay(s.opened);
    await replay(s.completed("DONE"));
    expect(await statusOf(s.vehicleId)).toBe("AVAILABLE");
  });
});
