import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EVENT_CATALOGUE, EVENT_STREAM, type EventType } from "@junggo/events";
import { postgresBinDir, startPostgres, type PostgresServer } from "@junggo/devstack";
import { openDatabase } from "@junggo/runtime";
import { consignmentHandlers } from "../../../subgraphs/consignment/src/adapters/event.handlers.ts";
import { eventually, TestSystem } from "../support/harness.ts";
import { metrics } from "../support/live.ts";
import {
  burst,
  buyOp,
  dataOrThrow,
  figures,
  registerFleet,
  retriesOf,
  StreamLog,
  untilConsistent,
  type Scenario,
} from "../support/chaos.ts";

// Issue #4, test 4: three replicas of the consignment subgraph compete for its one durable
// JetStream consumer (and each runs its own outbox relay over the shared database) during a burst
// of purchases: every delivery job is created exactly once, and every replica did part of the work.
const PURCHASES = Number(process.env.CHAOS_REPLICA_PURCHASES ?? 300);
const REPLICAS = 3;
const CONCURRENCY = 6;

// Replicas share one database, so this needs PostgreSQL (PGlite lives inside a single process):
// JUNGGO_TEST_POSTGRES_URL, or a private cluster started from the server binaries.
const external = process.env.JUNGGO_TEST_POSTGRES_URL || undefined;
const skipWhy =
  external || postgresBinDir()
    ? null
    : "PostgreSQL server binaries missing (no initdb under $PGBIN or /usr/lib/postgresql/*/bin; apt-get install postgresql) and JUNGGO_TEST_POSTGRES_URL unset";
if (skipWhy) console.log(`skipping the consignment replicas test: ${skipWhy}`);

// The events the consignment consumer has a handler for (PurchasePaid, PurchaseCancelled, the return
// and sale jobs' events), from its handler map.
const noop = async () => {};
const HANDLED = Object.keys(
  consignmentHandlers({
    requestDelivery: noop,
    cancelDelivery: noop,
    requestReturnPickup: noop,
    requestSellerPickup: noop,
    cancelSaleJobs: noop,
  }),
) as EventType[];

(skipWhy ? describe.skip : describe)("resilience: replicas", () => {
  let pgRoot = "";
  let pg: PostgresServer | null = null;
  let sys: TestSystem;
  let setup = "";

  beforeAll(async () => {
    const t0 = Date.now();
    let postgresUrl = external;
    if (!postgresUrl) {
      pgRoot = join(tmpdir(), `junggo-replicas-pg-${process.pid}-${Date.now().toString(36)}`);
      pg = await startPostgres({ dataRoot: pgRoot });
      if (!pg) throw new Error("PostgreSQL server binaries disappeared");
      postgresUrl = pg.url;
    }
    const t1 = Date.now();
    sys = await TestSystem.start({ postgresUrl, replicas: { consignment: REPLICAS } });
    setup = `PostgreSQL ${external ? "external" : `started in ${((t1 - t0) / 1000).toFixed(1)} s`}, stack (${REPLICAS} consignment replicas) up in ${((Date.now() - t1) / 1000).toFixed(1)} s`;
  }, 300_000);
  afterAll(async () => {
    await sys?.stop();
    await pg?.stop();
    if (pgRoot) rmSync(pgRoot, { recursive: true, force: true });
  });

  it(`4. ${REPLICAS} consignment replicas on one durable consumer, ${PURCHASES} purchases: every consignment created exactly once, work spread over the replicas`, async () => {
    const replicas = sys.stack.replicasOf("consignment");
    const ports = sys.stack.replicaPorts("consignment");
    expect(replicas).toHaveLength(REPLICAS);
    expect(new Set(ports).size).toBe(REPLICAS);
    const pids = replicas.map((p) => p.pid);
    for (const p of replicas) expect(p.running, `${p.spec.name} running`).toBe(true);
    // One database for all of them: that is what makes them replicas of one context.
    expect(new Set(replicas.map((p) => p.spec.env.DATABASE_URL)).size).toBe(1);

    // One durable consumer for the context (each replica pulls from it under the context's name),
    // and every replica keeps a pull request waiting on it.
    const jsm = await sys.nc.jetstreamManager();
    const durables = (await jsm.consumers.list(EVENT_STREAM).next()).filter((c) =>
      c.name.startsWith("consignment"),
    );
    expect(durables.map((c) => c.name)).toEqual(["consignment"]);
    await eventually(
      async () => (await jsm.consumers.info(EVENT_STREAM, "consignment")).num_waiting >= REPLICAS,
      `${REPLICAS} pull requests waiting on the consignment consumer`,
    );

    const staff = await sys.login("staff@junggo.test");
    const buyer = await sys.login("buyer@junggo.test");
    const tFleet = Date.now();
    const fleet = await registerFleet(sys, staff, "Chaos", "Replicas", PURCHASES);
    const fleetMs = Date.now() - tFleet;
    const stream = new StreamLog(sys);

    const buys = burst(PURCHASES, buyOp(sys, buyer, fleet), CONCURRENCY);
    await buys.done;
    expect(buys.codes()).toEqual({});
    const bought = buys.accepted();
    expect(bought).toHaveLength(PURCHASES);

    const scenario: Scenario = {
      make: "Chaos",
      model: "Replicas",
      vehicleIds: fleet,
      accepted: bought.map((b) => b.id),
    };
    // Includes: drained backlogs (every replica's work acked), 0 dead letters, 0 duplicate event ids,
    // and per purchase exactly one PurchasePaid, one ConsignmentRequested and one delivery job.
    const report = await untilConsistent(sys, staff, scenario, stream, 300_000);
    expect(report.violations).toEqual([]);
    expect(report.byStatus).toEqual({ PAID: PURCHASES });
    expect(report.duplicateEventIds).toBe(0);

    // Exactly one delivery job per purchase, as the gateway shows it (consignment's database)...
    const jobs = dataOrThrow(
      await sys.gql(`{ myConsignments(first: 500) { id purchaseId status } }`, {}, staff),
    ).myConsignments as { id: string; purchaseId: string; status: string }[];
    const accepted = new Set(scenario.accepted);
    const ours = jobs.filter((j) => accepted.has(j.purchaseId));
    expect(ours).toHaveLength(PURCHASES);
    expect(new Set(ours.map((j) => j.purchaseId)).size).toBe(PURCHASES);
    expect(new Set(ours.map((j) => j.id)).size).toBe(PURCHASES);
    expect(ours.every((j) => j.status === "REQUESTED")).toBe(true);

    // ...and in the shared database itself: one row per purchase, one inbox row per handled event.
    const db = await openDatabase({
      dataDir: replicas[0]!.spec.env.DATA_DIR!,
      databaseUrl: replicas[0]!.spec.env.DATABASE_URL,
    });
    let rowsPerPurchase: { n: number; purchases: number }[];
    let inbox: Record<string, number>;
    try {
      rowsPerPurchase = (
        await db.query<{ n: string; purchases: string }>(
          `SELECT n, count(*) AS purchases FROM (SELECT "purchaseId", count(*) AS n FROM "Consignment" WHERE "purchaseId" = ANY($1::uuid[]) GROUP BY "purchaseId") per GROUP BY n ORDER BY n`,
          [scenario.accepted],
        )
      ).map((r) => ({ n: Number(r.n), purchases: Number(r.purchases) }));
      inbox = Object.fromEntries(
        (
          await db.query<{ type: string; n: string }>(
            `SELECT type, count(*) AS n FROM messaging.inbox WHERE consumer = 'consignment' GROUP BY type`,
          )
        ).map((r) => [r.type, Number(r.n)]),
      );
    } finally {
      await db.close();
    }
    expect(rowsPerPurchase).toEqual([{ n: 1, purchases: PURCHASES }]);

    // What the consignment consumer had to handle: every event in the stream it has a handler for
    // (the demo data's too, replayed by DeliverPolicy.All); ours are PURCHASES PurchasePaid.
    expect([...HANDLED].sort()).toEqual(
      (Object.keys(EVENT_CATALOGUE) as EventType[])
        .filter((t) => (EVENT_CATALOGUE[t].consumers as readonly string[]).includes("consignment"))
        .sort(),
    );
    const mustHandle: Record<string, number> = {};
    for (const e of await stream.read())
      if (HANDLED.includes(e.type)) mustHandle[e.type] = (mustHandle[e.type] ?? 0) + 1;
    const mustHandleTotal = Object.values(mustHandle).reduce((a, b) => a + b, 0);
    expect(mustHandleTotal).toBeGreaterThanOrEqual(PURCHASES);
    // Each such event committed exactly one inbox row (exactly once across the replicas), and nothing else did.
    expect(inbox).toEqual(mustHandle);

    // Every replica did part of the work, and together they handled every event once.
    const perReplica = await Promise.all(
      ports.map(async (port, i) => {
        const m = await metrics(`http://127.0.0.1:${port}`);
        return {
          name: replicas[i]!.spec.name,
          port,
          handled: m.junggo_consumer_handled_total ?? NaN,
          duplicates: m.junggo_consumer_duplicates_total ?? NaN,
        };
      }),
    );
    for (const r of perReplica) expect(r.handled, `${r.name} handled_total`).toBeGreaterThan(0);
    const handled = perReplica.reduce((a, r) => a + r.handled, 0);
    const duplicates = perReplica.reduce((a, r) => a + r.duplicates, 0);
    expect(handled).toBeGreaterThanOrEqual(mustHandleTotal);
    // A handled event is a committed inbox row, which exists once per event: more would be a double.
    expect(handled).toBeLessThanOrEqual(Object.values(inbox).reduce((a, b) => a + b, 0));
    const busiest = Math.max(...perReplica.map((r) => r.handled));

    // No replica crashed or restarted along the way (its counters would have started again at 0).
    for (const [i, p] of replicas.entries()) {
      expect(p.running, `${p.spec.name} running`).toBe(true);
      expect(p.pid, `${p.spec.name} pid`).toBe(pids[i]);
      expect(p.starts, `${p.spec.name} starts`).toBe(1);
    }

    figures(`test 4 (${REPLICAS} consignment replicas, one durable consumer):`, {
      setup: `${setup}; ${PURCHASES} vehicles registered and projected in ${(fleetMs / 1000).toFixed(1)} s`,
      purchases: `${bought.length}/${PURCHASES} accepted (${retriesOf(bought)} retries after PAYMENT_UNAVAILABLE), concurrency ${CONCURRENCY}, burst ${((buys.finishedAt - buys.startedAt) / 1000).toFixed(1)} s, p50 ${buys.latency(50)} ms, p95 ${buys.latency(95)} ms`,
      "consumer must handle": `${mustHandleTotal} events (${Object.entries(mustHandle)
        .map(([t, n]) => `${n} ${t}`)
        .join(", ")})`,
      ...Object.fromEntries(
        perReplica.map((r) => [
          `${r.name} (:${r.port})`,
          `handled ${r.handled} (${((100 * r.handled) / handled).toFixed(1)} %), duplicates ${r.duplicates}`,
        ]),
      ),
      "handled in all": `${handled}, ${duplicates} duplicates absorbed by the inbox`,
      "busiest replica": `${((100 * busiest) / handled).toFixed(1)} % of the work (even split ${(100 / REPLICAS).toFixed(1)} %)`,
      "jobs per purchase": `${rowsPerPurchase.map((r) => `${r.purchases} purchases with ${r.n}`).join(", ")} (database), ${ours.length} jobs for ${PURCHASES} purchases (gateway)`,
      consistent: `${(report.ms / 1000).toFixed(1)} s after the burst`,
      "events in stream": `${report.events}, ${report.duplicateEventIds} duplicate event ids`,
      violations: report.violations.length,
    });
  }, 900_000);
});
