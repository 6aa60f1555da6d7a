import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger, type Database, type Viewer } from "@junggo/runtime";
import { DELIVERY_JOB, refusalOfAsync } from "@junggo/runtime/testing";
import { newEvent, type EventEnvelope } from "@junggo/events";
import type { PrismaClient } from "@junggo/prisma/purchase";
import { makeRequestPurchase } from "../src/app/request-purchase.use-case.ts";
import { makeRequestReturn } from "../src/app/request-return.use-case.ts";
import { makePurchaseQueries } from "../src/app/purchases.query.ts";
import { purchaseRepository } from "../src/adapters/purchase.repository.ts";
import type { BillingPort } from "../src/app/billing.port.ts";
import type { PurchaseDeps, PurchaseTx } from "../src/app/purchase.infra.ts";
import type { Purchase } from "../src/domain/purchase.ts";
import { type PurchaseHarness, purchaseHarness } from "./support/purchase-harness.ts";

// Returns on a real (embedded PostgreSQL) database: requestReturn's window, refusals and its one
// transaction, and the consumer side: a RETURN_PICKUP job's events, the return's completion with
// PurchaseReturned and the car's hold released, exactly once under redelivery.
let h: PurchaseHarness;
let db: Database;
let prisma: PrismaClient;
let deps: PurchaseDeps;
const log = createLogger("purchase-returns-test", {});

beforeAll(async () => {
  h = await purchaseHarness(log);
  ({ db, client: prisma, deps } = h);
});
afterAll(async () => {
  await h?.close();
});

const HOUR = 3_600_000;
const WINDOW = 72 * HOUR;
const person = (role: Viewer["role"]): Viewer => ({
  id: crypto.randomUUID(),
  role,
  name: role,
  email: `${role.toLowerCase()}@junggo.test`,
});
const approvedBilling: BillingPort = {
  fastRefusal: () => null,
  charge: async () => ({ kind: "approved", paymentId: crypto.randomUUID() }),
};

/** Runs the event through the consumer's exactly-once step (inbox row + handler), as the service does. */
const deliver = (e: EventEnvelope) => h.deliver(e);
const event = <T extends "ConsignmentAssigned" | "ConsignmentPickedUp" | "ConsignmentDelivered">(
  type: T,
  payload: EventEnvelope<T>["payload"],
) => newEvent(type, payload, { producer: "consignment" }) as EventEnvelope;

const outbox = async (type: string, purchaseId: string) =>
  (await db.query<{ body: string }>(`SELECT body FROM messaging.outbox WHERE type = $1 ORDER BY seq`, [type]))
    .map((r) => JSON.parse(r.body) as EventEnvelope)
    .filter((e) => e.purchaseId === purchaseId);
const stored = (id: string) => purchaseRepository.byId(deps.db, id);
const holdOf = (vehicleId: string) => prisma.vehicleHold.findUnique({ where: { vehicleId } });

async function registerVehicle(): Promise<string> {
  const vehicleId = crypto.randomUUID();
  await h.apply(
    newEvent(
      "VehicleRegistered",
      {
        vehicleId,
        vin: "KMHD",
        make: "Kia",
        model: "K5",
        year: 2021,
        mileageKm: 30_000,
        priceKrw: 19_900_000,
        status: "AVAILABLE",
      },
      { producer: "stock" },
    ),
  );
  return vehicleId;
}

const job = (p: Purchase, kind: "DELIVERY" | "RETURN_PICKUP", driverId: string) => ({
  ...DELIVERY_JOB,
  kind,
  consignmentId: crypto.randomUUID(),
  purchaseId: p.id,
  buyerId: p.buyerId,
  vehicleId: p.vehicleId,
  driverId,
});

/** A purchase taken to PAID (or on to DELIVERED) through the use case and its delivery events. */
async function purchase(buyer: Viewer, until: "PAID" | "DELIVERING" | "DELIVERED"): Promise<Purchase> {
  const p = await makeRequestPurchase(deps, approvedBilling)(buyer, await registerVehicle());
  if (until === "PAID") return p;
  const c = job(p, "DELIVERY", crypto.randomUUID());
  await deliver(event("ConsignmentAssigned", { ...c, driverName: "Park", eta: new Date().toISOString() }));
  await deliver(event("ConsignmentPickedUp", c));
  if (until === "DELIVERING") return (await stored(p.id))!;
  await deliver(event("ConsignmentDelivered", c));
  const delivered = (await stored(p.id))!;
  expect(delivered.status).toBe("DELIVERED");
  return delivered;
}

/** requestReturn as it would run at `at`, with the product's 3-day window. */
const returnAt = (at: Date, windowMs = WINDOW) => makeRequestReturn(deps, { windowMs, now: () => at });
const after = (p: Purchase, ms: number) => new Date(p.deliveredAt!.getTime() + ms);

describe("requestReturn", () => {
  it("within the window (measured from deliveredAt): RETURN_REQUESTED and PurchaseReturnRequested in one transaction; the car stays held", async () => {
    const buyer = person("BUYER");
    const p = await purchase(buyer, "DELIVERED");
    const at = after(p, WINDOW - 1000);
    const r = await returnAt(at)(buyer, p.id, "Engine noise above 80 km/h");
    expect(r).toMatchObject({
      status: "RETURN_REQUESTED",
      returnReason: "Engine noise above 80 km/h",
      returnRequestedAt: at,
      returnedAt: null,
    });
    expect(await stored(p.id)).toEqual(r);
    const events = await outbox("PurchaseReturnRequested", p.id);
    expect(events).toHaveLength(1);
    expect(events[0]!.payload).toEqual({
      purchaseId: p.id,
      vehicleId: p.vehicleId,
      buyerId: buyer.id,
      reason: "Engine noise above 80 km/h",
      paymentId: p.paymentId,
      priceKrw: p.priceKrw,
    });
    expect(await holdOf(p.vehicleId)).toMatchObject({ purchaseId: p.id });

    // Twice: refused, nothing more written.
    expect((await refusalOfAsync(() => returnAt(at)(buyer, p.id, "again"))).code).toBe(
      "PURCHASE_NOT_RETURNABLE",
    );
    expect(await outbox("PurchaseReturnRequested", p.id)).toHaveLength(1);
    expect((await stored(p.id))?.returnReason).toBe("Engine noise above 80 km/h");
  });

  it("after the window: RETURN_WINDOW_CLOSED and nothing written; the window is configurable", async () => {
    const buyer = person("BUYER");
    const p = await purchase(buyer, "DELIVERED");
    const closed = await refusalOfAsync(() => returnAt(after(p, WINDOW + 1))(buyer, p.id, "too late"));
    expect(closed).toMatchObject({ code: "RETURN_WINDOW_CLOSED" });
    expect(closed.message).toContain(new Date(p.deliveredAt!.getTime() + WINDOW).toISOString());
    expect(await stored(p.id)).toEqual(p);
    expect(await outbox("PurchaseReturnRequested", p.id)).toHaveLength(0);

    // A short configured window on the real clock (as the gateway test's stack runs it).
    const short = makeRequestReturn(deps, { windowMs: 50 });
    await new Promise((r) => setTimeout(r, 120));
    expect((await refusalOfAsync(() => short(buyer, p.id, "late"))).code).toBe("RETURN_WINDOW_CLOSED");
    // The same purchase is still returnable under the 3-day window.
    expect((await makeRequestReturn(deps)(buyer, p.id, "fine")).status).toBe("RETURN_REQUESTED");
  });

  it("refuses a purchase that was not delivered (PAID, DELIVERING) with PURCHASE_NOT_RETURNABLE", async () => {
    const buyer = person("BUYER");
    for (const state of ["PAID", "DELIVERING"] as const) {
      const p = await purchase(buyer, state);
      const r = await refusalOfAsync(() => makeRequestReturn(deps)(buyer, p.id, "changed my mind"));
      expect(r.code).toBe("PURCHASE_NOT_RETURNABLE");
      expect((await stored(p.id))?.status).toBe(state);
      expect(await outbox("PurchaseReturnRequested", p.id)).toHaveLength(0);
    }
  });

  it("is the buyer's only: another buyer and staff are FORBIDDEN, an unknown id PURCHASE_NOT_FOUND", async () => {
    const buyer = person("BUYER");
    const p = await purchase(buyer, "DELIVERED");
    const requestReturn = makeRequestReturn(deps);
    for (const other of [person("BUYER"), person("STAFF"), person("DRIVER")])
      expect((await refusalOfAsync(() => requestReturn(other, p.id, "not mine"))).code).toBe("FORBIDDEN");
    expect((await refusalOfAsync(() => requestReturn(buyer, crypto.randomUUID(), "x"))).code).toBe(
      "PURCHASE_NOT_FOUND",
    );
    expect(await stored(p.id)).toEqual(p);
  });
});

describe("the RETURN_PICKUP job's events", () => {
  it("assigned and picked up change nothing; delivered to the lot: RETURNED, PurchaseReturned and the hold released, once", async () => {
    const buyer = person("BUYER");
    const p = await purchase(buyer, "DELIVERED");
    const deliveryDriver = p.driverId;
    const r = await makeRequestReturn(deps)(buyer, p.id, "Scratches not in the photos");
    const pickupDriver = person("DRIVER");
    const c = job(p, "RETURN_PICKUP", pickupDriver.id);

    await deliver(event("ConsignmentAssigned", { ...c, driverName: "Choi", eta: new Date().toISOString() }));
    await deliver(event("ConsignmentPickedUp", c));
    // Not moved back to DELIVERING, not re-assigned, nothing announced.
    expect(await stored(p.id)).toEqual({ ...r, driverId: deliveryDriver });
    expect(await outbox("PurchaseDeliveryStarted", p.id)).toHaveLength(1);

    // Stock put the car back on sale already (as it may, racing us): the hold still keeps buyers off.
    await h.apply(
      newEvent("VehicleReleased", { vehicleId: p.vehicleId, purchaseId: p.id }, { producer: "stock" }),
    );
    expect(
      (await refusalOfAsync(() => makeRequestPurchase(deps, approvedBilling)(person("BUYER"), p.vehicleId)))
        .code,
    ).toBe("VEHICLE_NOT_AVAILABLE");

    const delivered = event("ConsignmentDelivered", c);
    expect(await deliver(delivered)).toBe("handled");
    const done = await stored(p.id);
    expect(done).toMatchObject({ status: "RETURNED", returnReason: "Scratches not in the photos" });
    expect(done?.returnedAt).toBeInstanceOf(Date);
    const returned = await outbox("PurchaseReturned", p.id);
    expect(returned).toHaveLength(1);
    expect(returned[0]!.payload).toEqual({
      purchaseId: p.id,
      vehicleId: p.vehicleId,
      buyerId: buyer.id,
      paymentId: p.paymentId,
      amountKrw: p.priceKrw,
    });
    expect(returned[0]!.causationId).toBe(delivered.eventId);
    expect(await holdOf(p.vehicleId)).toBeNull();

    // Redelivered (the same event: the inbox absorbs it) and repeated (another event id: the state does).
    expect(await deliver(delivered)).toBe("duplicate");
    expect(await deliver(event("ConsignmentDelivered", c))).toBe("handled");
    expect(await outbox("PurchaseReturned", p.id)).toHaveLength(1);
    expect(await stored(p.id)).toEqual(done);

    // The car can be bought again, by anyone.
    const again = await makeRequestPurchase(deps, approvedBilling)(person("BUYER"), p.vehicleId);
    expect(again.status).toBe("PAID");
    expect(await holdOf(p.vehicleId)).toMatchObject({ purchaseId: again.id });
    // A late event of the old return does not touch the new buyer's hold.
    await deliver(event("ConsignmentDelivered", c));
    expect(await holdOf(p.vehicleId)).toMatchObject({ purchaseId: again.id });
  });

  it("a RETURN_PICKUP delivered for a purchase with no return requested changes nothing", async () => {
    const buyer = person("BUYER");
    const p = await purchase(buyer, "DELIVERED");
    await deliver(event("ConsignmentDelivered", job(p, "RETURN_PICKUP", crypto.randomUUID())));
    expect(await stored(p.id)).toEqual(p);
    expect(await holdOf(p.vehicleId)).toMatchObject({ purchaseId: p.id });
    expect(await outbox("PurchaseReturned", p.id)).toHaveLength(0);
  });

  it("completes the return in a Prisma interactive transaction too (dead-letter replay)", async () => {
    const buyer = person("BUYER");
    const p = await purchase(buyer, "DELIVERED");
    await makeRequestReturn(deps)(buyer, p.id, "Too small for the family");
    const e = event("ConsignmentDelivered", job(p, "RETURN_PICKUP", crypto.randomUUID()));
    await prisma.$transaction((tx) =>
      (h.handlers.ConsignmentDelivered as (e: EventEnvelope, tx: PurchaseTx) => Promise<void>)(e, tx),
    );
    expect((await stored(p.id))?.status).toBe("RETURNED");
    expect(await holdOf(p.vehicleId)).toBeNull();
    expect(await outbox("PurchaseReturned", p.id)).toHaveLength(1);
  });

  it("queries show the return: the buyer and staff read RETURN_REQUESTED then RETURNED", async () => {
    const buyer = person("BUYER");
    const p = await purchase(buyer, "DELIVERED");
    await makeRequestReturn(deps)(buyer, p.id, "Wrong colour");
    const q = makePurchaseQueries(deps);
    expect((await q.purchase(buyer, p.id))?.status).toBe("RETURN_REQUESTED");
    expect((await q.myPurchases(buyer)).map((x) => x.status)).toEqual(["RETURN_REQUESTED"]);
    await deliver(event("ConsignmentDelivered", job(p, "RETURN_PICKUP", crypto.randomUUID())));
    expect((await q.purchase(person("STAFF"), p.id))?.status).toBe("RETURNED");
  });
});
