import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newEvent, type EventEnvelope } from "@junggo/events";
import { errorCode, eventually, TestSystem } from "./support/harness.ts";
import { buyWhenKnown, purchaseOf, Q, settled, VehiclePicker } from "./support/junggo.ts";
import { LiveClient, metrics, serviceUrl } from "./support/live.ts";

// Every kind of driver job through the gateway, on a real stack: a seller's car fetched by a
// driver (SELLER_PICKUP) and a buyer's returned car fetched back (RETURN_PICKUP). The events that
// open them come from contexts that may not be served by this stack, so the test publishes them
// on the stream as their producer's outbox relay would.
let sys: TestSystem;
let cars: VehiclePicker;
let buyer: string, seller: string, driver: string, staff: string;
let sellerId: string, buyerId: string;
const clients: LiveClient[] = [];

const JOB_FIELDS = `id kind status purchaseId sellRequestId purchase { id } vehicle { id } driver { name }`;
const JOB = `query ($id: ID!) { consignment(id: $id) { ${JOB_FIELDS} } }`;
const OPEN = `{ openConsignments { ${JOB_FIELDS} } }`;
const MINE = `{ myConsignments { ${JOB_FIELDS} } }`;
const LIVE = `subscription ($id: ID) { deliveryStatusChanged(purchaseId: $id) { id kind status purchaseId sellRequestId } }`;
const REQUEST_RETURN = `mutation ($id: ID!, $reason: String!) { requestReturn(purchaseId: $id, reason: $reason) { id status } }`;

beforeAll(async () => {
  sys = await TestSystem.start();
  cars = new VehiclePicker(sys);
  buyer = await sys.login("buyer@junggo.test");
  seller = await sys.login("seller@junggo.test");
  driver = await sys.login("driver@junggo.test");
  staff = await sys.login("staff@junggo.test");
  sellerId = (await sys.ok(Q.me, {}, seller)).me.id;
  buyerId = (await sys.ok(Q.me, {}, buyer)).me.id;
});
afterAll(async () => {
  for (const c of clients) await c.close().catch(() => {});
  await sys?.stop();
});

/** A live subscription of `token`'s, once it is active (upstream socket + NATS interest). */
async function live(token: string, variables: Record<string, unknown> = {}) {
  const c = new LiveClient(sys, token);
  clients.push(c);
  const s = c.subscribe(LIVE, variables);
  await eventually(
    async () => (await metrics(serviceUrl(sys, "consignment"))).junggo_live_listeners! >= clients.length,
    "consignment listeners",
  );
  return s;
}

/** The open job a driver sees for `match`, once consignment has handled the event that opens it. */
const openJob = (match: (j: any) => boolean, what: string) =>
  eventually(async () => ((await sys.ok(OPEN, {}, driver)).openConsignments as any[]).find(match), what);

/** A driver takes the job and brings the car to its destination. */
async function run(jobId: string) {
  expect((await sys.ok(Q.accept, { id: jobId }, driver)).acceptConsignment.status).toBe("ASSIGNED");
  expect((await sys.ok(Q.pickUp, { id: jobId }, driver)).pickUpConsignment.status).toBe("PICKED_UP");
  expect((await sys.ok(Q.complete, { id: jobId }, driver)).completeConsignment.status).toBe("DELIVERED");
}

const statusesOf = (received: { data?: any }[], id: string) =>
  received.map((p) => p.data?.deliveryStatusChanged).filter((j) => j?.id === id);

describe("a seller's car: SELLER_PICKUP", () => {
  it("SellRequestAccepted opens a job drivers see with its kind; a driver accepts, picks up and delivers it; its seller follows it", async () => {
    const sellRequestId = randomUUID();
    const vehicleId = randomUUID();
    const sellerLive = await live(seller);
    const accepted = newEvent(
      "SellRequestAccepted",
      {
        sellRequestId,
        sellerId,
        offerKrw: 11_000_000,
        vehicleId,
        listPriceKrw: 13_900_000,
        vin: "KMHD341CBKU654321",
        make: "Hyundai",
        model: "Sonata",
        year: 2018,
        mileageKm: 61_000,
        vehicleName: "2018 Hyundai Sonata",
        decidedBy: randomUUID(),
      },
      { producer: "acquisition" },
    );
    await sys.redeliver(accepted);

    const job = await openJob(
      (j) => j.sellRequestId === sellRequestId,
      "the seller pickup offered to drivers",
    );
    expect(job).toMatchObject({
      kind: "SELLER_PICKUP",
      status: "REQUESTED",
      purchaseId: null,
      purchase: null,
      vehicle: { id: vehicleId },
      driver: null,
    });
    // Who sees it: its seller and staff (and drivers, above); a buyer neither by id nor in the open list.
    expect((await sys.ok(JOB, { id: job.id }, seller)).consignment).toMatchObject({ kind: "SELLER_PICKUP" });
    expect((await sys.ok(JOB, { id: job.id }, staff)).consignment).toMatchObject({ id: job.id });
    expect((await sys.ok(JOB, { id: job.id }, buyer)).consignment).toBeNull();
    expect(errorCode(await sys.gql(OPEN, {}, buyer))).toBe("FORBIDDEN");
    expect(errorCode(await sys.gql(OPEN, {}, seller))).toBe("FORBIDDEN");

    await run(job.id);
    expect((await sys.ok(JOB, { id: job.id }, seller)).consignment).toMatchObject({
      status: "DELIVERED",
      driver: { name: "Jung Hyunwoo" },
    });
    expect(((await sys.ok(MINE, {}, seller)).myConsignments as any[]).map((j) => j.id)).toContain(job.id);
    await sellerLive.waitFor(
      (p) => p.data?.deliveryStatusChanged?.status === "DELIVERED",
      "DELIVERED pushed",
    );
    expect(statusesOf(sellerLive.received, job.id).map((j) => j.status)).toEqual([
      "REQUESTED",
      "ASSIGNED",
      "PICKED_UP",
      "DELIVERED",
    ]);

    // What acquisition and stock are told: the sell request's job, delivered to the lot.
    const delivered = (await sys.events({ type: "ConsignmentDelivered" })).find(
      (e) => (e as EventEnvelope<"ConsignmentDelivered">).payload.consignmentId === job.id,
    );
    expect(delivered).toMatchObject({
      sellRequestId,
      payload: { kind: "SELLER_PICKUP", sellRequestId, sellerId, purchaseId: null, buyerId: null, vehicleId },
    });
    expect(delivered).not.toHaveProperty("purchaseId");

    // The acceptance delivered again opens nothing more.
    await sys.redeliver(accepted);
    await settled(sys);
    const jobs = ((await sys.ok(MINE, {}, staff)).myConsignments as any[]).filter(
      (j) => j.sellRequestId === sellRequestId,
    );
    expect(jobs).toMatchObject([{ id: job.id, status: "DELIVERED" }]);
  });
});

describe("a buyer's return: RETURN_PICKUP", () => {
  it("a return opens a job at the buyer beside the delivery; a driver brings the car back; the purchase's live delivery status carries it", async () => {
    // A delivered purchase.
    const car = await cars.next();
    const purchaseId = (await buyWhenKnown(sys, buyer, car.id)).data.requestPurchase.id as string;
    const delivery = await openJob((j) => j.purchaseId === purchaseId, "the delivery job");
    expect(delivery).toMatchObject({ kind: "DELIVERY", sellRequestId: null, purchase: { id: purchaseId } });
    await run(delivery.id);
    await eventually(
      async () => (await purchaseOf(sys, buyer, purchaseId)).status === "DELIVERED",
      "purchase DELIVERED",
    );
    const buyerLive = await live(buyer, { id: purchaseId });

    // The buyer asks for the return: through requestReturn where the purchase context serves it,
    // else the event it writes, published here.
    const asked = await sys.gql(REQUEST_RETURN, { id: purchaseId, reason: "Rattle at speed" }, buyer);
    if (errorCode(asked) === "GRAPHQL_VALIDATION_FAILED") {
      await sys.redeliver(
        newEvent(
          "PurchaseReturnRequested",
          {
            purchaseId,
            vehicleId: car.id,
            buyerId,
            reason: "Rattle at speed",
            paymentId: randomUUID(),
            priceKrw: car.priceKrw,
          },
          { producer: "purchase" },
        ),
      );
    } else {
      expect(asked.errors).toBeUndefined();
    }

    const pickup = await openJob(
      (j) => j.purchaseId === purchaseId && j.kind === "RETURN_PICKUP",
      "the return pickup offered to drivers",
    );
    expect(pickup).toMatchObject({
      status: "REQUESTED",
      sellRequestId: null,
      purchase: { id: purchaseId },
      vehicle: { id: car.id },
    });
    expect((await sys.ok(JOB, { id: pickup.id }, buyer)).consignment).toMatchObject({
      kind: "RETURN_PICKUP",
    });
    await run(pickup.id);

    await buyerLive.waitFor(
      (p) =>
        p.data?.deliveryStatusChanged?.id === pickup.id &&
        p.data.deliveryStatusChanged.status === "DELIVERED",
      "the return pickup's DELIVERED pushed on the purchase's delivery status",
    );
    expect(statusesOf(buyerLive.received, pickup.id)).toEqual(
      ["REQUESTED", "ASSIGNED", "PICKED_UP", "DELIVERED"].map((status) => ({
        id: pickup.id,
        kind: "RETURN_PICKUP",
        status,
        purchaseId,
        sellRequestId: null,
      })),
    );
    // Purchase.consignment stays the delivery; the buyer's jobs list both.
    expect((await purchaseOf(sys, buyer, purchaseId)).consignment).toMatchObject({ id: delivery.id });
    const mine = ((await sys.ok(MINE, {}, buyer)).myConsignments as any[]).filter(
      (j) => j.purchaseId === purchaseId,
    );
    expect(mine.map((j) => j.kind).sort()).toEqual(["DELIVERY", "RETURN_PICKUP"]);
  });
});
