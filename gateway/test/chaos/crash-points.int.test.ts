import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EVENT_STREAM, type EventEnvelope } from "@junggo/events";
import type { SubgraphName } from "@junggo/devstack";
import { openDatabase, type Database } from "@junggo/runtime";
import { eventually, TestSystem, type GqlResult } from "../support/harness.ts";
import { purchaseOf, Q, settled, VehiclePicker } from "../support/junggo.ts";
import { metrics, serviceUrl } from "../support/live.ts";
import { S, SellerSide } from "../support/seller.ts";

// Issue #4, tests 1–3: a service SIGKILLs itself at one of the messaging path's delicate steps
// (FAILPOINTS, packages/runtime/src/failpoints.ts), is restarted without the failpoint, and every
// effect must then exist exactly once. Each crash is proven by the line the failpoint writes just
// before its SIGKILL, so no test can pass without its crash.

const RELAY_AFTER_PUBACK = "relay.after-puback=crash@1:PurchasePaid";
const CONSUMER_AFTER_COMMIT = "consumer.after-commit=crash@1:PurchasePaid";
const CONSUMER_MID_TRANSACTION = "consumer.mid-transaction=crash@1:PurchasePaid";
// Restarts, the consumers' 30 s ack wait and a machine shared with other stacks: generous waits.
const LONG = 180_000;

let sys: TestSystem;
let cars: VehiclePicker;
let buyer: string, driver: string, seller: string, staff: string;

beforeAll(async () => {
  // Purchase starts armed for test 1; consignment is armed by a restart in tests 2 and 3.
  sys = await TestSystem.start({ serviceEnv: { purchase: { FAILPOINTS: RELAY_AFTER_PUBACK } } });
  cars = new VehiclePicker(sys);
  buyer = await sys.login("buyer@junggo.test");
  driver = await sys.login("driver@junggo.test");
  seller = await sys.login("seller@junggo.test");
  staff = await sys.login("staff@junggo.test");
}, 600_000);
afterAll(async () => {
  await sys?.stop();
}, 300_000);

const proc = (name: SubgraphName) => sys.stack.service(name);

/** Restarts a service with FAILPOINTS set to `spec`, or without it: the process spec's env is read at every start. */
async function restartWith(name: SubgraphName, spec: string | null): Promise<number> {
  const p = proc(name);
  const t0 = Date.now();
  await p.stop();
  if (spec) p.spec.env.FAILPOINTS = spec;
  else delete p.spec.env.FAILPOINTS;
  await p.start(LONG);
  return Date.now() - t0;
}

/** Waits for the process to end by itself and returns the signal that ended it. */
async function crashOf(name: SubgraphName): Promise<NodeJS.Signals | null> {
  const p = proc(name);
  await eventually(async () => !p.running, `${name} to die at its failpoint`, LONG);
  await p.waitExit();
  return p.child!.signalCode;
}

/** The "failpoint fired" line the service wrote (synchronously) for `eventId` right before its SIGKILL. */
async function failpointLine(name: SubgraphName, eventId: string): Promise<Record<string, unknown>> {
  return eventually(async () => {
    for (const line of readFileSync(proc(name).spec.logFile, "utf8").split("\n")) {
      if (!line.includes('"failpoint fired"')) continue;
      const rec = JSON.parse(line) as Record<string, unknown>;
      if (rec.eventId === eventId) return rec;
    }
    return null;
  }, `${name}'s failpoint line for ${eventId}`);
}

/**
 * Reads a context's own database. PGlite is single-process, so a running service is stopped for
 * the read and started again; PostgreSQL (JUNGGO_TEST_POSTGRES_URL) is read in place.
 */
async function readDb<T>(name: SubgraphName, read: (db: Database) => Promise<T>): Promise<T> {
  const p = proc(name);
  const { DATA_DIR, DATABASE_URL } = p.spec.env;
  const wasRunning = p.running && !DATABASE_URL;
  if (wasRunning) await p.stop();
  try {
    const db = await openDatabase({ dataDir: DATA_DIR!, databaseUrl: DATABASE_URL });
    try {
      return await read(db);
    } finally {
      await db.close();
    }
  } finally {
    if (wasRunning) await p.start(LONG);
  }
}

const count = async (db: Database, sql: string, params: unknown[]) =>
  Number((await db.query<{ n: number | string }>(sql, params))[0]!.n);

interface StreamEntry {
  seq: number;
  msgId: string | undefined;
  event: EventEnvelope;
}

/** Every message of the stream with its sequence and Nats-Msg-Id (what JetStream deduplicates on). */
async function streamEntries(): Promise<StreamEntry[]> {
  const jsm = await sys.nc.jetstreamManager();
  const { first_seq, last_seq } = (await jsm.streams.info(EVENT_STREAM)).state;
  const out: StreamEntry[] = [];
  for (let seq = Math.max(first_seq, 1); seq <= last_seq; seq++) {
    const m = await jsm.streams.getMessage(EVENT_STREAM, { seq });
    out.push({
      seq,
      msgId: m.header?.get("Nats-Msg-Id") || undefined,
      event: JSON.parse(new TextDecoder().decode(m.data)) as EventEnvelope,
    });
  }
  return out;
}

/** The PurchasePaid of a vehicle's purchase, once it is in the stream. */
async function paidFor(vehicleId: string): Promise<StreamEntry> {
  return eventually(
    async () =>
      (await streamEntries()).find(
        (s) =>
          s.event.type === "PurchasePaid" &&
          (s.event as EventEnvelope<"PurchasePaid">).payload.vehicleId === vehicleId,
      ) ?? null,
    `PurchasePaid for vehicle ${vehicleId} in the stream`,
    LONG,
  );
}

/** Buys through the gateway once purchase knows the car; a crash may cut the answer off, so errors are returned, not thrown. */
async function buy(vehicleId: string): Promise<GqlResult> {
  return eventually(
    async () => {
      const r = await sys
        .gql(Q.requestPurchase, { vehicleId }, buyer)
        .catch((e: Error) => ({ status: 0, errors: [{ message: e.message }] }) as GqlResult);
      return r.errors?.[0]?.extensions?.code === "VEHICLE_NOT_FOUND" ? null : r;
    },
    `vehicle ${vehicleId} to be purchasable`,
    LONG,
  );
}

/** `settled` waits 30 s at most; a redelivery after the ack wait can take longer than that here. */
const settledLong = () =>
  eventually(
    async () => {
      await settled(sys);
      return true;
    },
    "the system to settle",
    LONG,
  );

const consumerMetrics = async (name: SubgraphName) => {
  const m = await metrics(serviceUrl(sys, name));
  return { handled: m.junggo_consumer_handled_total!, duplicates: m.junggo_consumer_duplicates_total! };
};
const jobsFor = async (purchaseId: string) =>
  ((await sys.ok(Q.openConsignments, {}, driver)).openConsignments as { purchaseId: string }[]).filter(
    (j) => j.purchaseId === purchaseId,
  );
const figure = (line: string) => console.log(`crash-points ${line}`);

describe("crash points (issue #4, resilience 1–3)", () => {
  it("1. relay killed between PubAck and marking the row: after restart, exactly one stream message per outbox row", async () => {
    await settledLong();
    const car = await cars.next();
    const answer = await buy(car.id);

    // Fails if purchase did not die, or died some other way than the failpoint's SIGKILL.
    expect(await crashOf("purchase")).toBe("SIGKILL");
    const paid = await paidFor(car.id);
    const purchaseId = (paid.event as EventEnvelope<"PurchasePaid">).payload.purchaseId;
    // Fails unless the crash was this failpoint, for this event (not, say, an earlier crash).
    expect(await failpointLine("purchase", paid.event.eventId)).toMatchObject({
      failpoint: "relay.after-puback",
      action: "crash",
      eventType: "PurchasePaid",
    });
    // When the answer got out before the crash it is the purchase that was committed.
    if (answer.data?.requestPurchase) expect(answer.data.requestPurchase.id).toBe(purchaseId);

    // The crash window itself: the stream has the event (PubAck'd), the row is still unpublished.
    // Fails if the relay marked rows before publishing, or if the event never reached the stream.
    expect((await streamEntries()).filter((s) => s.event.eventId === paid.event.eventId)).toHaveLength(1);
    const whileDown = await readDb("purchase", (db) =>
      db.query<{ published_at: Date | null }>(
        `SELECT published_at FROM messaging.outbox WHERE event_id = $1`,
        [paid.event.eventId],
      ),
    );
    expect(whileDown).toHaveLength(1);
    expect(whileDown[0]!.published_at).toBeNull();

    const restartMs = await restartWith("purchase", null);
    // Fails if the restarted relay never republished the row (only a PubAck lets it mark a row).
    await eventually(
      async () => {
        const ready = (await (await fetch(`${serviceUrl(sys, "purchase")}/readyz`)).json()) as {
          outboxPending?: number;
        };
        return ready.outboxPending === 0;
      },
      "purchase's outbox to drain after the restart",
      LONG,
    );
    await settledLong();

    const rows = await readDb("purchase", (db) =>
      db.query<{ event_id: string; published_at: Date | null }>(
        `SELECT event_id, published_at FROM messaging.outbox ORDER BY seq`,
      ),
    );
    const stream = await streamEntries();
    const copies = (eventId: string) => stream.filter((s) => s.event.eventId === eventId);
    expect(rows.map((r) => r.event_id)).toContain(paid.event.eventId);
    // Fails for a row left unpublished.
    expect(rows.filter((r) => r.published_at === null)).toEqual([]);
    // Fails if the republish after the restart was not deduplicated (msgID ≠ event id, or no msgID).
    for (const r of rows) {
      expect(copies(r.event_id).length, `stream messages for outbox row ${r.event_id}`).toBe(1);
      expect(copies(r.event_id)[0]!.msgId, `Nats-Msg-Id of ${r.event_id}`).toBe(r.event_id);
    }
    // Fails if the purchase was paid twice under another event id (e.g. a retried request).
    expect((await sys.events({ purchaseId, type: "PurchasePaid" })).map((e) => e.eventId)).toEqual([
      paid.event.eventId,
    ]);
    // The saga went on once: one delivery job for the purchase.
    expect(
      await eventually(
        async () => (await purchaseOf(sys, buyer, purchaseId)).consignment?.status,
        "the purchase's consignment",
        LONG,
      ),
    ).toBe("REQUESTED");
    expect(await jobsFor(purchaseId)).toHaveLength(1);

    figure(
      `1 relay.after-puback: purchase SIGKILLed after the PubAck of PurchasePaid ${paid.event.eventId} (mutation ${answer.errors ? "cut off" : "answered"}); ` +
        `while down: 1 stream message, row unpublished; after restart (${restartMs} ms): outbox rows ${rows.length}, all published, ` +
        `stream messages for them ${rows.reduce((n, r) => n + copies(r.event_id).length, 0)} (1 each)`,
    );
  }, 900_000);

  /**
   * Arms `spec` in consignment, buys a car (the purchase itself must succeed) and checks that
   * consignment was SIGKILLed at `failpoint` while handling that purchase's PurchasePaid, on its
   * first delivery, after the handler ran.
   */
  async function consignmentCrashedAt(failpoint: string, spec: string) {
    await settledLong();
    await restartWith("consignment", spec);
    const car = await cars.next();
    const answer = await buy(car.id);
    expect(answer.errors).toBeUndefined();
    const purchaseId = answer.data.requestPurchase.id as string;

    expect(await crashOf("consignment")).toBe("SIGKILL");
    const paid = await paidFor(car.id);
    expect((paid.event as EventEnvelope<"PurchasePaid">).payload.purchaseId).toBe(purchaseId);
    expect(await failpointLine("consignment", paid.event.eventId)).toMatchObject({
      failpoint,
      action: "crash",
      eventType: "PurchasePaid",
      consumer: "consignment",
      outcome: "handled",
      deliveries: 1,
    });
    return { purchaseId, paid };
  }

  it("2. consumer killed after its transaction committed, before the ack: event redelivered, effect once", async () => {
    // Fails unless consignment died at this failpoint, after handling (not skipping) this very delivery.
    const { purchaseId, paid } = await consignmentCrashedAt("consumer.after-commit", CONSUMER_AFTER_COMMIT);

    // Committed: the job and the inbox row exist. Not acked: the stream's ack floor is below the event.
    // Fails if the transaction had not committed before the crash, or if the ack had gone out.
    const whileDown = await readDb("consignment", async (db) => ({
      jobs: await count(db, `SELECT count(*) AS n FROM "Consignment" WHERE "purchaseId" = $1::uuid`, [
        purchaseId,
      ]),
      inbox: await count(
        db,
        `SELECT count(*) AS n FROM messaging.inbox WHERE consumer = 'consignment' AND event_id = $1`,
        [paid.event.eventId],
      ),
    }));
    expect(whileDown).toEqual({ jobs: 1, inbox: 1 });
    const jsm = await sys.nc.jetstreamManager();
    const before = await jsm.consumers.info(EVENT_STREAM, "consignment");
    expect(before.ack_floor.stream_seq).toBeLessThan(paid.seq);
    expect(before.num_ack_pending).toBeGreaterThanOrEqual(1);

    const restartMs = await restartWith("consignment", null);
    // The un-acked event comes back after the ack wait (30 s); the inbox must absorb it.
    // Fails if it is never redelivered, or if it was handled a second time instead (handled, not duplicate).
    await eventually(
      async () => (await consumerMetrics("consignment")).duplicates >= 1,
      "consignment to receive the redelivered PurchasePaid",
      LONG,
    );
    await settledLong();
    const final = await consumerMetrics("consignment");
    // Exactly one duplicate: the one event whose commit outran its ack.
    expect(final.duplicates).toBe(1);
    const acked = await jsm.consumers.info(EVENT_STREAM, "consignment");
    expect(acked.ack_floor.stream_seq).toBeGreaterThanOrEqual(paid.seq);
    // The effect once: one job, one ConsignmentRequested.
    expect(await jobsFor(purchaseId)).toHaveLength(1);
    expect((await purchaseOf(sys, buyer, purchaseId)).consignment?.status).toBe("REQUESTED");
    expect(await sys.events({ purchaseId, type: "ConsignmentRequested" })).toHaveLength(1);

    figure(
      `2 consumer.after-commit: consignment SIGKILLed after committing PurchasePaid ${paid.event.eventId} (ack floor ${before.ack_floor.stream_seq} < seq ${paid.seq}); ` +
        `restart ${restartMs} ms; redelivered, duplicates absorbed by the inbox ${final.duplicates}; 1 job, 1 ConsignmentRequested`,
    );
  }, 900_000);

  it("3. consumer killed mid-transaction: no partial rows; processed exactly once after restart", async () => {
    // Fails unless consignment died inside the handler's transaction for this event, effects written.
    const { purchaseId, paid } = await consignmentCrashedAt(
      "consumer.mid-transaction",
      CONSUMER_MID_TRANSACTION,
    );

    // Nothing of the open transaction survived: no job, no inbox row, no ConsignmentRequested.
    // Fails if any write of the handler ran outside the transaction (or the crash came after the commit).
    const whileDown = await readDb("consignment", async (db) => ({
      jobs: await count(db, `SELECT count(*) AS n FROM "Consignment" WHERE "purchaseId" = $1::uuid`, [
        purchaseId,
      ]),
      inbox: await count(
        db,
        `SELECT count(*) AS n FROM messaging.inbox WHERE consumer = 'consignment' AND event_id = $1`,
        [paid.event.eventId],
      ),
      outbox: await count(db, `SELECT count(*) AS n FROM messaging.outbox WHERE body LIKE $1`, [
        `%${purchaseId}%`,
      ]),
    }));
    expect(whileDown).toEqual({ jobs: 0, inbox: 0, outbox: 0 });
    expect(await sys.events({ purchaseId, type: "ConsignmentRequested" })).toHaveLength(0);
    const before = await (await sys.nc.jetstreamManager()).consumers.info(EVENT_STREAM, "consignment");
    expect(before.ack_floor.stream_seq).toBeLessThan(paid.seq);

    const restartMs = await restartWith("consignment", null);
    // Redelivered after the ack wait and handled afresh. Fails if the event is lost (never acked
    // nor redelivered) or if a leftover inbox row made it a duplicate with no job.
    await eventually(
      async () => (await purchaseOf(sys, buyer, purchaseId)).consignment?.status === "REQUESTED",
      "the job after the restart",
      LONG,
    );
    await settledLong();
    const final = await consumerMetrics("consignment");
    expect(final.duplicates).toBe(0);
    expect(final.handled).toBeGreaterThanOrEqual(1);
    expect(await jobsFor(purchaseId)).toHaveLength(1);
    expect(await sys.events({ purchaseId, type: "ConsignmentRequested" })).toHaveLength(1);
    // Exactly once in the database too: one job, one inbox row.
    const afterRestart = await readDb("consignment", async (db) => ({
      jobs: await count(db, `SELECT count(*) AS n FROM "Consignment" WHERE "purchaseId" = $1::uuid`, [
        purchaseId,
      ]),
      inbox: await count(
        db,
        `SELECT count(*) AS n FROM messaging.inbox WHERE consumer = 'consignment' AND event_id = $1`,
        [paid.event.eventId],
      ),
    }));
    expect(afterRestart).toEqual({ jobs: 1, inbox: 1 });

    figure(
      `3 consumer.mid-transaction: consignment SIGKILLed inside the transaction of PurchasePaid ${paid.event.eventId}; ` +
        `while down: 0 jobs, 0 inbox rows, 0 outbox rows; restart ${restartMs} ms; after: 1 job, 1 inbox row, 1 ConsignmentRequested, 0 duplicates`,
    );
  }, 900_000);

  it("4. the seller's compensations under crashes: billing killed after committing the payout reversal, stock inside the withdrawal; each runs once", async () => {
    const side = new SellerSide(sys, { seller, driver, staff });
    const { sellRequest, vehicleId } = await side.toTheLot();
    const id = sellRequest.id as string;
    await side.until(id, (s) => s.payout?.status === "PAID", "payout PAID", seller, LONG);
    await settledLong();
    await restartWith("billing", "consumer.after-commit=crash@1:SellRequestCancelled");
    await restartWith("stock", "consumer.mid-transaction=crash@1:SellRequestCancelled");

    expect((await sys.ok(S.cancel, { id }, seller)).cancelSellRequest.status).toBe("CANCELLED");
    // Fails unless both died at their failpoint for this very event.
    expect(await crashOf("billing")).toBe("SIGKILL");
    expect(await crashOf("stock")).toBe("SIGKILL");
    const cancelled = await eventually(
      async () => (await sys.events({ type: "SellRequestCancelled" })).find((e) => e.sellRequestId === id),
      "SellRequestCancelled in the stream",
      LONG,
    );
    expect(await failpointLine("billing", cancelled.eventId)).toMatchObject({
      failpoint: "consumer.after-commit",
    });
    expect(await failpointLine("stock", cancelled.eventId)).toMatchObject({
      failpoint: "consumer.mid-transaction",
    });
    // Billing committed the reversal but never published it; stock's transaction left nothing behind.
    const reversed = () =>
      sys.events({ type: "PayoutReversed" }).then((es) => es.filter((e) => e.sellRequestId === id));
    const withdrawn = () =>
      sys
        .events({ type: "VehicleWithdrawn" })
        .then((es) =>
          es.filter((e) => (e as EventEnvelope<"VehicleWithdrawn">).payload.vehicleId === vehicleId),
        );
    expect(await withdrawn()).toHaveLength(0);
    const whileDown = await readDb("stock", async (db) => ({
      inbox: await count(
        db,
        `SELECT count(*) AS n FROM messaging.inbox WHERE consumer = 'stock' AND event_id = $1`,
        [cancelled.eventId],
      ),
      withdrawn: await count(
        db,
        `SELECT count(*) AS n FROM "Vehicle" WHERE id = $1::uuid AND status = 'WITHDRAWN'`,
        [vehicleId],
      ),
    }));
    expect(whileDown).toEqual({ inbox: 0, withdrawn: 0 });

    await restartWith("billing", null);
    await restartWith("stock", null);
    // The un-acked event comes back after the ack wait: billing's inbox absorbs it, stock handles it afresh.
    await eventually(
      async () => (await withdrawn()).length === 1,
      "VehicleWithdrawn after the restart",
      LONG,
    );
    await eventually(async () => (await reversed()).length === 1, "PayoutReversed after the restart", LONG);
    await eventually(
      async () => (await consumerMetrics("billing")).duplicates >= 1,
      "billing to receive the redelivered SellRequestCancelled",
      LONG,
    );
    await settledLong();
    expect(await reversed()).toHaveLength(1);
    expect(await withdrawn()).toHaveLength(1);
    const s = await side.sellRequestOf(id);
    expect(s).toMatchObject({ status: "CANCELLED", payout: { status: "REVERSED" } });
    expect((await sys.ok(Q.vehicle, { id: vehicleId })).vehicle.status).toBe("WITHDRAWN");
    expect(
      (await sys.ok(S.jobs, {}, driver)).openConsignments.filter(
        (j: any) => j.sellRequestId === id && j.kind === "SELLER_RETURN",
      ),
    ).toHaveLength(1);
    figure(
      `4 seller compensations: billing SIGKILLed after committing the reversal of ${id}, stock inside its withdrawal; ` +
        `after restarts: 1 PayoutReversed, 1 VehicleWithdrawn, 1 SELLER_RETURN job`,
    );
  }, 900_000);
});
