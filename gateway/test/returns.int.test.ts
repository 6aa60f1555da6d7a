import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorCode, eventually, TestSystem, type GqlResult } from "./support/harness.ts";
import { buyWhenKnown, purchaseOf, Q, settled, VehiclePicker } from "./support/junggo.ts";
import { LiveClient, metrics, serviceUrl } from "./support/live.ts";

// 3-day returns through the gateway on a real stack, with purchase's return window shortened so
// that a closed window is reached within the test. The car's way back (RETURN_PICKUP job →
// RETURNED, refund, car for sale again) is covered at the consumer level in
// subgraphs/purchase/test/returns.int.test.ts until consignment offers that job.
const WINDOW_MS = 20_000;
let sys: TestSystem;
let cars: VehiclePicker;
let buyer: string, buyer2: string, seller: string, driver: string, staff: string;
const clients: LiveClient[] = [];
/** Delivered first, so that its window closes while the first test runs. */
let lateCar: { id: string; deliveredAt: Date };

const REQUEST_RETURN = `mutation ($purchaseId: ID!, $reason: String!) { requestReturn(purchaseId: $purchaseId, reason: $reason) {
  id status deliveredAt returnRequestedAt returnReason returnedAt vehicle { id make } payment { status amountKrw } } }`;
const RETURN_NOW = `query ($id: ID!) { purchase(id: $id) { id status deliveredAt returnRequestedAt returnReason returnedAt } }`;
const PURCHASE_LIVE = `subscription ($id: ID) { purchaseStatusChanged(purchaseId: $id) {
  id status returnReason returnRequestedAt vehicle { id make } payment { status } } }`;

function live(token: string) {
  const c = new LiveClient(sys, token);
  clients.push(c);
  return c;
}

beforeAll(async () => {
  sys = await TestSystem.start({ serviceEnv: { purchase: { RETURN_WINDOW_MS: String(WINDOW_MS) } } });
  cars = new VehiclePicker(sys);
  buyer = await sys.login("buyer@junggo.test");
  buyer2 = await sys.login("buyer2@junggo.test");
  seller = await sys.login("seller@junggo.test");
  driver = await sys.login("driver@junggo.test");
  staff = await sys.login("staff@junggo.test");
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => {})));
  await sys?.stop();
});

/** Buys a car as `buyer` and has the driver deliver it (accept, pick up, complete), as drivers do. */
async function buyAndDeliver(beforeDelivery?: (purchaseId: string) => Promise<void>) {
  const car = await cars.next();
  const r = await buyWhenKnown(sys, buyer, car.id);
  expect(r.errors).toBeUndefined();
  const id = r.data.requestPurchase.id as string;
  if (beforeDelivery) await beforeDelivery(id);
  const job = await eventually(async () => {
    const d = await sys.ok(Q.openConsignments, {}, driver);
    return (d.openConsignments as { id: string; purchaseId: string }[]).find((c) => c.purchaseId === id);
  }, `a delivery job for purchase ${id}`);
  await sys.ok(Q.accept, { id: job.id }, driver);
  await sys.ok(Q.pickUp, { id: job.id }, driver);
  await sys.ok(Q.complete, { id: job.id }, driver);
  const delivered = await eventually(async () => {
    const p = (await sys.ok(RETURN_NOW, { id }, buyer)).purchase;
    return p.status === "DELIVERED" ? p : null;
  }, `purchase ${id} DELIVERED`);
  return { car, id, deliveredAt: new Date(delivered.deliveredAt as string) };
}

const refusal = (r: GqlResult) => ({ code: errorCode(r), field: r.errors?.[0]?.extensions?.field });

describe("returning a delivered car", () => {
  it("the buyer returns within the window: RETURN_REQUESTED by query and live; refusals leave it untouched", async () => {
    const buyerLive = live(buyer).subscribe(PURCHASE_LIVE);
    const staffLive = live(staff).subscribe(PURCHASE_LIVE);
    const otherLive = live(buyer2).subscribe(PURCHASE_LIVE);
    await eventually(
      async () => (await metrics(serviceUrl(sys, "purchase"))).junggo_live_listeners! >= 3,
      "purchase listeners",
    );

    lateCar = await buyAndDeliver();
    // Not delivered yet: not returnable.
    const { car, id } = await buyAndDeliver(async (paidId) => {
      const early = await sys.gql(REQUEST_RETURN, { purchaseId: paidId, reason: "Changed my mind" }, buyer);
      expect(refusal(early).code).toBe("PURCHASE_NOT_RETURNABLE");
      expect(early.errors?.[0]?.message).toMatch(/Only a delivered car can be returned/);
    });
    await buyerLive.waitFor(
      (p) => p.data?.purchaseStatusChanged?.id === id && p.data.purchaseStatusChanged.status === "DELIVERED",
      "DELIVERED pushed",
    );

    // Who may not, and what is not valid, changes nothing.
    const ask = (token: string | undefined, vars: Record<string, unknown> = {}) =>
      sys.gql(REQUEST_RETURN, { purchaseId: id, reason: "Engine noise", ...vars }, token);
    expect(refusal(await ask(undefined)).code).toBe("UNAUTHENTICATED");
    for (const token of [buyer2, staff, driver, seller])
      expect(refusal(await ask(token)).code).toBe("FORBIDDEN");
    expect(refusal(await ask(buyer, { purchaseId: crypto.randomUUID() })).code).toBe("PURCHASE_NOT_FOUND");
    expect(refusal(await ask(buyer, { purchaseId: "1 OR 1=1" }))).toEqual({
      code: "BAD_USER_INPUT",
      field: "purchaseId",
    });
    expect(refusal(await ask(buyer, { reason: "   " }))).toEqual({ code: "BAD_USER_INPUT", field: "reason" });
    expect(refusal(await ask(buyer, { reason: "x".repeat(501) }))).toEqual({
      code: "BAD_USER_INPUT",
      field: "reason",
    });
    expect((await sys.ok(RETURN_NOW, { id }, buyer)).purchase).toMatchObject({
      status: "DELIVERED",
      returnRequestedAt: null,
      returnReason: null,
    });

    const r = (
      await sys.ok(REQUEST_RETURN, { purchaseId: id, reason: "  Engine noise above 80 km/h " }, buyer)
    ).requestReturn;
    expect(r).toMatchObject({
      id,
      status: "RETURN_REQUESTED",
      returnReason: "Engine noise above 80 km/h",
      returnedAt: null,
      vehicle: { id: car.id, make: car.make },
      payment: { status: "APPROVED", amountKrw: car.priceKrw },
    });
    expect(new Date(r.returnRequestedAt).getTime()).toBeGreaterThanOrEqual(new Date(r.deliveredAt).getTime());
    expect((await sys.ok(RETURN_NOW, { id }, buyer)).purchase).toMatchObject({
      status: "RETURN_REQUESTED",
      returnReason: "Engine noise above 80 km/h",
      returnRequestedAt: r.returnRequestedAt,
    });
    expect((await purchaseOf(sys, staff, id)).status).toBe("RETURN_REQUESTED");

    // Pushed live, with fields from other subgraphs, to the buyer and staff; not to another buyer.
    for (const [s, who] of [
      [buyerLive, "buyer"],
      [staffLive, "staff"],
    ] as const) {
      const pushed = await s.waitFor(
        (p) =>
          p.data?.purchaseStatusChanged?.id === id &&
          p.data.purchaseStatusChanged.status === "RETURN_REQUESTED",
        `RETURN_REQUESTED pushed to ${who}`,
      );
      expect(pushed.data!.purchaseStatusChanged).toEqual({
        id,
        status: "RETURN_REQUESTED",
        returnReason: "Engine noise above 80 km/h",
        returnRequestedAt: r.returnRequestedAt,
        vehicle: { id: car.id, make: car.make },
        payment: { status: "APPROVED" },
      });
    }

    // Twice: refused; one PurchaseReturnRequested in the stream.
    expect(refusal(await ask(buyer)).code).toBe("PURCHASE_NOT_RETURNABLE");
    await settled(sys);
    const requested = await sys.events({ purchaseId: id, type: "PurchaseReturnRequested" });
    expect(requested.map((e) => e.payload)).toEqual([
      {
        purchaseId: id,
        vehicleId: car.id,
        buyerId: expect.any(String),
        reason: "Engine noise above 80 km/h",
        paymentId: expect.any(String),
        priceKrw: car.priceKrw,
      },
    ]);
    expect(otherLive.received.filter((p) => p.data?.purchaseStatusChanged?.id === id)).toEqual([]);
  });

  it("after the window (measured from the delivery): RETURN_WINDOW_CLOSED, the purchase stays DELIVERED", async () => {
    const { id, deliveredAt } = lateCar;
    const wait = deliveredAt.getTime() + WINDOW_MS + 1_000 - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const late = await sys.gql(REQUEST_RETURN, { purchaseId: id, reason: "Too late" }, buyer);
    expect(refusal(late).code).toBe("RETURN_WINDOW_CLOSED");
    expect(late.errors?.[0]?.message).toContain(new Date(deliveredAt.getTime() + WINDOW_MS).toISOString());
    expect((await sys.ok(RETURN_NOW, { id }, buyer)).purchase).toMatchObject({
      status: "DELIVERED",
      returnRequestedAt: null,
    });
    expect(await sys.events({ purchaseId: id, type: "PurchaseReturnRequested" })).toEqual([]);
  });
});
