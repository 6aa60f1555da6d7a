import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newEvent, subjectOf, type EventEnvelope } from "@junggo/events";
import { freePort, natsProcess, type ManagedProcess } from "@junggo/devstack";
import { createLogger, EventBus, LiveEvents, liveSubscription, type Viewer } from "../src/index.ts";

// Live fan-out on a real NATS server: order, filters, duplicates, overflow and clean-up.
let dir: string;
let nats: ManagedProcess;
let bus: EventBus;
const log = createLogger("live-test");

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "junggo-live-"));
  const port = await freePort();
  nats = natsProcess({ port, httpPort: await freePort(), dataDir: join(dir, "nats"), logDir: dir });
  await nats.start();
  bus = new EventBus(`nats://127.0.0.1:${port}`, "live-test", log);
  await bus.ready;
});
afterAll(async () => {
  await bus?.close();
  await nats?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const paid = (purchaseId: string, buyerId = "b1") =>
  newEvent(
    "PurchasePaid",
    {
      purchaseId,
      vehicleId: "v",
      buyerId,
      buyerName: "n",
      priceKrw: 1,
      paymentId: "p",
      vehicle: { make: "Kia", model: "K5", year: 2020 },
    },
    { producer: "purchase", causationId: null },
  );
const delivered = (purchaseId: string) =>
  newEvent(
    "PurchaseDelivered",
    { purchaseId, vehicleId: "v", buyerId: "b1" },
    { producer: "purchase", causationId: null },
  );

async function publish(...events: EventEnvelope[]) {
  for (const e of events)
    await bus
      .js()
      .publish(subjectOf(e.type), new TextEncoder().encode(JSON.stringify(e)), { msgID: e.eventId });
}

/** Waits until NATS has registered the live subscriptions (they are set up asynchronously). */
async function interestReady() {
  await bus.connection().flush();
  await new Promise((r) => setTimeout(r, 50));
}

async function take<T>(it: AsyncIterator<T>, n: number): Promise<T[]> {
  const out: T[] = [];
  while (out.length < n) {
    const r = await it.next();
    if (r.done) break;
    out.push(r.value);
  }
  return out;
}

describe("LiveEvents", () => {
  it("delivers the subscribed types in publish order, once each, and releases its NATS subscription on return()", async () => {
    const live = new LiveEvents(bus, log);
    const it1 = live.subscribe(["PurchasePaid", "PurchaseDelivered"]);
    const it2 = live.subscribe(["PurchaseDelivered"]);
    expect(live.stats()).toMatchObject({ listeners: 2, natsSubscriptions: 2 });
    await interestReady();

    const a = paid("p1"),
      b = delivered("p1"),
      c = paid("p2");
    await publish(a, b, c);
    // A republished event (relay retry after a lost PubAck) is not pushed twice.
    await bus.connection().publish(subjectOf(b.type), new TextEncoder().encode(JSON.stringify(b)));
    const d = delivered("p2");
    await publish(d);

    expect((await take(it1, 4)).map((e) => e.eventId)).toEqual([a.eventId, b.eventId, c.eventId, d.eventId]);
    expect((await take(it2, 2)).map((e) => e.eventId)).toEqual([b.eventId, d.eventId]);

    await it1.return!();
    expect(live.stats()).toMatchObject({ listeners: 1, natsSubscriptions: 1 });
    await it2.return!();
    expect(live.stats()).toMatchObject({ listeners: 0, natsSubscriptions: 0 });
    expect(await it1.next()).toEqual({ value: undefined, done: true });
  });

  it("ends a pending next() when the subscriber leaves", async () => {
    const live = new LiveEvents(bus, log);
    const it = live.subscribe(["PurchasePaid"]);
    const pending = it.next();
    await it.return!();
    await expect(pending).resolves.toEqual({ value: undefined, done: true });
    expect(live.stats().listeners).toBe(0);
  });

  it("tells a subscriber that fell behind instead of dropping events silently", async () => {
    const live = new LiveEvents(bus, log, 3);
    const it = live.subscribe(["PurchasePaid"]);
    await interestReady();
    const events = Array.from({ length: 5 }, (_, i) => paid(`o${i}`));
    await publish(...events);
    await bus.connection().flush();
    await new Promise((r) => setTimeout(r, 100));
    // The buffered events first, in order, then the overflow error and the end.
    expect((await take(it, 3)).map((e) => e.eventId)).toEqual(events.slice(0, 3).map((e) => e.eventId));
    await expect(it.next()).rejects.toMatchObject({ code: "SUBSCRIPTION_OVERFLOW" });
    expect(live.stats()).toMatchObject({ listeners: 0, natsSubscriptions: 0, overflowed: 1 });
  });

  it("liveSubscription filters per viewer and argument, loads once per event for all subscribers, and refuses anonymous ones", async () => {
    const live = new LiveEvents(bus, log);
    const rows = new Map([
      ["p1", { id: "p1", buyerId: "b1" }],
      ["p2", { id: "p2", buyerId: "b2" }],
    ]);
    let loads = 0;
    const field = liveSubscription<{ purchaseId?: string }, { id: string; buyerId: string }>({
      live,
      types: ["PurchasePaid"],
      matches: (e, args) => !args.purchaseId || e.purchaseId === args.purchaseId,
      load: async (e) => {
        loads++;
        return rows.get(e.purchaseId!) ?? null;
      },
      visible: (v, row) => v.role === "STAFF" || v.id === row.buyerId,
    });
    const b1: Viewer = { id: "b1", role: "BUYER", name: "", email: "" };
    const staff: Viewer = { id: "s", role: "STAFF", name: "", email: "" };
    expect(() => field.subscribe(null, {}, { viewer: null })).toThrow(/logged in/);

    const mine = field.subscribe(null, {}, { viewer: b1 });
    const all = field.subscribe(null, {}, { viewer: staff });
    const onlyP2 = field.subscribe(null, { purchaseId: "p2" }, { viewer: staff });
    await interestReady();
    const e1 = paid("p1", "b1"),
      e2 = paid("p2", "b2"),
      gone = paid("p3");
    await publish(e1, e2, gone);

    expect((await take(mine, 1)).map((e) => e.eventId)).toEqual([e1.eventId]);
    expect((await take(all, 2)).map((e) => e.eventId)).toEqual([e1.eventId, e2.eventId]);
    expect((await take(onlyP2, 1)).map((e) => e.eventId)).toEqual([e2.eventId]);
    expect(await field.resolve(e2)).toEqual({ id: "p2", buyerId: "b2" });
    // p1 and p2 read once each although several subscribers saw them (4 reads without sharing).
    expect(loads).toBe(2);
    await Promise.all([mine, all, onlyP2].map((i) => i.return!()));
    expect(live.stats()).toMatchObject({ listeners: 0, natsSubscriptions: 0 });
  });
});
