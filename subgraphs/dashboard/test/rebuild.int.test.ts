import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EVENT_STREAM, newEvent, subjectOf, type EventEnvelope } from "@junggo/events";
import { openDatabase } from "@junggo/runtime";
import { isProjected } from "../src/domain/purchase-view.ts";
import { isSaleEvent } from "../src/domain/sale-view.ts";
import { errorCode, eventually, TestSystem } from "../../../gateway/test/support/harness.ts";
import {
  buyWhenKnown,
  purchaseOf,
  Q,
  randomVin,
  settled,
  VehiclePicker,
} from "../../../gateway/test/support/junggo.ts";

// `npm run rebuild:dashboard` as a real child process against a real stack (PGlite, or PostgreSQL
// with JUNGGO_TEST_POSTGRES_URL): the rebuilt read model equals the live one, the restarted
// service's redeliveries change nothing, and `--check` tells a sound model from a corrupted one.
const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const DECLINE_ABOVE = 150_000_000;
const onPostgres = !!process.env.JUNGGO_TEST_POSTGRES_URL;

let sys: TestSystem;
let cars: VehiclePicker;
let buyer: string, buyer2: string, driver: string, staff: string, seller: string;

beforeAll(async () => {
  sys = await TestSystem.start({
    serviceEnv: {
      billing: { PAYMENT_SANDBOX_DECLINE_ABOVE_KRW: String(DECLINE_ABOVE) },
      // No escalation events while the test counts the stream's events.
      consignment: { DISPATCH_TIMEOUT_MINUTES: "600" },
    },
  });
  cars = new VehiclePicker(sys);
  buyer = await sys.login("buyer@junggo.test");
  buyer2 = await sys.login("buyer2@junggo.test");
  driver = await sys.login("driver@junggo.test");
  staff = await sys.login("staff@junggo.test");
  seller = await sys.login("seller@junggo.test");
});
afterAll(async () => {
  await sys?.stop();
});

const dashboard = () => sys.stack.service("dashboard");

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The root script, as an operator runs it, with the dashboard service's own environment and the
 * NATS administrator's credentials (reading the whole stream is not the dashboard user's right).
 */
function rebuildCli(args: string[] = [], env: Record<string, string> = {}): Promise<CliRun> {
  const admin = sys.stack.natsAdmin;
  return new Promise((resolve, reject) => {
    const child = spawn("npm", ["run", "-s", "rebuild:dashboard", "--", ...args], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        ...dashboard().spec.env,
        NATS_USER: admin.user,
        NATS_PASSWORD: admin.pass,
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.once("error", reject);
    child.once("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

type Row = Record<string, unknown> & { purchaseId: string; version: number };
interface Processed {
  event_id: string;
  type: string;
  processed_at: string;
}

/**
 * The dashboard's tables as stored, read directly (the service must be stopped on PGlite).
 * row_to_json keeps every column as the database has it, timestamps included, in one shape on
 * PGlite and PostgreSQL.
 */
async function readDashboardDb(): Promise<{ rows: Row[]; sales: Row[]; processed: Processed[] }> {
  const { DATA_DIR, DATABASE_URL } = dashboard().spec.env;
  const db = await openDatabase({ dataDir: DATA_DIR!, databaseUrl: DATABASE_URL });
  try {
    const rows = await db.query<{ r: Row }>(
      `SELECT row_to_json(v) AS r FROM "PurchaseView" v ORDER BY "purchaseId"`,
    );
    const sales = await db.query<{ r: Row }>(
      `SELECT row_to_json(v) AS r FROM "SaleView" v ORDER BY "sellRequestId"`,
    );
    const processed = await db.query<Processed>(
      `SELECT event_id, type, processed_at::text AS processed_at FROM messaging.inbox WHERE consumer = 'dashboard' ORDER BY event_id`,
    );
    return { rows: rows.map((x) => x.r), sales: sales.map((x) => x.r), processed };
  } finally {
    await db.close();
  }
}

async function corruptRow(purchaseId: string, sql: string): Promise<void> {
  const { DATA_DIR, DATABASE_URL } = dashboard().spec.env;
  const db = await openDatabase({ dataDir: DATA_DIR!, databaseUrl: DATABASE_URL });
  try {
    await db.query(`UPDATE "PurchaseView" SET ${sql} WHERE "purchaseId" = $1`, [purchaseId]);
  } finally {
    await db.close();
  }
}

async function corruptSale(sellRequestId: string, sql: string): Promise<void> {
  const { DATA_DIR, DATABASE_URL } = dashboard().spec.env;
  const db = await openDatabase({ dataDir: DATA_DIR!, databaseUrl: DATABASE_URL });
  try {
    await db.query(`UPDATE "SaleView" SET ${sql} WHERE "sellRequestId" = $1`, [sellRequestId]);
  } finally {
    await db.close();
  }
}

/** `version` counts the service's writes to a row (optimistic concurrency), not what the events say: a rebuild writes each row once. */
const withoutVersion = ({ version: _v, ...row }: Row) => row;

/** What the stream holds for the dashboard: its events, once per id (a repeated copy counts once). */
function dashboardEvents(events: EventEnvelope[]): Map<string, string> {
  return new Map(events.filter((e) => isProjected(e) || isSaleEvent(e)).map((e) => [e.eventId, e.type]));
}

async function durablePending(): Promise<number> {
  const jsm = await sys.nc.jetstreamManager();
  const info = await jsm.consumers.info(EVENT_STREAM, "dashboard");
  return info.num_pending + info.num_ack_pending;
}

async function openJobFor(purchaseId: string) {
  return eventually(async () => {
    const d = await sys.ok(Q.openConsignments, {}, driver);
    return (d.openConsignments as { id: string; purchaseId: string }[]).find(
      (c) => c.purchaseId === purchaseId,
    );
  }, `a delivery job for purchase ${purchaseId}`);
}

async function buy(token = buyer): Promise<string> {
  const car = await cars.next();
  const r = await buyWhenKnown(sys, token, car.id);
  expect(r.errors).toBeUndefined();
  return r.data.requestPurchase.id;
}

async function accept(purchaseId: string): Promise<string> {
  const job = await openJobFor(purchaseId);
  await sys.ok(Q.accept, { id: job.id }, driver);
  return job.id;
}

async function pickUp(purchaseId: string, jobId: string): Promise<void> {
  await sys.ok(Q.pickUp, { id: jobId }, driver);
  await eventually(
    async () => (await purchaseOf(sys, staff, purchaseId)).status === "DELIVERING",
    "purchase DELIVERING",
  );
}

const STAFF_DASHBOARD = `{ myDashboard(first: 200) { purchaseId buyerId vehicleId vehicleName priceKrw purchaseStatus paymentStatus
  consignmentId consignmentStatus driverName eta createdAt updatedAt } }`;
const staffDashboard = async () =>
  (await sys.ok(STAFF_DASHBOARD, {}, staff)).myDashboard as {
    purchaseId: string;
    purchaseStatus: string;
    consignmentStatus: string | null;
  }[];

const MY_SALES = `{ mySales { sellRequestId vehicleName offerKrw status payoutStatus pickupStatus updatedAt } }`;

/**
 * Publishes sell-request events as acquisition and billing would (no acquisition service runs
 * here): only events that feed read models and notifications, so no other context acts on them.
 */
async function publishSale(sellerId: string, steps: ("listed" | "rejected")[]): Promise<string> {
  const sellRequestId = crypto.randomUUID();
  const ids = { sellRequestId, sellerId };
  const vehicle = { vin: randomVin(), make: "Kia", model: "Ray", year: 2020, mileageKm: 41_000 };
  const events: EventEnvelope[] = [
    newEvent(
      "SellRequestSubmitted",
      { ...ids, quoteId: crypto.randomUUID(), offerKrw: 8_100_000, vehicle },
      { producer: "acquisition" },
    ),
  ];
  if (steps.includes("listed"))
    events.push(
      newEvent(
        "PayoutPaid",
        { ...ids, payoutId: crypto.randomUUID(), amountKrw: 8_100_000 },
        { producer: "billing" },
      ),
      newEvent("SellRequestListed", { ...ids, vehicleId: crypto.randomUUID() }, { producer: "acquisition" }),
    );
  if (steps.includes("rejected"))
    events.push(
      newEvent(
        "SellRequestRejected",
        { ...ids, reason: "flood damage", decidedBy: crypto.randomUUID() },
        { producer: "acquisition" },
      ),
    );
  // Newest first: the read model must not depend on the order.
  for (const e of events.reverse())
    await sys.nc
      .jetstream()
      .publish(subjectOf(e.type), new TextEncoder().encode(JSON.stringify(e)), { msgID: e.eventId });
  return sellRequestId;
}

const figure = (out: string, re: RegExp) => Number(out.match(re)?.[1] ?? NaN);

describe("rebuilding the dashboard from the event stream", () => {
  const p: Record<string, string> = {};
  let live: Awaited<ReturnType<typeof readDashboardDb>>;
  let liveGraphql: unknown[];
  let rebuilt: Awaited<ReturnType<typeof readDashboardDb>>;

  it("builds a live model from a mix of purchases", async () => {
    p.delivered = await buy();
    const deliveredJob = await accept(p.delivered);
    await pickUp(p.delivered, deliveredJob);
    await sys.ok(Q.complete, { id: deliveredJob }, driver);

    p.cancelledBeforePickup = await buy(buyer2);
    await accept(p.cancelledBeforePickup);
    await sys.ok(Q.cancelPurchase, { id: p.cancelledBeforePickup, reason: "Found another car" }, buyer2);

    // Cancelled on the road: the car comes back with a second (return) job of the same purchase.
    p.cancelledOnTheRoad = await buy();
    await pickUp(p.cancelledOnTheRoad, await accept(p.cancelledOnTheRoad));
    await sys.ok(Q.cancelPurchase, { id: p.cancelledOnTheRoad }, buyer);

    p.inDelivery = await buy(buyer2);
    await pickUp(p.inDelivery, await accept(p.inDelivery));
    p.waitingForDriver = await buy();

    const expensive = (
      await sys.ok(
        Q.registerVehicle,
        {
          input: {
            vin: randomVin(),
            make: "Genesis",
            model: "G90",
            year: 2024,
            mileageKm: 900,
            priceKrw: DECLINE_ABOVE + 10_000_000,
          },
        },
        staff,
      )
    ).registerVehicle;
    expect(errorCode(await buyWhenKnown(sys, buyer, expensive.id))).toBe("PAYMENT_DECLINED");

    await eventually(async () => {
      const d = await purchaseOf(sys, staff, p.cancelledOnTheRoad!);
      return d.payment?.status === "REFUNDED" && d.consignment?.status === "CANCELLED";
    }, "refund and return after the cancellation on the road");
    await settled(sys);
    // A second copy of an event already handled, as JetStream delivers after a lost ack: both the
    // live consumer and the rebuild must count it once.
    await sys.redeliver((await sys.events({ purchaseId: p.delivered, type: "PurchasePaid" }))[0]!);
    await settled(sys);

    liveGraphql = await staffDashboard();
    const status = (id: string) =>
      (
        liveGraphql as { purchaseId: string; purchaseStatus: string; consignmentStatus: string | null }[]
      ).find((r) => r.purchaseId === id);
    expect(status(p.delivered)).toMatchObject({
      purchaseStatus: "DELIVERED",
      consignmentStatus: "DELIVERED",
    });
    expect(status(p.cancelledBeforePickup)).toMatchObject({
      purchaseStatus: "CANCELLED",
      consignmentStatus: "CANCELLED",
    });
    expect(status(p.cancelledOnTheRoad)).toMatchObject({
      purchaseStatus: "CANCELLED",
      consignmentStatus: "CANCELLED",
    });
    expect(status(p.inDelivery)).toMatchObject({
      purchaseStatus: "DELIVERING",
      consignmentStatus: "PICKED_UP",
    });
    expect(status(p.waitingForDriver)).toMatchObject({
      purchaseStatus: "PAID",
      consignmentStatus: "REQUESTED",
    });
    expect((liveGraphql as { vehicleId?: string }[]).some((r) => r.vehicleId === expensive.id)).toBe(false);
  });

  it("mySales through the gateway: the seller's own sell requests from events; staff all; others none", async () => {
    const sellerId = (await sys.ok(Q.me, {}, seller)).me.id as string;
    p.listedSale = await publishSale(sellerId, ["listed"]);
    p.rejectedSale = await publishSale(sellerId, ["rejected"]);
    p.otherSale = await publishSale(crypto.randomUUID(), ["rejected"]);
    const mine = await eventually(async () => {
      const rows = (await sys.ok(MY_SALES, {}, seller)).mySales as {
        sellRequestId: string;
        status: string;
      }[];
      return rows.length === 2 && rows.every((r) => r.status !== "PENDING") ? rows : null;
    }, "the seller's two sales");
    expect(Object.fromEntries(mine.map((r) => [r.sellRequestId, r]))).toEqual({
      [p.listedSale]: expect.objectContaining({
        vehicleName: "2020 Kia Ray",
        offerKrw: 8_100_000,
        status: "LISTED",
        payoutStatus: "PAID",
        pickupStatus: null,
      }),
      [p.rejectedSale]: expect.objectContaining({ status: "REJECTED", payoutStatus: null }),
    });
    const staffRows = (await sys.ok(MY_SALES, {}, staff)).mySales as { sellRequestId: string }[];
    expect(staffRows.map((r) => r.sellRequestId)).toEqual(
      expect.arrayContaining([p.listedSale, p.rejectedSale, p.otherSale]),
    );
    expect((await sys.ok(MY_SALES, {}, buyer)).mySales).toEqual([]);
    expect((await sys.ok(MY_SALES, {}, driver)).mySales).toEqual([]);
    expect(errorCode(await sys.gql(MY_SALES, {}))).toBe("UNAUTHENTICATED");
    await settled(sys);
  });

  it("refuses to run next to the service it would overwrite", async () => {
    const running = await rebuildCli();
    expect(running.code).toBe(2);
    expect(running.stderr).toMatch(
      /Refused: a dashboard service is running at http:\/\/127\.0\.0\.1:\d+: stop it first/,
    );
    // On another port the service is still found: by the files it holds open (PGlite) or its sessions (PostgreSQL).
    const elsewhere = await rebuildCli([], { PORT: "1" });
    expect(elsewhere.code).toBe(2);
    expect(elsewhere.stderr).toMatch(
      onPostgres
        ? /Refused: other sessions are connected to the dashboard database/
        : /Refused: process \d+.* has the dashboard's data directory .* open/,
    );
  });

  it.runIf(onPostgres)("--check reads next to a running service on PostgreSQL", async () => {
    const r = await rebuildCli(["--check"]);
    expect(r.stdout).toMatch(/, 0 differences, \d+ ms/);
    expect(r.code, r.stderr).toBe(0);
  });

  it.runIf(!onPostgres)(
    "--check refuses next to a running service on PGlite (one process per data directory)",
    async () => {
      const r = await rebuildCli(["--check"]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(
        /Refused: a dashboard service is running .*PGlite allows one process per data directory/,
      );
    },
  );

  it("rebuilds, while stopped, rows equal to the live ones and marks every event it folded as processed", async () => {
    await dashboard().stop();
    live = await readDashboardDb();
    expect(live.rows.length).toBeGreaterThanOrEqual(5);
    expect(live.sales).toHaveLength(3);

    // Events the stopped service has not seen: its durable consumer will get them after the rebuild.
    p.whileStopped = await buy(buyer2);
    await openJobFor(p.whileStopped);
    await settled(sys);
    expect(await durablePending()).toBeGreaterThan(0);

    const events = await sys.events();
    const expectedProcessed = dashboardEvents(events);
    const r = await rebuildCli();
    expect(r.code, r.stderr).toBe(0);
    expect(figure(r.stdout, /(\d+) events read/)).toBe(events.length);
    expect(figure(r.stdout, /(\d+) events applied/)).toBe(expectedProcessed.size);
    expect(figure(r.stdout, /\((\d+) repeated copy skipped\)/)).toBe(1);
    expect(figure(r.stdout, /(\d+) rows written/)).toBe(live.rows.length + 1);
    expect(figure(r.stdout, /(\d+) sale rows and/)).toBe(3);
    expect(figure(r.stdout, /(\d+) events marked processed/)).toBe(expectedProcessed.size);
    expect(r.stdout).toMatch(/, \d+ ms\n/);

    rebuilt = await readDashboardDb();
    // Every column but `version` (see withoutVersion); updatedAt is the time of the latest event,
    // not of its processing, so it must match too.
    expect(rebuilt.rows.filter((row) => row.purchaseId !== p.whileStopped).map(withoutVersion)).toEqual(
      live.rows.map(withoutVersion),
    );
    expect(rebuilt.rows.find((row) => row.purchaseId === p.whileStopped)).toMatchObject({
      purchaseStatus: "PAID",
      paymentStatus: "APPROVED",
      consignmentStatus: "REQUESTED",
    });
    expect(new Map(rebuilt.processed.map((x) => [x.event_id, x.type]))).toEqual(expectedProcessed);
    expect(rebuilt.sales.map(withoutVersion)).toEqual(live.sales.map(withoutVersion));
  });

  it("--check finds no difference in the rebuilt database", async () => {
    const r = await rebuildCli(["--check"]);
    expect(r.stdout).toMatch(/(\d+) rows rebuilt, \1 rows in the database, 0 differences/);
    expect(r.code, r.stderr).toBe(0);
  });

  it("after a restart the redelivered events change nothing, and new events are projected once", async () => {
    await dashboard().start();
    await settled(sys);
    expect(await durablePending()).toBe(0);
    // Through the gateway, as before the rebuild (the new purchase aside).
    const after = await staffDashboard();
    expect(after.filter((row) => row.purchaseId !== p.whileStopped)).toEqual(liveGraphql);

    // New events for a purchase folded by the rebuild and for a new one.
    const job = await accept(p.whileStopped!);
    await pickUp(p.whileStopped!, job);
    await sys.ok(Q.complete, { id: job }, driver);
    p.afterRestart = await buy();
    await accept(p.afterRestart);
    await eventually(async () => {
      const rows = await staffDashboard();
      return (
        rows.find((row) => row.purchaseId === p.whileStopped)?.purchaseStatus === "DELIVERED" &&
        rows.find((row) => row.purchaseId === p.afterRestart)?.consignmentStatus === "ASSIGNED"
      );
    }, "the dashboard to follow the new events");
    await settled(sys);
    const rows = await staffDashboard();
    expect(new Set(rows.map((row) => row.purchaseId)).size).toBe(rows.length);
    expect(rows).toHaveLength(after.length + 1);

    await dashboard().stop();
    const now = await readDashboardDb();
    // The records the rebuild wrote are untouched: had it not written them, the consumer would
    // have handled the events it redelivered and recorded them again, later.
    const byId = new Map(now.processed.map((x) => [x.event_id, x]));
    for (const x of rebuilt.processed) expect(byId.get(x.event_id)).toEqual(x);
    const fresh = now.processed.filter((x) => !rebuilt.processed.some((y) => y.event_id === x.event_id));
    const after2 = dashboardEvents(await sys.events());
    expect(fresh.length + rebuilt.processed.length).toBe(after2.size);
    // Rows no new event touched were not written again either (same version).
    const untouched = rebuilt.rows.filter((row) => row.purchaseId !== p.whileStopped);
    expect(now.rows.filter((row) => untouched.some((u) => u.purchaseId === row.purchaseId))).toEqual(
      untouched,
    );

    const check = await rebuildCli(["--check"]);
    expect(check.stdout).toMatch(/0 differences/);
    expect(check.code, check.stderr).toBe(0);
  });

  it("--check reports a corrupted row (exit 1) and a rebuild repairs it", async () => {
    await corruptRow(p.delivered!, `"purchaseStatus" = 'PAID', "driverName" = 'Nobody'`);
    await corruptSale(p.listedSale!, `"status" = 'PENDING'`);
    const r = await rebuildCli(["--check"]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/, 2 differences, \d+ ms/);
    expect(r.stdout).toContain(
      `purchase ${p.delivered}: purchaseStatus is "PAID", events give "DELIVERED"; driverName is "Nobody", events give "Jung Hyunwoo"`,
    );
    expect(r.stdout).toContain(`sell request ${p.listedSale}: status is "PENDING", events give "LISTED"`);

    const rebuild = await rebuildCli();
    expect(rebuild.code, rebuild.stderr).toBe(0);
    const repaired = await rebuildCli(["--check"]);
    expect(repaired.stdout).toMatch(/0 differences/);
    expect(repaired.code, repaired.stderr).toBe(0);
    await dashboard().start();
    expect((await sys.ok(Q.purchaseView, { id: p.delivered }, staff)).purchaseView).toMatchObject({
      purchaseStatus: "DELIVERED",
      driverName: "Jung Hyunwoo",
    });
    const sales = (await sys.ok(MY_SALES, {}, seller)).mySales as { sellRequestId: string; status: string }[];
    expect(sales.find((x) => x.sellRequestId === p.listedSale)?.status).toBe("LISTED");
  });
});
