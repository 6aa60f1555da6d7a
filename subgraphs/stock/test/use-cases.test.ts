import { DELIVERY_JOB } from "@junggo/runtime/testing";
import { describe, expect, it } from "vitest";
import { newEvent } from "@junggo/events";
import type { SqlTx } from "@junggo/runtime";
import { refusalOfAsync } from "@junggo/runtime/testing";
import { decodeCursor } from "../src/domain/cursor.ts";
import { parseRegistration } from "../src/domain/vehicle.ts";
import type { IntakeStore, ListedVehicle, VehicleStore } from "../src/app/ports.ts";
import { makeRegisterVehicle } from "../src/app/register-vehicle.use-case.ts";
import { makeSearchVehicles } from "../src/app/search-vehicles.query.ts";
import { DEMO_VEHICLES, seedDemoVehicles } from "../src/app/seed-demo-vehicles.use-case.ts";
import { makeVehicleIntake } from "../src/app/vehicle-intake.use-case.ts";
import { makeVehicleLifecycle } from "../src/app/vehicle-lifecycle.use-case.ts";
import { stockEventHandlers } from "../src/adapters/event.handlers.ts";

const silent = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return silent;
  },
};
/** The purchase saga never touches intakes (integration tests cover them on a real database). */
const noIntakes: IntakeStore<SqlTx> = {
  record: async () => {
    throw new Error("unexpected intake");
  },
  findIn: async () => null,
  findByVehicle: async () => null,
  mark: async () => {},
};
const P1 = "11111111-1111-4111-8111-111111111111";
const P2 = "22222222-2222-4222-8222-222222222222";
const BUYER = "33333333-3333-4333-8333-333333333333";

/** In-memory vehicles with seq order + a fake transaction that records outbox inserts. */
function fakes() {
  const rows: ListedVehicle[] = [];
  const outbox: { subject: string; type: string; body: Record<string, unknown> }[] = [];
  const tx: SqlTx = {
    $executeRawUnsafe: async (_sql: string, ...v: unknown[]) => {
      outbox.push({ subject: v[1] as string, type: v[2] as string, body: JSON.parse(v[3] as string) });
      return 1;
    },
    $queryRawUnsafe: async () => [] as never,
  };
  let interfere: (() => void) | null = null;
  const row = (id: string) => rows.find((r) => r.id === id);
  // Reads return copies, like rows loaded from a database.
  const byId = (id: string) => {
    const r = row(id);
    return r ? { ...r } : null;
  };
  const vehicles: VehicleStore<SqlTx> = {
    findById: async (id) => byId(id),
    findByVin: async (vin) => rows.find((r) => r.vin === vin) ?? null,
    search: async (_c, afterSeq, take) => rows.filter((r) => r.seq > afterSeq).slice(0, take),
    count: async () => rows.length,
    countByModelAndStatus: async () => [],
    insert: async (_tx, v) => {
      interfere?.();
      if (rows.some((r) => r.vin === v.vin)) return false;
      rows.push({ ...v, seq: rows.length + 1 });
      return true;
    },
    findByIdIn: async (_tx, id) => byId(id),
    insertIn: async (_tx, v) => {
      if (rows.some((r) => r.vin === v.vin || r.id === v.id)) return false;
      rows.push({ ...v, seq: rows.length + 1 });
      return true;
    },
    update: async (_tx, prev, next) => {
      interfere?.();
      const current = row(prev.id);
      if (
        !current ||
        current.status !== prev.status ||
        current.purchaseId !== prev.purchaseId ||
        current.repairOrderId !== prev.repairOrderId
      )
        return false;
      Object.assign(current, {
        status: next.status,
        purchaseId: next.purchaseId,
        repairOrderId: next.repairOrderId,
      });
      return true;
    },
  };
  // Rolls back the outbox on failure, as the database transaction would.
  const uow = {
    transact: async <R>(fn: (t: SqlTx) => Promise<R>) => {
      const mark = outbox.length;
      try {
        return await fn(tx);
      } catch (e) {
        outbox.length = mark;
        throw e;
      }
    },
  };
  return {
    rows,
    outbox,
    tx,
    vehicles,
    uow,
    interfere: (fn: () => void) => {
      interfere = fn;
    },
  };
}

const input = DEMO_VEHICLES[0]!;

describe("register vehicle", () => {
  it("stores an AVAILABLE vehicle and emits VehicleRegistered in the same transaction", async () => {
    const f = fakes();
    const v = await makeRegisterVehicle(f)({ ...input, vin: input.vin.toLowerCase() });
    expect(f.rows).toHaveLength(1);
    expect(f.rows[0]).toMatchObject({ id: v.id, vin: input.vin, status: "AVAILABLE", purchaseId: null });
    expect(f.outbox).toHaveLength(1);
    expect(f.outbox[0]).toMatchObject({
      subject: "stock.vehicle.registered",
      type: "VehicleRegistered",
      body: { producer: "stock", payload: { vehicleId: v.id, vin: input.vin, status: "AVAILABLE" } },
    });
  });

  it("refuses a duplicate VIN (any case) with DUPLICATE_VIN and emits nothing more", async () => {
    const f = fakes();
    const register = makeRegisterVehicle(f);
    await register(input);
    expect(
      await refusalOfAsync(() => register({ ...input, vin: ` ${input.vin.toLowerCase()} ` })),
    ).toMatchObject({ code: "DUPLICATE_VIN", field: "vin" });
    expect(f.rows).toHaveLength(1);
    expect(f.outbox).toHaveLength(1);
  });

  it("refuses invalid input before touching the store", async () => {
    const f = fakes();
    expect(await refusalOfAsync(() => makeRegisterVehicle(f)({ ...input, priceKrw: 5 }))).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "priceKrw",
    });
    expect(f.rows).toHaveLength(0);
  });
});

describe("vehicle lifecycle + event handlers", () => {
  async function withVehicle() {
    const f = fakes();
    const v = await makeRegisterVehicle(f)(input);
    f.outbox.length = 0;
    const handlers = stockEventHandlers(
      makeVehicleLifecycle({ vehicles: f.vehicles }),
      makeVehicleIntake({ vehicles: f.vehicles, intakes: noIntakes, log: silent }),
      silent,
    );
    const paid = (purchaseId: string) =>
      newEvent(
        "PurchasePaid",
        {
          purchaseId,
          vehicleId: v.id,
          buyerId: BUYER,
          buyerName: "Kim",
          priceKrw: v.priceKrw,
          paymentId: P2,
          vehicle: { make: v.make, model: v.model, year: v.year },
        },
        { producer: "purchase" },
      );
    const pickedUp = (purchaseId: string) =>
      newEvent(
        "ConsignmentPickedUp",
        { ...DELIVERY_JOB, consignmentId: P2, purchaseId, vehicleId: v.id, buyerId: BUYER, driverId: P2 },
        { producer: "consignment" },
      );
    const cancelled = (purchaseId: string, previousStatus: "PAID" | "DELIVERING") =>
      newEvent(
        "PurchaseCancelled",
        { purchaseId, vehicleId: v.id, buyerId: BUYER, reason: null, previousStatus },
        { producer: "purchase" },
      );
    const status = () => [f.rows[0]!.status, f.rows[0]!.purchaseId];
    return { f, v, handlers, paid, pickedUp, cancelled, status };
  }

  it("PurchasePaid reserves, ConsignmentPickedUp sells, each emitting its event caused by the incoming one", async () => {
    const { f, v, handlers, paid, pickedUp, status } = await withVehicle();
    const e1 = paid(P1);
    await handlers.PurchasePaid!(e1, f.tx);
    expect(status()).toEqual(["RESERVED", P1]);
    const e2 = pickedUp(P1);
    await handlers.ConsignmentPickedUp!(e2, f.tx);
    expect(status()).toEqual(["SOLD", P1]);
    expect(
      f.outbox.map((o) => [
        o.type,
        o.body.causationId,
        o.body.purchaseId,
        (o.body.payload as { vehicleId: string }).vehicleId,
      ]),
    ).toEqual([
      ["VehicleReserved", e1.eventId, P1, v.id],
      ["VehicleSold", e2.eventId, P1, v.id],
    ]);
  });

  it("PurchaseCancelled releases a reserved car and a sold (picked up) car", async () => {
    for (const pickedUpFirst of [false, true]) {
      const { f, handlers, paid, pickedUp, cancelled, status } = await withVehicle();
      await handlers.PurchasePaid!(paid(P1), f.tx);
      if (pickedUpFirst) await handlers.ConsignmentPickedUp!(pickedUp(P1), f.tx);
      await handlers.PurchaseCancelled!(cancelled(P1, pickedUpFirst ? "DELIVERING" : "PAID"), f.tx);
      expect(status()).toEqual(["AVAILABLE", null]);
      expect(f.outbox.at(-1)?.type).toBe("VehicleReleased");
    }
  });

  it("events that do not apply are acknowledged without any change or event", async () => {
    const { f, handlers, paid, pickedUp, cancelled, status } = await withVehicle();
    await handlers.PurchasePaid!(paid(P1), f.tx);
    const emitted = f.outbox.length;
    await handlers.PurchasePaid!(paid(P2), f.tx); // another buyer's late payment
    await handlers.ConsignmentPickedUp!(pickedUp(P2), f.tx); // wrong purchase
    await handlers.PurchaseCancelled!(cancelled(P2, "PAID"), f.tx); // wrong purchase
    expect(status()).toEqual(["RESERVED", P1]);
    await handlers.PurchaseCancelled!(cancelled(P1, "PAID"), f.tx);
    await handlers.PurchaseCancelled!(cancelled(P1, "PAID"), f.tx); // duplicate with a new event id
    await handlers.ConsignmentPickedUp!(pickedUp(P1), f.tx); // late pickup after cancel
    expect(status()).toEqual(["AVAILABLE", null]);
    expect(f.outbox.slice(emitted).map((o) => o.type)).toEqual(["VehicleReleased"]);
  });

  it("an event for an unknown vehicle is acknowledged", async () => {
    const { f, handlers } = await withVehicle();
    const e = newEvent(
      "PurchaseCancelled",
      { purchaseId: P1, vehicleId: P2, buyerId: BUYER, reason: null, previousStatus: "PAID" },
      { producer: "purchase" },
    );
    await expect(handlers.PurchaseCancelled!(e, f.tx)).resolves.toBeUndefined();
    expect(f.outbox).toHaveLength(0);
  });

  it("a concurrent change of the row makes the handler throw, so the event is retried", async () => {
    const { f, handlers, paid } = await withVehicle();
    f.interfere(() => {
      f.rows[0]!.status = "RESERVED";
      f.rows[0]!.purchaseId = P2;
    });
    await expect(handlers.PurchasePaid!(paid(P1), f.tx)).rejects.toThrow(/changed concurrently/);
  });
});

describe("search vehicles (paging)", () => {
  it("pages in seq order with cursors, hasNextPage and totalCount", async () => {
    const f = fakes();
    const register = makeRegisterVehicle(f);
    for (const v of DEMO_VEHICLES.slice(0, 5)) await register(v);
    const search = makeSearchVehicles(f);
    const p1 = await search({ first: 2 });
    expect(p1.edges.map((e) => e.node.vin)).toEqual(DEMO_VEHICLES.slice(0, 2).map((v) => v.vin));
    expect(p1.pageInfo).toEqual({ hasNextPage: true, endCursor: p1.edges[1]!.cursor });
    expect(p1.totalCount).toBe(5);
    expect(decodeCursor(p1.pageInfo.endCursor!)).toBe(2);
    const p3 = await search({
      first: 2,
      after: (await search({ first: 2, after: p1.pageInfo.endCursor })).pageInfo.endCursor,
    });
    expect(p3.edges.map((e) => e.node.vin)).toEqual([DEMO_VEHICLES[4]!.vin]);
    expect(p3.pageInfo.hasNextPage).toBe(false);
    const empty = await search({ first: 0 });
    expect(empty).toEqual({ edges: [], pageInfo: { hasNextPage: true, endCursor: null }, totalCount: 5 });
  });
});

describe("demo vehicles", () => {
  it("has at least 24 valid vehicles with unique VINs, 2015–2024, from Korean makers' WMIs", () => {
    expect(DEMO_VEHICLES.length).toBeGreaterThanOrEqual(24);
    const now = new Date("2025-01-01T00:00:00Z");
    for (const v of DEMO_VEHICLES) {
      expect(parseRegistration(v, now)).toEqual({ ...v }); // already normalised and valid
      expect(v.year).toBeGreaterThanOrEqual(2015);
      expect(v.year).toBeLessThanOrEqual(2024);
      expect(v.vin.slice(0, 3)).toMatch(/^(KMH|KM8|KNA|KND|KMT|KPT|KNM|KL7)$/);
    }
    expect(new Set(DEMO_VEHICLES.map((v) => v.vin)).size).toBe(DEMO_VEHICLES.length);
  });

  it("seeding is idempotent: a second run creates nothing and emits nothing", async () => {
    const f = fakes();
    const register = makeRegisterVehicle(f);
    expect(await seedDemoVehicles({ vehicles: f.vehicles, register, log: silent })).toBe(
      DEMO_VEHICLES.length,
    );
    expect(await seedDemoVehicles({ vehicles: f.vehicles, register, log: silent })).toBe(0);
    expect(f.rows).toHaveLength(DEMO_VEHICLES.length);
    expect(f.outbox.filter((o) => o.type === "VehicleRegistered")).toHaveLength(DEMO_VEHICLES.length);
  });
});
