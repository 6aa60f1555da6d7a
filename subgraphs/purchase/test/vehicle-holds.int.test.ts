import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newEvent } from "@junggo/events";
import { createLogger, DomainError, signServiceToken, type Viewer } from "@junggo/runtime";
import { serveRoutes } from "@junggo/runtime/testing";
import { holdRoutes } from "../src/adapters/holds.routes.ts";
import { vehicleHoldRepository } from "../src/adapters/vehicle-hold.repository.ts";
import { vehicleProjectionRepository } from "../src/adapters/vehicle-projection.repository.ts";
import type { BillingPort } from "../src/app/billing.port.ts";
import { makeVehicleHolds } from "../src/app/hold-vehicle.use-case.ts";
import type { PurchaseDeps } from "../src/app/purchase.infra.ts";
import { makeRequestPurchase } from "../src/app/request-purchase.use-case.ts";
import { type PurchaseHarness, purchaseHarness } from "./support/purchase-harness.ts";

// The hold arbiter: purchase's internal holds API over real HTTP (express, service tokens) on a
// real database with purchase's migrations, its consumers of the workshop's and the seller's
// events, and how both meet requestPurchase.
const SECRET = "holds-test-secret-0123456789abcdef";
let h: PurchaseHarness;
let deps: PurchaseDeps;
let server: { url: string; close(): Promise<void> };
const log = createLogger("holds-test", {});

beforeAll(async () => {
  h = await purchaseHarness(log);
  deps = h.deps;
  server = await serveRoutes((app) =>
    holdRoutes(app, { holds: makeVehicleHolds(deps), internalSecret: SECRET, log }),
  );
}, 120_000);
afterAll(async () => {
  await server?.close();
  await h?.close();
});

type Handlers = PurchaseHarness["handlers"];
const handle = async <T extends keyof Handlers>(
  type: T,
  payload: Parameters<NonNullable<Handlers[T]>>[0]["payload"],
  event = newEvent(type, payload as never, { producer: "test" }),
) => {
  await h.apply(event);
  return event;
};
const registerVehicle = async (
  extra: { status?: "AVAILABLE" | "IN_REPAIR"; sellRequestId?: string } = {},
) => {
  const vehicleId = crypto.randomUUID();
  await handle("VehicleRegistered", {
    vehicleId,
    vin: "KMHD",
    make: "Kia",
    model: "K5",
    year: 2020,
    mileageKm: 30_000,
    priceKrw: 20_000_000,
    status: extra.status ?? "AVAILABLE",
    sellRequestId: extra.sellRequestId ?? null,
  });
  return vehicleId;
};

const token = (service: string) => signServiceToken(service, SECRET);
async function call(
  method: "POST" | "DELETE",
  path: string,
  body?: unknown,
  service: string | null = "maintenance",
) {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      "content-type": "application/json",
      ...(service ? { authorization: `Bearer ${await token(service)}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}
const take = (vehicleId: string, kind: string, holderId: string, service = "maintenance") =>
  call("POST", "/internal/holds", { vehicleId, kind, holderId }, service);
const giveBack = (kind: string, holderId: string, service = "maintenance") =>
  call("DELETE", `/internal/holds/${kind}/${holderId}`, undefined, service);
const heldBy = async (vehicleId: string) => {
  const [r] = await h.db.query<{ kind: string; holderId: string }>(
    `SELECT kind::text AS kind, "holderId" FROM "VehicleHold" WHERE "vehicleId" = $1::uuid`,
    [vehicleId],
  );
  return r ?? null;
};

const buyer = (): Viewer => ({
  id: crypto.randomUUID(),
  role: "BUYER",
  name: "Lee",
  email: "lee@junggo.test",
});
const approvedBilling: BillingPort = {
  fastRefusal: () => null,
  charge: async () => ({ kind: "approved", paymentId: crypto.randomUUID() }),
};
/** The purchase's id, or the refusal's code. */
const buy = async (vehicleId: string) => {
  try {
    return (await makeRequestPurchase(deps, approvedBilling)(buyer(), vehicleId)).id;
  } catch (err) {
    if (err instanceof DomainError) return err.code;
    throw err;
  }
};
const UUID = /^[0-9a-f-]{36}$/;

describe("internal holds API", () => {
  it("a REPAIR hold takes a free car once (idempotent), refuses others and buyers, and is given back", async () => {
    const car = await registerVehicle();
    const order = crypto.randomUUID();
    expect(await take(car, "REPAIR", order)).toEqual({ status: 200, body: { taken: true } });
    expect(await take(car, "REPAIR", order)).toEqual({ status: 200, body: { taken: true } });
    expect(await heldBy(car)).toEqual({ kind: "REPAIR", holderId: order });
    expect(await take(car, "REPAIR", crypto.randomUUID())).toMatchObject({
      status: 409,
      body: { code: "VEHICLE_NOT_AVAILABLE", heldBy: "REPAIR" },
    });
    expect(await buy(car)).toBe("VEHICLE_NOT_AVAILABLE");
    expect(await giveBack("REPAIR", order)).toEqual({ status: 204, body: null });
    expect(await giveBack("REPAIR", order)).toEqual({ status: 204, body: null });
    expect(await heldBy(car)).toBeNull();
    expect(await buy(car)).toMatch(UUID);
  });

  it("a car a buyer holds is refused to the workshop and to the seller (heldBy PURCHASE)", async () => {
    const car = await registerVehicle();
    const purchaseId = await buy(car);
    expect(purchaseId).toMatch(UUID);
    expect(await take(car, "REPAIR", crypto.randomUUID())).toMatchObject({
      status: 409,
      body: { code: "VEHICLE_NOT_AVAILABLE", heldBy: "PURCHASE" },
    });
    expect(await take(car, "WITHDRAWAL", crypto.randomUUID(), "acquisition")).toMatchObject({
      status: 409,
      body: { code: "VEHICLE_NOT_AVAILABLE", heldBy: "PURCHASE" },
    });
    // A give-back of a hold someone else has never frees the car.
    expect(await giveBack("REPAIR", purchaseId)).toMatchObject({ status: 204 });
    expect(await heldBy(car)).toEqual({ kind: "PURCHASE", holderId: purchaseId });
    // The repository's release by kind and holder (returns give the car back this way).
    await h.db.transaction(async (tx) => {
      expect(
        await vehicleHoldRepository.release(tx, { vehicleId: car, kind: "PURCHASE", holderId: purchaseId }),
      ).toBe(true);
      expect(
        await vehicleHoldRepository.release(tx, { vehicleId: car, kind: "PURCHASE", holderId: purchaseId }),
      ).toBe(false);
    });
    expect(await take(car, "REPAIR", crypto.randomUUID())).toMatchObject({ status: 200 });
  });

  it("a WITHDRAWAL replaces the workshop's hold, and nobody takes the car from it", async () => {
    const car = await registerVehicle();
    const order = crypto.randomUUID();
    const sellRequest = crypto.randomUUID();
    expect(await take(car, "REPAIR", order)).toMatchObject({ status: 200 });
    expect(await take(car, "WITHDRAWAL", sellRequest, "acquisition")).toEqual({
      status: 200,
      body: { taken: true },
    });
    expect(await take(car, "WITHDRAWAL", sellRequest, "acquisition")).toMatchObject({ status: 200 });
    expect(await heldBy(car)).toEqual({ kind: "WITHDRAWAL", holderId: sellRequest });
    expect(await take(car, "REPAIR", order)).toMatchObject({ status: 409, body: { heldBy: "WITHDRAWAL" } });
    expect(await giveBack("REPAIR", order)).toMatchObject({ status: 204 });
    expect(await heldBy(car)).toEqual({ kind: "WITHDRAWAL", holderId: sellRequest });
    expect(await buy(car)).toBe("VEHICLE_NOT_AVAILABLE");
    // A failed cancellation gives its WITHDRAWAL back: the car is free again.
    expect(await giveBack("WITHDRAWAL", sellRequest, "acquisition")).toMatchObject({ status: 204 });
    expect(await heldBy(car)).toBeNull();
  });

  it("answers 404 for a car purchase does not know, 400 per field, and one holder holds one car", async () => {
    expect(await take(crypto.randomUUID(), "REPAIR", crypto.randomUUID())).toMatchObject({
      status: 404,
      body: { code: "VEHICLE_NOT_FOUND" },
    });
    const car = await registerVehicle();
    expect(await take("nope", "REPAIR", crypto.randomUUID())).toMatchObject({
      status: 400,
      body: { code: "BAD_USER_INPUT", field: "vehicleId" },
    });
    for (const kind of ["PURCHASE", "INSPECTION", "x"])
      expect(await take(car, kind, crypto.randomUUID())).toMatchObject({
        status: 400,
        body: { code: "BAD_USER_INPUT", field: "kind" },
      });
    expect(await take(car, "REPAIR", "1")).toMatchObject({ status: 400, body: { field: "holderId" } });
    expect(await call("POST", "/internal/holds", "[not json")).toMatchObject({
      status: 400,
      body: { code: "BAD_USER_INPUT", field: "body" },
    });
    expect(await giveBack("PURCHASE", crypto.randomUUID())).toMatchObject({
      status: 400,
      body: { field: "kind" },
    });
    expect(await giveBack("REPAIR", "x")).toMatchObject({ status: 400, body: { field: "holderId" } });
    const order = crypto.randomUUID();
    expect(await take(car, "REPAIR", order)).toMatchObject({ status: 200 });
    expect(await take(await registerVehicle(), "REPAIR", order)).toMatchObject({
      status: 400,
      body: { field: "holderId" },
    });
  });

  it("only maintenance and acquisition get in", async () => {
    const car = await registerVehicle();
    const holder = crypto.randomUUID();
    expect(
      await call("POST", "/internal/holds", { vehicleId: car, kind: "REPAIR", holderId: holder }, null),
    ).toMatchObject({ status: 401, body: { code: "UNAUTHENTICATED" } });
    expect(await take(car, "REPAIR", holder, "billing")).toMatchObject({
      status: 403,
      body: { code: "FORBIDDEN" },
    });
    expect(await giveBack("REPAIR", holder, "stock")).toMatchObject({ status: 403 });
    const forged = await fetch(`${server.url}/internal/holds/REPAIR/${holder}`, {
      method: "DELETE",
      headers: {
        authorization: `Bearer ${await signServiceToken("maintenance", "another-secret-0123456789abcdef")}`,
      },
    });
    expect(forged.status).toBe(401);
    expect(await heldBy(car)).toBeNull();
  });

  it("of two racing REPAIR claims on one car exactly one wins", async () => {
    const car = await registerVehicle();
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => take(car, "REPAIR", crypto.randomUUID())).map((p) =>
        p.then((r) => r.status),
      ),
    );
    expect(answers.filter((s) => s === 200)).toHaveLength(1);
    expect(answers.filter((s) => s === 409)).toHaveLength(5);
  });
});

describe("purchase's consumers of the workshop's and the seller's events", () => {
  it("a car bought from a seller is held for its inspection until the inspection is DONE (redeliveries change nothing)", async () => {
    const sellRequestId = crypto.randomUUID();
    const car = crypto.randomUUID();
    const registered = newEvent(
      "VehicleRegistered",
      {
        vehicleId: car,
        vin: "KNAG",
        make: "Kia",
        model: "Sorento",
        year: 2021,
        mileageKm: 20_000,
        priceKrw: 30_000_000,
        status: "IN_REPAIR",
        sellRequestId,
      },
      { producer: "stock" },
    );
    await handle("VehicleRegistered", registered.payload, registered);
    await handle("VehicleRegistered", registered.payload, registered);
    expect(await heldBy(car)).toEqual({ kind: "INSPECTION", holderId: sellRequestId });
    expect(await buy(car)).toBe("VEHICLE_NOT_AVAILABLE");
    expect(await take(car, "REPAIR", crypto.randomUUID())).toMatchObject({
      status: 409,
      body: { heldBy: "INSPECTION" },
    });

    const repairOrderId = crypto.randomUUID();
    const done = newEvent(
      "RepairOrderCompleted",
      { repairOrderId, vehicleId: car, kind: "INSPECTION", sellRequestId, outcome: "DONE" },
      { producer: "maintenance" },
    );
    await handle("RepairOrderCompleted", done.payload, done);
    expect(await heldBy(car)).toBeNull();
    const purchaseId = await buy(car);
    expect(purchaseId).toMatch(UUID);
    // Redelivered after a buyer took the car: the buyer's hold stays.
    await handle("RepairOrderCompleted", done.payload, done);
    await handle("VehicleRegistered", registered.payload, registered);
    expect(await heldBy(car)).toEqual({ kind: "PURCHASE", holderId: purchaseId });
  });

  it("a car registered AVAILABLE (dealer's own stock) is not held", async () => {
    const car = await registerVehicle({ sellRequestId: crypto.randomUUID() });
    expect(await heldBy(car)).toBeNull();
  });

  it("a completed REPAIR gives its own hold back", async () => {
    const car = await registerVehicle();
    const repairOrderId = crypto.randomUUID();
    expect(await take(car, "REPAIR", repairOrderId)).toMatchObject({ status: 200 });
    await handle("RepairOrderCompleted", {
      repairOrderId: crypto.randomUUID(),
      vehicleId: car,
      kind: "REPAIR",
      sellRequestId: null,
      outcome: "DONE",
    });
    expect(await heldBy(car)).toEqual({ kind: "REPAIR", holderId: repairOrderId });
    await handle("RepairOrderCompleted", {
      repairOrderId,
      vehicleId: car,
      kind: "REPAIR",
      sellRequestId: null,
      outcome: "DONE",
    });
    expect(await heldBy(car)).toBeNull();
    expect(await buy(car)).toMatch(UUID);
  });

  it("a seller's withdrawal keeps the car held and out of sale for good", async () => {
    const sellRequestId = crypto.randomUUID();
    const car = await registerVehicle({ status: "IN_REPAIR", sellRequestId });
    expect(await take(car, "WITHDRAWAL", sellRequestId, "acquisition")).toMatchObject({ status: 200 });
    await handle("RepairOrderCompleted", {
      repairOrderId: crypto.randomUUID(),
      vehicleId: car,
      kind: "INSPECTION",
      sellRequestId,
      outcome: "WITHDRAWN",
    });
    expect(await heldBy(car)).toEqual({ kind: "WITHDRAWAL", holderId: sellRequestId });
    const withdrawn = newEvent("VehicleWithdrawn", { vehicleId: car, sellRequestId }, { producer: "stock" });
    await handle("VehicleWithdrawn", withdrawn.payload, withdrawn);
    await handle("VehicleWithdrawn", withdrawn.payload, withdrawn);
    expect((await vehicleProjectionRepository.byId(deps.db, car))?.status).toBe("WITHDRAWN");
    // Even if the hold were given back, the projection keeps the car out of sale.
    expect(await giveBack("WITHDRAWAL", sellRequestId, "acquisition")).toMatchObject({ status: 204 });
    expect(await heldBy(car)).toBeNull();
    expect(await buy(car)).toBe("VEHICLE_NOT_AVAILABLE");
  });
});
