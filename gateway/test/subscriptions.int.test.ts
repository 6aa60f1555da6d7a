import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateSigningKey, importSigningKey, readKeyFile, signAccessToken } from "@junggo/runtime";
import { eventually, TestSystem } from "./support/harness.ts";
import { buyWhenKnown, purchaseOf, Q, settled, VehiclePicker } from "./support/junggo.ts";
import { LiveClient, metrics, serviceUrl, type Subscription } from "./support/live.ts";
import { LIVE_EVENT_TYPES } from "@junggo/runtime";

// Federated subscriptions through the gateway's one endpoint, on a real stack.
let sys: TestSystem;
let cars: VehiclePicker;
let buyer: string, buyer2: string, driver: string, staff: string;
const clients: LiveClient[] = [];

const PURCHASE_LIVE = `subscription ($id: ID) { purchaseStatusChanged(purchaseId: $id) {
  id status priceKrw vehicle { id make model } payment { status amountKrw } consignment { status eta driver { name } } } }`;
const DELIVERY_LIVE = `subscription ($id: ID) { deliveryStatusChanged(purchaseId: $id) {
  id purchaseId status eta driver { name } purchase { id status vehicle { make model } } } }`;
// The same selections as queries, to compare a pushed payload with what a query returns.
const PURCHASE_NOW = `query ($id: ID!) { purchase(id: $id) {
  id status priceKrw vehicle { id make model } payment { status amountKrw } consignment { status eta driver { name } } } }`;
const DELIVERY_NOW = `query ($id: ID!) { consignment(id: $id) {
  id purchaseId status eta driver { name } purchase { id status vehicle { make model } } } }`;

function live(token: string | null) {
  const c = new LiveClient(sys, token);
  clients.push(c);
  return c;
}

const statuses = (s: Subscription<any>, field: string, purchaseId: string) =>
  s.received
    .map((p) => p.data?.[field])
    .filter((x) => x && (x.id === purchaseId || x.purchaseId === purchaseId))
    .map((x) => x.status);

beforeAll(async () => {
  sys = await TestSystem.start();
  cars = new VehiclePicker(sys);
  buyer = await sys.login("buyer@junggo.test");
  buyer2 = await sys.login("buyer2@junggo.test");
  driver = await sys.login("driver@junggo.test");
  staff = await sys.login("staff@junggo.test");
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => {})));
  await sys?.stop();
});

describe("subscriptions through the gateway", () => {
  it("refuses connections without a valid login: none, garbage, expired, tampered, wrongly signed", async () => {
    const me = (await sys.ok(Q.me, {}, buyer)).me;
    const expired = await sys.signToken(me, 1);
    await new Promise((r) => setTimeout(r, 2100));
    const [head, body, sig] = buyer.split(".");
    const claims = JSON.parse(Buffer.from(body!, "base64url").toString());
    const tampered = [
      head,
      Buffer.from(JSON.stringify({ ...claims, role: "STAFF" })).toString("base64url"),
      sig,
    ].join(".");
    // Another ES256 key that claims to be the real one (same kid).
    const foreign = await generateSigningKey();
    const { active } = readKeyFile(sys.stack.jwtKeysFile);
    const wronglySigned = await signAccessToken(
      { ...me, role: "STAFF" },
      { ...(await importSigningKey({ active: foreign.kid, keys: [foreign] })), kid: active },
      3600,
    );
    for (const token of [null, "not-a-jwt", expired, tampered, wronglySigned]) {
      const c = live(token);
      const s = c.subscribe(PURCHASE_LIVE);
      await s.waitFor((p) => !!p.errors, "the connection to be refused");
      expect(c.closedWith?.code).toBe(4403);
      expect(s.received.some((p) => p.data)).toBe(false);
    }
  });

  it("pushes every status of a purchase and its delivery, in order, complete across subgraphs and equal to a query", async () => {
    const buyerLive = live(buyer);
    const mine = buyerLive.subscribe(PURCHASE_LIVE);
    const myDelivery = buyerLive.subscribe(DELIVERY_LIVE);
    const otherBuyer = live(buyer2).subscribe(PURCHASE_LIVE);
    const otherBuyerDelivery = live(buyer2).subscribe(DELIVERY_LIVE);
    const staffLive = live(staff).subscribe(PURCHASE_LIVE);
    const driverLive = live(driver).subscribe(DELIVERY_LIVE);
    // Subscriptions become active asynchronously (upstream socket + NATS interest).
    await eventually(
      async () => (await metrics(serviceUrl(sys, "purchase"))).junggo_live_listeners! >= 3,
      "purchase listeners",
    );
    await eventually(
      async () => (await metrics(serviceUrl(sys, "consignment"))).junggo_live_listeners! >= 3,
      "consignment listeners",
    );

    const car = await cars.next();
    const r = await buyWhenKnown(sys, buyer, car.id);
    const id = r.data.requestPurchase.id as string;

    const paid = await mine.waitFor((p) => p.data?.purchaseStatusChanged?.id === id, "PAID pushed");
    expect(paid.data!.purchaseStatusChanged).toMatchObject({
      id,
      status: "PAID",
      priceKrw: car.priceKrw,
      vehicle: { id: car.id, make: car.make, model: car.model },
      payment: { status: "APPROVED", amountKrw: car.priceKrw },
    });
    const requested = await driverLive.waitFor(
      (p) => p.data?.deliveryStatusChanged?.purchaseId === id,
      "open job pushed to drivers",
    );
    const job = requested.data!.deliveryStatusChanged;
    expect(job).toMatchObject({ status: "REQUESTED", driver: null, purchase: null });

    await sys.ok(Q.accept, { id: job.id }, driver);
    const assigned = await myDelivery.waitFor(
      (p) => p.data?.deliveryStatusChanged?.status === "ASSIGNED",
      "ASSIGNED pushed to the buyer",
    );
    expect(assigned.data!.deliveryStatusChanged).toMatchObject({
      purchaseId: id,
      driver: { name: expect.any(String) },
      purchase: { id, status: "PAID", vehicle: { make: car.make } },
    });
    expect(assigned.data!.deliveryStatusChanged.eta).toEqual(expect.any(String));
    // Nothing else moved in between: the pushed payload is what the same selection returns now.
    await settled(sys);
    expect(assigned.data!.deliveryStatusChanged).toEqual(
      (await sys.ok(DELIVERY_NOW, { id: job.id }, buyer)).consignment,
    );

    await sys.ok(Q.pickUp, { id: job.id }, driver);
    const delivering = await mine.waitFor(
      (p) => p.data?.purchaseStatusChanged?.status === "DELIVERING",
      "DELIVERING pushed",
    );
    await settled(sys);
    expect(delivering.data!.purchaseStatusChanged).toEqual(
      (await sys.ok(PURCHASE_NOW, { id }, buyer)).purchase,
    );
    expect(delivering.data!.purchaseStatusChanged.consignment).toMatchObject({
      status: "PICKED_UP",
      driver: { name: expect.any(String) },
    });

    await sys.ok(Q.complete, { id: job.id }, driver);
    await mine.waitFor((p) => p.data?.purchaseStatusChanged?.status === "DELIVERED", "DELIVERED pushed");
    await myDelivery.waitFor(
      (p) => p.data?.deliveryStatusChanged?.status === "DELIVERED",
      "delivery DELIVERED pushed",
    );
    await staffLive.waitFor(
      (p) => p.data?.purchaseStatusChanged?.status === "DELIVERED",
      "DELIVERED pushed to staff",
    );
    await driverLive.waitFor(
      (p) => p.data?.deliveryStatusChanged?.status === "DELIVERED",
      "DELIVERED pushed to the driver",
    );
    await settled(sys);

    // Per-subscription ordering: the statuses arrive in the order they happened, each once.
    expect(statuses(mine, "purchaseStatusChanged", id)).toEqual(["PAID", "DELIVERING", "DELIVERED"]);
    expect(statuses(staffLive, "purchaseStatusChanged", id)).toEqual(["PAID", "DELIVERING", "DELIVERED"]);
    expect(statuses(myDelivery, "deliveryStatusChanged", id)).toEqual([
      "REQUESTED",
      "ASSIGNED",
      "PICKED_UP",
      "DELIVERED",
    ]);
    expect(statuses(driverLive, "deliveryStatusChanged", id)).toEqual([
      "REQUESTED",
      "ASSIGNED",
      "PICKED_UP",
      "DELIVERED",
    ]);
    // Another buyer never receives this purchase or its delivery.
    expect(otherBuyer.received.filter((p) => p.data)).toEqual([]);
    expect(otherBuyerDelivery.received.filter((p) => p.data)).toEqual([]);
  });

  it("pushes each step once, in order, as it happened, when the driver's steps come back to back", async () => {
    const listeners = async (context: "purchase" | "consignment") =>
      (await metrics(serviceUrl(sys, context))).junggo_live_listeners!;
    const [purchaseBefore, consignmentBefore] = [await listeners("purchase"), await listeners("consignment")];
    const buyerLive = live(buyer);
    const mine = buyerLive.subscribe(PURCHASE_LIVE);
    const myDelivery = buyerLive.subscribe(DELIVERY_LIVE);
    const driverLive = live(driver).subscribe(DELIVERY_LIVE);
    await eventually(async () => (await listeners("purchase")) >= purchaseBefore + 1, "purchase listener");
    await eventually(
      async () => (await listeners("consignment")) >= consignmentBefore + 2,
      "consignment listeners",
    );

    const car = await cars.next();
    const id = (await buyWhenKnown(sys, buyer, car.id)).data.requestPurchase.id as string;
    const requested = await driverLive.waitFor(
      (p) => p.data?.deliveryStatusChanged?.purchaseId === id,
      "open job pushed to the driver",
    );
    const job = requested.data!.deliveryStatusChanged.id as string;
    // The three steps commit while NATS is frozen (their events wait in the outbox), so every push
    // is resolved after the job has reached DELIVERED: the worst case of a quick driver.
    sys.stack.nats.pause();
    try {
      await sys.ok(Q.accept, { id: job }, driver);
      await sys.ok(Q.pickUp, { id: job }, driver);
      await sys.ok(Q.complete, { id: job }, driver);
    } finally {
      sys.stack.nats.resume();
    }
    for (const [sub, field] of [
      [myDelivery, "deliveryStatusChanged"],
      [driverLive, "deliveryStatusChanged"],
      [mine, "purchaseStatusChanged"],
    ] as const)
      await sub.waitFor((p) => p.data?.[field]?.status === "DELIVERED", `DELIVERED in ${field}`);
    await settled(sys);

    const steps = ["REQUESTED", "ASSIGNED", "PICKED_UP", "DELIVERED"];
    expect(statuses(myDelivery, "deliveryStatusChanged", id)).toEqual(steps);
    expect(statuses(driverLive, "deliveryStatusChanged", id)).toEqual(steps);
    expect(statuses(mine, "purchaseStatusChanged", id)).toEqual(["PAID", "DELIVERING", "DELIVERED"]);
    // Each push carries its own step's facts: the ASSIGNED one names the driver, the REQUESTED one none.
    const pushed = myDelivery.received
      .map((p) => p.data?.deliveryStatusChanged)
      .filter((x) => x?.purchaseId === id);
    expect(pushed[0]).toMatchObject({ status: "REQUESTED", driver: null, eta: null });
    expect(pushed[1]).toMatchObject({ status: "ASSIGNED", driver: { name: expect.any(String) } });
  });

  it("follows one purchase when asked, and pushes the refund after a cancel", async () => {
    const car = await cars.next();
    const other = await cars.next();
    const c = live(buyer);
    const r = await buyWhenKnown(sys, buyer, car.id);
    const id = r.data.requestPurchase.id as string;
    const one = c.subscribe(PURCHASE_LIVE, { id });
    await eventually(
      async () => (await metrics(serviceUrl(sys, "purchase"))).junggo_live_listeners! >= 1,
      "listener",
    );
    await new Promise((res) => setTimeout(res, 300));
    const second = (await buyWhenKnown(sys, buyer, other.id)).data.requestPurchase.id as string;

    await sys.ok(Q.cancelPurchase, { id, reason: "changed my mind" }, buyer);
    await one.waitFor((p) => p.data?.purchaseStatusChanged?.status === "CANCELLED", "CANCELLED pushed");
    const refunded = await one.waitFor(
      (p) => p.data?.purchaseStatusChanged?.payment?.status === "REFUNDED",
      "refund pushed",
    );
    expect(refunded.data!.purchaseStatusChanged).toMatchObject({ id, status: "CANCELLED" });
    expect(one.received.every((p) => p.data?.purchaseStatusChanged?.id === id)).toBe(true);
    expect((await purchaseOf(sys, buyer, second)).status).toBe("PAID");
  });

  it("rejects bad arguments, queries over the socket and someone else's purchase id without pushing anything", async () => {
    const c = live(buyer2);
    const bad = c.subscribe(PURCHASE_LIVE, { id: "nope" });
    const badPayload = await bad.waitFor((p) => !!p.errors, "BAD_USER_INPUT");
    expect(badPayload.errors![0]!.extensions?.code).toBe("BAD_USER_INPUT");

    const query = c.subscribe(`{ me { id } }`);
    expect((await query.waitFor((p) => !!p.errors, "refusal")).errors![0]!.extensions?.code).toBe(
      "BAD_REQUEST",
    );

    const invalid = c.subscribe(`subscription { purchaseStatusChanged { nope } }`);
    expect((await invalid.waitFor((p) => !!p.errors, "validation error")).errors![0]!.message).toMatch(
      /nope/,
    );

    // buyer2 follows buyer's purchase by id: the events are not theirs, nothing arrives.
    const car = await cars.next();
    const id = (await buyWhenKnown(sys, buyer, car.id)).data.requestPurchase.id as string;
    const spy = c.subscribe(PURCHASE_LIVE, { id });
    await new Promise((res) => setTimeout(res, 300));
    await sys.ok(Q.cancelPurchase, { id }, buyer);
    await settled(sys);
    await new Promise((res) => setTimeout(res, 500));
    expect(spy.received).toEqual([]);
  });

  it("keeps a subscription running across a crash and restart of the subgraph that serves it", async () => {
    const s = live(buyer).subscribe(PURCHASE_LIVE);
    await eventually(
      async () => (await metrics(serviceUrl(sys, "purchase"))).junggo_live_listeners! >= 1,
      "listener",
    );
    await sys.stack.services.get("purchase")!.kill();
    await sys.stack.services.get("purchase")!.restart();
    // The gateway's upstream socket reconnects and re-subscribes on its own.
    await eventually(
      async () => (await metrics(serviceUrl(sys, "purchase"))).junggo_live_listeners! >= 1,
      "listener after restart",
    );
    const car = await cars.next();
    const id = (await buyWhenKnown(sys, buyer, car.id)).data.requestPurchase.id as string;
    await s.waitFor((p) => p.data?.purchaseStatusChanged?.id === id, "PAID pushed after the restart");
    expect(s.received.filter((p) => p.errors)).toEqual([]);
  });

  it("closes a subscription socket when the login expires", async () => {
    const me = (await sys.ok(Q.me, {}, buyer)).me;
    const shortLived = await sys.signToken(me, 2);
    const c = live(shortLived);
    const s = c.subscribe(PURCHASE_LIVE);
    await eventually(async () => c.closedWith, "the socket to close", 10_000);
    expect(c.closedWith!.code).toBe(4401);
    expect(s.received.some((p) => p.data)).toBe(false);
  });

  it("returns to baseline resources after opening and closing 1,000 subscriptions", async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    const gateway = serviceUrl(sys, "gateway");
    const natsSubs = async () =>
      ((await (await fetch(`${sys.stack.natsMonitorUrl}/subsz`)).json()) as { num_subscriptions: number })
        .num_subscriptions;
    const snapshot = async () => {
      const g = await metrics(gateway);
      const p = await metrics(serviceUrl(sys, "purchase"));
      const c = await metrics(serviceUrl(sys, "consignment"));
      return {
        clientSockets: g.junggo_ws_connections,
        subscriptions: g.junggo_subscriptions_active,
        upstreamSockets: g.junggo_upstream_sockets,
        upstreamSubscriptions: g.junggo_upstream_subscriptions,
        purchaseSockets: p.junggo_ws_connections,
        purchaseListeners: p.junggo_live_listeners,
        purchaseNats: p.junggo_live_nats_subscriptions,
        consignmentSockets: c.junggo_ws_connections,
        consignmentListeners: c.junggo_live_listeners,
        consignmentNats: c.junggo_live_nats_subscriptions,
        natsServer: await natsSubs(),
      };
    };
    const baseline = await eventually(async () => {
      const s = await snapshot();
      return s.subscriptions === 0 && s.upstreamSockets === 0 ? s : null;
    }, "idle baseline");
    expect(baseline).toMatchObject({
      clientSockets: 0,
      purchaseListeners: 0,
      consignmentListeners: 0,
      purchaseNats: 0,
      consignmentNats: 0,
    });

    const tokens = [buyer, buyer2, staff, driver];
    const conns = Array.from({ length: 20 }, (_, i) => new LiveClient(sys, tokens[i % tokens.length]!));
    const subs = conns.flatMap((c, i) =>
      Array.from({ length: 50 }, (_, j) => c.subscribe((i + j) % 2 ? PURCHASE_LIVE : DELIVERY_LIVE)),
    );
    expect(subs).toHaveLength(1000);
    // The services' counters are read one after another while subscriptions are still arriving:
    // wait until every layer reports all 1,000.
    const open = await eventually(
      async () => {
        const s = await snapshot();
        return s.purchaseListeners! + s.consignmentListeners! === 1000 &&
          s.subscriptions === 1000 &&
          s.upstreamSubscriptions === 1000
          ? s
          : null;
      },
      "1,000 live subscriptions",
      60_000,
    );
    expect(open).toMatchObject({
      clientSockets: 20,
      subscriptions: 1000,
      upstreamSockets: 2,
      upstreamSubscriptions: 1000,
      purchaseSockets: 1,
      consignmentSockets: 1,
      // One core-NATS subscription per live event type, shared by all of a service's subscribers.
      purchaseNats: LIVE_EVENT_TYPES.purchase.length,
      consignmentNats: LIVE_EVENT_TYPES.consignment.length,
    });
    expect(open.natsServer).toBeGreaterThan(baseline.natsServer);

    // Half end by unsubscribing, the other half with their client sockets going away.
    for (const s of subs.slice(0, 500)) s.unsubscribe();
    await Promise.all(conns.slice(10).map((c) => c.client.terminate()));
    await Promise.all(conns.slice(0, 10).map((c) => c.close()));
    const after = await eventually(
      async () => {
        const s = await snapshot();
        return s.subscriptions === 0 && s.upstreamSockets === 0 && s.natsServer === baseline.natsServer
          ? s
          : null;
      },
      "resources back to baseline",
      60_000,
    );
    expect(after).toEqual(baseline);
  });
});
