import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger, DomainError, type Database, type Viewer } from "@junggo/runtime";
import { DELIVERY_JOB } from "@junggo/runtime/testing";
import { newEvent } from "@junggo/events";
import type { PrismaClient } from "@junggo/prisma/purchase";
import { makeRequestPurchase } from "../src/app/request-purchase.use-case.ts";
import { makeCancelPurchase } from "../src/app/cancel-purchase.use-case.ts";
import { makeAbandonExpiredHolds } from "../src/app/abandon-expired-holds.use-case.ts";
import { makePurchaseQueries } from "../src/app/purchases.query.ts";
import { purchaseRepository } from "../src/adapters/purchase.repository.ts";
import type { BillingPort, ChargeOutcome } from "../src/app/billing.port.ts";
import type { PurchaseDeps, PurchaseTx } from "../src/app/purchase.infra.ts";
import { type PurchaseHarness, purchaseHarness } from "./support/purchase-harness.ts";

// Purchase's use cases and event handlers against a real (embedded PostgreSQL) database, with
// billing replaced by a scripted port. They run in plain SQL on the driver, as in the service;
// the Prisma client only checks the outcome (and plays a dead-letter replay's transaction).
let h: PurchaseHarness;
let db: Database;
let prisma: PrismaClient;
let deps: PurchaseDeps;
const log = createLogger("purchase-test", {});

beforeAll(async () => {
  // JUNGGO_TEST_POSTGRES_URL runs the same tests on a fresh PostgreSQL database (true concurrency between connections).
  h = await purchaseHarness(log);
  ({ db, client: prisma, deps } = h);
});
afterAll(async () => {
  await h?.close();
});

const buyer = (name = "Kim"): Viewer => ({
  id: crypto.randomUUID(),
  role: "BUYER",
  name,
  email: `${name}@junggo.test`,
});
const staff: Viewer = { id: crypto.randomUUID(), role: "STAFF", name: "Staff", email: "staff@junggo.test" };
type Handlers = PurchaseHarness["handlers"];
const handle = async <T extends keyof Handlers>(
  type: T,
  payload: Parameters<NonNullable<Handlers[T]>>[0]["payload"],
) => {
  await h.apply(newEvent(type, payload as never, { producer: "test" }));
};
/** The same handler in a Prisma interactive transaction, as a dead-letter replay runs it. */
const replay = async <T extends keyof Handlers>(
  type: T,
  payload: Parameters<NonNullable<Handlers[T]>>[0]["payload"],
) => {
  const e = newEvent(type, payload as never, { producer: "test" });
  await prisma.$transaction((tx) =>
    (h.handlers[type] as (e: unknown, tx: PurchaseTx) => Promise<void>)(e, tx),
  );
};
const registerVehicle = async (priceKrw = 15_000_000) => {
  const vehicleId = crypto.randomUUID();
  await handle("VehicleRegistered", {
    vehicleId,
    vin: "KMHD",
    make: "Hyundai",
    model: "Avante",
    year: 2019,
    mileageKm: 40_000,
    priceKrw,
    status: "AVAILABLE",
  });
  return vehicleId;
};
const outbox = async (type: string) =>
  (
    await db.query<{ body: string }>(`SELECT body FROM messaging.outbox WHERE type = $1 ORDER BY seq`, [type])
  ).map((r) => JSON.parse(r.body));

/** Billing stand-in: answers with `outcome` after `delayMs`, counting charges; `refusal` plays an open breaker. */
const billing = (
  outcome: ChargeOutcome | (() => ChargeOutcome),
  delayMs = 0,
  refusal: { reason: string; retryAfterSeconds: number } | null = null,
) => {
  const port = {
    charges: [] as Array<{ purchaseId: string; amountKrw: number }>,
    fastRefusal: () => refusal,
    async charge(req: { purchaseId: string; buyerId: string; amountKrw: number }) {
      port.charges.push(req);
      await new Promise((r) => setTimeout(r, delayMs));
      return typeof outcome === "function" ? outcome() : outcome;
    },
  } satisfies BillingPort & { charges: unknown[] };
  return port;
};
const approved = (): ChargeOutcome => ({ kind: "approved", paymentId: crypto.randomUUID() });
const codeOf = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (err) {
    if (err instanceof DomainError) return err.code;
    throw err;
  }
  return "OK";
};

describe("requestPurchase", () => {
  it("creates a PAID purchase at the projected price, confirms the hold and appends PurchasePaid", async () => {
    const vehicleId = await registerVehicle(15_500_000);
    const b = buyer("Lee");
    const port = billing(approved);
    const p = await makeRequestPurchase(deps, port)(b, vehicleId);
    expect(p).toMatchObject({
      status: "PAID",
      priceKrw: 15_500_000,
      buyerId: b.id,
      buyerName: "Lee",
      vehicleMake: "Hyundai",
      vehicleYear: 2019,
    });
    expect(port.charges).toEqual([{ purchaseId: p.id, buyerId: b.id, amountKrw: 15_500_000 }]);
    expect(await prisma.vehicleHold.findUnique({ where: { vehicleId } })).toMatchObject({
      purchaseId: p.id,
      expiresAt: null,
    });
    const paid = (await outbox("PurchasePaid")).filter((e) => e.purchaseId === p.id);
    expect(paid).toHaveLength(1);
    expect(paid[0].payload).toMatchObject({
      purchaseId: p.id,
      vehicleId,
      buyerId: b.id,
      buyerName: "Lee",
      priceKrw: 15_500_000,
      vehicle: { make: "Hyundai", model: "Avante", year: 2019 },
    });

    // The car has a live purchase now: a second buyer is refused and never charged.
    const port2 = billing(approved);
    expect(await codeOf(makeRequestPurchase(deps, port2)(buyer(), vehicleId))).toBe("VEHICLE_NOT_AVAILABLE");
    expect(port2.charges).toHaveLength(0);
  });

  it("lets exactly one of several racing buyers through; the losers are not charged", async () => {
    for (let round = 0; round < 5; round++) {
      const vehicleId = await registerVehicle();
      const port = billing(approved, 30);
      const results = await Promise.all(
        ["A", "B", "C", "D"].map((n) => codeOf(makeRequestPurchase(deps, port)(buyer(n), vehicleId))),
      );
      expect(results.sort()).toEqual([
        "OK",
        "VEHICLE_NOT_AVAILABLE",
        "VEHICLE_NOT_AVAILABLE",
        "VEHICLE_NOT_AVAILABLE",
      ]);
      expect(port.charges).toHaveLength(1);
      expect(await prisma.purchase.count({ where: { vehicleId } })).toBe(1);
    }
  });

  it("refuses unknown and unavailable vehicles", async () => {
    expect(await codeOf(makeRequestPurchase(deps, billing(approved))(buyer(), crypto.randomUUID()))).toBe(
      "VEHICLE_NOT_FOUND",
    );
    const vehicleId = await registerVehicle();
    await handle("VehicleReserved", { vehicleId, purchaseId: crypto.randomUUID() });
    expect(await codeOf(makeRequestPurchase(deps, billing(approved))(buyer(), vehicleId))).toBe(
      "VEHICLE_NOT_AVAILABLE",
    );
  });

  it("on a decline: PAYMENT_DECLINED, no purchase, the hold released, nothing to void", async () => {
    const vehicleId = await registerVehicle();
    const abandonedBefore = (await outbox("PurchaseAbandoned")).length;
    expect(
      await codeOf(
        makeRequestPurchase(deps, billing({ kind: "declined", message: "no" }))(buyer(), vehicleId),
      ),
    ).toBe("PAYMENT_DECLINED");
    expect(await prisma.purchase.count({ where: { vehicleId } })).toBe(0);
    expect(await prisma.vehicleHold.count({ where: { vehicleId } })).toBe(0);
    expect((await outbox("PurchaseAbandoned")).length).toBe(abandonedBefore);
    expect(await codeOf(makeRequestPurchase(deps, billing(approved))(buyer(), vehicleId))).toBe("OK");
  });

  it("on billing unavailable: PAYMENT_UNAVAILABLE with retryAfterSeconds, no purchase, PurchaseAbandoned appended", async () => {
    const vehicleId = await registerVehicle();
    const port = billing({ kind: "unavailable", reason: "timeout", retryAfterSeconds: 7, sent: true });
    const err = await makeRequestPurchase(deps, port)(buyer(), vehicleId).catch((e: DomainError) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect(err).toMatchObject({
      code: "PAYMENT_UNAVAILABLE",
      message: "Payment service is unavailable, please try again shortly.",
      details: { retryAfterSeconds: 7 },
    });
    expect(await prisma.purchase.count({ where: { vehicleId } })).toBe(0);
    expect(await prisma.vehicleHold.count({ where: { vehicleId } })).toBe(0);
    const abandoned = (await outbox("PurchaseAbandoned")).filter((e) => e.payload.vehicleId === vehicleId);
    expect(abandoned.map((e) => e.purchaseId)).toEqual([port.charges[0]!.purchaseId]);
  });

  it("refused before billing was called (breaker open, bulkhead full): PAYMENT_UNAVAILABLE, hold released, nothing to void", async () => {
    const vehicleId = await registerVehicle();
    const abandonedBefore = (await outbox("PurchaseAbandoned")).length;
    const port = billing({ kind: "unavailable", reason: "circuit open", retryAfterSeconds: 4, sent: false });
    const err = await makeRequestPurchase(deps, port)(buyer(), vehicleId).catch((e: DomainError) => e);
    expect(err).toMatchObject({ code: "PAYMENT_UNAVAILABLE", details: { retryAfterSeconds: 4 } });
    expect(await prisma.purchase.count({ where: { vehicleId } })).toBe(0);
    expect(await prisma.vehicleHold.count({ where: { vehicleId } })).toBe(0);
    expect((await outbox("PurchaseAbandoned")).length).toBe(abandonedBefore);
    expect(await codeOf(makeRequestPurchase(deps, billing(approved))(buyer(), vehicleId))).toBe("OK");
  });

  it("while billing is known to be unavailable: PAYMENT_UNAVAILABLE before holding or charging anything", async () => {
    const vehicleId = await registerVehicle();
    const port = billing(approved, 0, { reason: "circuit open", retryAfterSeconds: 3 });
    const err = await makeRequestPurchase(deps, port)(buyer(), vehicleId).catch((e: DomainError) => e);
    expect(err).toMatchObject({ code: "PAYMENT_UNAVAILABLE", details: { retryAfterSeconds: 3 } });
    expect(port.charges).toHaveLength(0);
    expect(await prisma.vehicleHold.count({ where: { vehicleId } })).toBe(0);
    expect(await prisma.purchase.count({ where: { vehicleId } })).toBe(0);
    // An unknown or sold vehicle is still reported as such.
    expect(await codeOf(makeRequestPurchase(deps, port)(buyer(), crypto.randomUUID()))).toBe(
      "VEHICLE_NOT_FOUND",
    );
  });

  it("takes over an expired hold of a request that died, announcing its abandonment", async () => {
    const vehicleId = await registerVehicle();
    const dead = {
      vehicleId,
      purchaseId: crypto.randomUUID(),
      buyerId: crypto.randomUUID(),
      expiresAt: new Date(Date.now() - 1000),
    };
    await prisma.vehicleHold.create({ data: { ...dead, kind: "PURCHASE", holderId: dead.purchaseId } });
    expect(await codeOf(makeRequestPurchase(deps, billing(approved))(buyer(), vehicleId))).toBe("OK");
    expect((await outbox("PurchaseAbandoned")).filter((e) => e.purchaseId === dead.purchaseId)).toHaveLength(
      1,
    );
  });

  it("does not take over a hold that has not expired yet", async () => {
    const vehicleId = await registerVehicle();
    const purchaseId = crypto.randomUUID();
    await prisma.vehicleHold.create({
      data: {
        vehicleId,
        kind: "PURCHASE",
        holderId: purchaseId,
        purchaseId,
        buyerId: crypto.randomUUID(),
        expiresAt: new Date(Date.now() + 60_000),
      },
    });
    expect(await codeOf(makeRequestPurchase(deps, billing(approved))(buyer(), vehicleId))).toBe(
      "VEHICLE_NOT_AVAILABLE",
    );
  });
});

describe("hold sweeper", () => {
  it("releases expired unconfirmed holds once and announces PurchaseAbandoned", async () => {
    const vehicleId = await registerVehicle();
    const dead = {
      vehicleId,
      purchaseId: crypto.randomUUID(),
      buyerId: crypto.randomUUID(),
      expiresAt: new Date(Date.now() - 1000),
    };
    await prisma.vehicleHold.create({ data: { ...dead, kind: "PURCHASE", holderId: dead.purchaseId } });
    const sweep = makeAbandonExpiredHolds(deps);
    await Promise.all([sweep(), sweep()]);
    expect(await prisma.vehicleHold.count({ where: { vehicleId } })).toBe(0);
    expect((await outbox("PurchaseAbandoned")).filter((e) => e.purchaseId === dead.purchaseId)).toHaveLength(
      1,
    );
  });
});

describe("cancelPurchase", () => {
  it("cancels a PAID purchase of its buyer, frees the vehicle, appends PurchaseCancelled; a second cancel is refused", async () => {
    const vehicleId = await registerVehicle();
    const b = buyer();
    const p = await makeRequestPurchase(deps, billing(approved))(b, vehicleId);
    const cancelPurchase = makeCancelPurchase(deps);
    expect(await codeOf(cancelPurchase(buyer(), p.id, null))).toBe("FORBIDDEN");
    expect(await codeOf(cancelPurchase(b, crypto.randomUUID(), null))).toBe("PURCHASE_NOT_FOUND");

    const c = await cancelPurchase(b, p.id, "found a cheaper one");
    expect(c).toMatchObject({ status: "CANCELLED", cancelReason: "found a cheaper one" });
    expect(c.cancelledAt).toBeInstanceOf(Date);
    expect(await prisma.vehicleHold.count({ where: { vehicleId } })).toBe(0);
    const events = (await outbox("PurchaseCancelled")).filter((e) => e.purchaseId === p.id);
    expect(events).toHaveLength(1);
    expect(events[0].payload).toEqual({
      purchaseId: p.id,
      vehicleId,
      buyerId: b.id,
      reason: "found a cheaper one",
      previousStatus: "PAID",
    });
    expect(await codeOf(cancelPurchase(b, p.id, null))).toBe("PURCHASE_NOT_CANCELLABLE");
  });

  it("lets staff cancel a DELIVERING purchase", async () => {
    const vehicleId = await registerVehicle();
    const p = await makeRequestPurchase(deps, billing(approved))(buyer(), vehicleId);
    await handle("ConsignmentPickedUp", {
      ...DELIVERY_JOB,
      consignmentId: crypto.randomUUID(),
      purchaseId: p.id,
      vehicleId,
      buyerId: p.buyerId,
      driverId: crypto.randomUUID(),
    });
    const c = await makeCancelPurchase(deps)(staff, p.id, null);
    expect(c.status).toBe("CANCELLED");
    expect(
      (await outbox("PurchaseCancelled")).find((e) => e.purchaseId === p.id)?.payload.previousStatus,
    ).toBe("DELIVERING");
  });
});

describe("delivery events", () => {
  it("records the driver, starts and completes delivery once, and ignores stale or repeated events", async () => {
    const vehicleId = await registerVehicle();
    const b = buyer();
    const p = await makeRequestPurchase(deps, billing(approved))(b, vehicleId);
    const driver: Viewer = {
      id: crypto.randomUUID(),
      role: "DRIVER",
      name: "Park",
      email: "driver@junggo.test",
    };
    const queries = makePurchaseQueries(deps);
    expect(await codeOf(queries.purchase(driver, p.id))).toBe("FORBIDDEN");
    expect(await queries.visible(driver, p.id)).toBeNull();

    const c = {
      ...DELIVERY_JOB,
      consignmentId: crypto.randomUUID(),
      purchaseId: p.id,
      vehicleId,
      buyerId: b.id,
      driverId: driver.id,
    };
    // Delivered before pickup does not apply.
    await handle("ConsignmentDelivered", c);
    expect((await queries.purchase(b, p.id))?.status).toBe("PAID");

    await handle("ConsignmentAssigned", { ...c, driverName: "Park", eta: new Date().toISOString() });
    expect((await queries.purchase(driver, p.id))?.id).toBe(p.id);
    expect((await queries.visible(driver, p.id))?.id).toBe(p.id);

    await handle("ConsignmentPickedUp", c);
    await handle("ConsignmentPickedUp", c); // a second pickup event (other event id) changes nothing
    expect((await queries.purchase(b, p.id))?.status).toBe("DELIVERING");
    await handle("ConsignmentDelivered", c);
    const done = await queries.purchase(b, p.id);
    expect(done).toMatchObject({ status: "DELIVERED" });
    expect(done?.deliveredAt).toBeInstanceOf(Date);
    expect((await outbox("PurchaseDeliveryStarted")).filter((e) => e.purchaseId === p.id)).toHaveLength(1);
    expect((await outbox("PurchaseDelivered")).filter((e) => e.purchaseId === p.id)).toHaveLength(1);
    expect(await codeOf(makeCancelPurchase(deps)(b, p.id, null))).toBe("PURCHASE_NOT_CANCELLABLE");
  });

  it("ignores delivery events for a cancelled purchase", async () => {
    const vehicleId = await registerVehicle();
    const b = buyer();
    const p = await makeRequestPurchase(deps, billing(approved))(b, vehicleId);
    await makeCancelPurchase(deps)(b, p.id, null);
    const c = {
      ...DELIVERY_JOB,
      consignmentId: crypto.randomUUID(),
      purchaseId: p.id,
      vehicleId,
      buyerId: b.id,
      driverId: crypto.randomUUID(),
    };
    await handle("ConsignmentAssigned", { ...c, driverName: "Park", eta: new Date().toISOString() });
    await handle("ConsignmentPickedUp", c);
    const after = await prisma.purchase.findUnique({ where: { id: p.id } });
    expect(after).toMatchObject({ status: "CANCELLED", driverId: null });
  });
});

describe("handlers on a Prisma transaction (dead-letter replay)", () => {
  it("project vehicles and track deliveries there as well", async () => {
    const vehicleId = crypto.randomUUID();
    await replay("VehicleRegistered", {
      vehicleId,
      vin: "KMHD",
      make: "Kia",
      model: "K5",
      year: 2021,
      mileageKm: 10_000,
      priceKrw: 21_000_000,
      status: "AVAILABLE",
    });
    expect(await prisma.vehicleProjection.findUnique({ where: { id: vehicleId } })).toMatchObject({
      make: "Kia",
      priceKrw: 21_000_000,
      status: "AVAILABLE",
    });
    const b = buyer();
    const p = await makeRequestPurchase(deps, billing(approved))(b, vehicleId);
    await replay("VehicleReserved", { vehicleId, purchaseId: p.id });
    expect((await prisma.vehicleProjection.findUnique({ where: { id: vehicleId } }))?.status).toBe(
      "RESERVED",
    );
    const c = {
      ...DELIVERY_JOB,
      consignmentId: crypto.randomUUID(),
      purchaseId: p.id,
      vehicleId,
      buyerId: b.id,
      driverId: crypto.randomUUID(),
    };
    await replay("ConsignmentAssigned", { ...c, driverName: "Park", eta: new Date().toISOString() });
    await replay("ConsignmentPickedUp", c);
    const after = await prisma.purchase.findUnique({ where: { id: p.id } });
    expect(after).toMatchObject({ status: "DELIVERING", driverId: c.driverId });
    expect(after?.deliveryStartedAt).toBeInstanceOf(Date);
    expect((await outbox("PurchaseDeliveryStarted")).filter((e) => e.purchaseId === p.id)).toHaveLength(1);
  });
});

describe("plain-SQL storage", () => {
  it("stores timestamps as Prisma does (UTC wall time) and reads back exactly what was written", async () => {
    const vehicleId = await registerVehicle();
    const p = await makeRequestPurchase(deps, billing(approved))(buyer(), vehicleId);
    const viaPrisma = await prisma.purchase.findUnique({ where: { id: p.id } });
    expect(viaPrisma?.createdAt.toISOString()).toBe(p.createdAt.toISOString());
    const read = await purchaseRepository.byId(deps.db, p.id);
    expect(read).toEqual(p);
    const cancelled = await makeCancelPurchase(deps)(staff, p.id, "test");
    expect((await prisma.purchase.findUnique({ where: { id: p.id } }))?.cancelledAt?.toISOString()).toBe(
      cancelled.cancelledAt?.toISOString(),
    );
    expect(await purchaseRepository.byId(deps.db, p.id)).toEqual(cancelled);
  });

  it("reads the purchases asked for in one tick with one statement, whatever the case of their ids", async () => {
    const b = buyer();
    const a = await makeRequestPurchase(deps, billing(approved))(b, await registerVehicle());
    const c = await makeRequestPurchase(deps, billing(approved))(b, await registerVehicle());
    let statements = 0;
    const counting = {
      $queryRawUnsafe: <T>(sql: string, ...values: unknown[]) => {
        statements++;
        return deps.db.$queryRawUnsafe<T>(sql, ...values);
      },
    };
    const unknown = crypto.randomUUID();
    const found = await Promise.all(
      [a.id, c.id.toUpperCase(), unknown, a.id].map((id) => purchaseRepository.byId(counting, id)),
    );
    expect(statements).toBe(1);
    expect(found.map((p) => p?.id ?? null)).toEqual([a.id, c.id, null, a.id]);
  });
});

describe("vehicle projection and queries", () => {
  it("follows stock's events", async () => {
    const vehicleId = await registerVehicle(10_000_000);
    const status = async () =>
      (await prisma.vehicleProjection.findUnique({ where: { id: vehicleId } }))?.status;
    await handle("VehicleReserved", { vehicleId, purchaseId: crypto.randomUUID() });
    expect(await status()).toBe("RESERVED");
    await handle("VehicleReleased", { vehicleId, purchaseId: crypto.randomUUID() });
    expect(await status()).toBe("AVAILABLE");
    await handle("VehicleSold", { vehicleId, purchaseId: crypto.randomUUID() });
    expect(await status()).toBe("SOLD");
  });

  it("lists a buyer's own purchases newest first, all for staff, none for a driver", async () => {
    const b = buyer();
    const first = await makeRequestPurchase(deps, billing(approved))(b, await registerVehicle());
    const second = await makeRequestPurchase(deps, billing(approved))(b, await registerVehicle());
    const q = makePurchaseQueries(deps);
    expect((await q.myPurchases(b)).map((p) => p.id)).toEqual([second.id, first.id]);
    const all = (await q.myPurchases(staff)).map((p) => p.id);
    expect(all).toEqual(expect.arrayContaining([first.id, second.id]));
    expect(all.length).toBeGreaterThan(2);
    expect(await q.myPurchases({ ...staff, role: "DRIVER" })).toEqual([]);
    expect(await codeOf(q.myPurchases(null))).toBe("UNAUTHENTICATED");
    expect(await q.purchase(b, crypto.randomUUID())).toBeNull();
  });
});
