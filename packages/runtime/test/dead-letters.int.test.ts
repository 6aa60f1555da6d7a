import { mkdtempSync, rmSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type NatsConnection } from "nats";
import { newEvent, subjectOf, type EventEnvelope } from "@junggo/events";
import { freePort, natsProcess, type ManagedProcess } from "@junggo/devstack";
import { migrationsDir } from "@junggo/prisma";
import { PrismaClient, type Prisma } from "@junggo/prisma/identity";
import {
  appendEvents,
  createLogger,
  deadLetterRoutes,
  DeadLetters,
  EventBus,
  EventConsumer,
  migrate,
  openDatabase,
  OutboxRelay,
  signServiceToken,
  type Database,
  type DeadLetter,
  type SqlTx,
} from "../src/index.ts";

// Poison events against a real nats-server and a real PGlite database (identity's schema as host):
// dead-lettered after maxDeliver while later events keep flowing, then replayed after "the fix".
let dir: string;
let nats: ManagedProcess;
let db: Database;
let prisma: PrismaClient;
let bus: EventBus;
let relay: OutboxRelay;
let nc: NatsConnection;
type Tx = Prisma.TransactionClient;
let consumer: EventConsumer<Tx>;
let deadLetters: DeadLetters<Tx>;
const log = createLogger("dead-letters-test");
const CONSUMER = "dl-test";

/** Events whose handling fails, with the error to fail with; deleting an entry is "the fix". */
const broken = new Map<string, string>();
const attempts = new Map<string, number>();

const handlers = {
  PurchaseDelivered: async (e: EventEnvelope<"PurchaseDelivered">, tx: SqlTx) => {
    attempts.set(e.eventId, (attempts.get(e.eventId) ?? 0) + 1);
    // The effect is written before the failure: it must vanish with the rolled-back transaction.
    await tx.$executeRawUnsafe(`INSERT INTO dl_effect (event_id) VALUES ($1)`, e.eventId);
    const failure = broken.get(e.eventId);
    if (failure) throw new Error(failure);
  },
};

const until = async <T>(cond: () => Promise<T> | T, ms = 20_000): Promise<NonNullable<T>> => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await cond();
    if (v) return v as NonNullable<T>;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("condition not met in time");
};

const delivered = () =>
  newEvent(
    "PurchaseDelivered",
    { purchaseId: crypto.randomUUID(), vehicleId: crypto.randomUUID(), buyerId: crypto.randomUUID() },
    { producer: "test" },
  );
const effects = async (eventId: string) =>
  (
    await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM dl_effect WHERE event_id = $1`, [eventId])
  )[0]!.n;
const inInbox = async (eventId: string) =>
  (await db.query(`SELECT 1 FROM messaging.inbox WHERE consumer = $1 AND event_id = $2`, [CONSUMER, eventId]))
    .length === 1;
const deadLetterOf = async (eventId: string) =>
  (await deadLetters.list(500)).find((d) => d.eventId === eventId);
const publish = async (events: EventEnvelope[]) => {
  await prisma.$transaction(async (tx) => appendEvents(tx, events));
  relay.nudge();
};
/** The same envelope again under another msgID, as JetStream redelivers after a lost ack. */
const republish = (e: EventEnvelope) =>
  nc
    .jetstream()
    .publish(subjectOf(e.type), new TextEncoder().encode(JSON.stringify(e)), { msgID: crypto.randomUUID() });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "junggo-dead-letters-"));
  const port = await freePort();
  nats = natsProcess({ port, httpPort: await freePort(), dataDir: join(dir, "nats"), logDir: dir });
  await nats.start();
  db = await openDatabase({ dataDir: join(dir, "db") });
  await migrate(db, migrationsDir("identity"), log);
  // No unique key: a second run of the handler would show as a second row.
  await db.exec(
    `CREATE TABLE dl_effect (seq BIGSERIAL PRIMARY KEY, event_id TEXT NOT NULL, at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp())`,
  );
  prisma = new PrismaClient({ adapter: db.adapter });
  bus = new EventBus(`nats://127.0.0.1:${port}`, "test", log);
  await bus.ready;
  relay = new OutboxRelay(db, bus, log, { pollMs: 50 });
  relay.start();
  nc = await connect({ servers: `nats://127.0.0.1:${port}` });
  // Retries 400 ms, then 800 ms apart: long enough to see later events overtake the poison.
  consumer = new EventConsumer({
    bus,
    prisma,
    durable: CONSUMER,
    handlers,
    log,
    relay,
    maxDeliver: 3,
    retryBaseMs: 400,
  });
  consumer.start();
  deadLetters = new DeadLetters({ prisma, consumer: CONSUMER, handlers, log, relay });
});

afterAll(async () => {
  await consumer?.stop();
  await relay?.stop();
  await bus?.close();
  await nc?.close();
  await prisma?.$disconnect();
  await db?.close();
  await nats?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("dead letters", () => {
  let poison: EventEnvelope;
  let row: DeadLetter;

  it("dead-letters a poison event after maxDeliver while the events published after it are handled", async () => {
    poison = delivered();
    const later = [delivered(), delivered(), delivered()];
    broken.set(poison.eventId, "vehicle projection missing");
    await publish([poison, ...later]);

    row = await until(() => deadLetterOf(poison.eventId));
    expect(attempts.get(poison.eventId)).toBe(3);
    for (const e of later) {
      expect(await effects(e.eventId)).toBe(1);
      expect(await inInbox(e.eventId)).toBe(true);
    }
    // Handled while the poison was still being retried, not only once it had been given up.
    const [handled] = await db.query<{ last: Date }>(
      `SELECT max(at) AS last FROM dl_effect WHERE event_id = ANY($1)`,
      [later.map((e) => e.eventId)],
    );
    expect(new Date(handled!.last).getTime()).toBeLessThan(row.createdAt.getTime());
    expect(await effects(poison.eventId)).toBe(0);
    expect(await inInbox(poison.eventId)).toBe(false);
  });

  it("lists it for operators with its error, newest first", async () => {
    expect(row).toMatchObject({
      consumer: CONSUMER,
      eventId: poison.eventId,
      type: "PurchaseDelivered",
      subject: "purchase.purchase.delivered",
      error: "vehicle projection missing",
      deliveries: 3,
      status: "PENDING",
      replayedAt: null,
      replayAttempts: 0,
      replayError: null,
    });
    expect(row.id).toMatch(/^[1-9][0-9]*$/);
    expect(await deadLetters.pendingCount()).toBe(1);
    // Another consumer's rows (another context sharing nothing but the table's name) are not ours.
    await db.query(
      `INSERT INTO messaging.dead_letter (consumer, event_id, subject, type, body, error, deliveries) VALUES ('other', 'x', 's', 't', '{}', 'e', 5)`,
    );
    const foreign = (
      await db.query<{ id: string }>(
        `SELECT id::text AS id FROM messaging.dead_letter WHERE consumer = 'other'`,
      )
    )[0]!.id;
    expect((await deadLetters.list(50)).map((d) => d.consumer)).toEqual([CONSUMER]);
    expect(await deadLetters.replay(foreign)).toBeNull();
    expect(await deadLetters.find(foreign)).toBeNull();
  });

  it("keeps the row with the new error when a replay fails again, and changes nothing else", async () => {
    broken.set(poison.eventId, "vehicle projection still missing");
    const before = attempts.get(poison.eventId)!;
    const failed = await deadLetters.replay(row.id);
    expect(attempts.get(poison.eventId)).toBe(before + 1);
    expect(failed).toMatchObject({
      id: row.id,
      status: "PENDING",
      replayedAt: null,
      replayAttempts: 1,
      replayError: "vehicle projection still missing",
      error: "vehicle projection missing",
    });
    expect(await effects(poison.eventId)).toBe(0);
    expect(await inInbox(poison.eventId)).toBe(false);
  });

  it("replays it exactly once after the fix, even when two replays race", async () => {
    broken.delete(poison.eventId);
    const [a, b] = await Promise.all([deadLetters.replay(row.id), deadLetters.replay(row.id)]);
    for (const r of [a, b])
      expect(r).toMatchObject({ id: row.id, status: "REPLAYED", replayError: null, replayAttempts: 2 });
    expect(a!.replayedAt).toBeInstanceOf(Date);
    expect(await effects(poison.eventId)).toBe(1);
    expect(await inInbox(poison.eventId)).toBe(true);
    expect(await deadLetters.pendingCount()).toBe(0);
  });

  it("changes nothing when replayed a second time", async () => {
    const first = (await deadLetters.find(row.id))!;
    const runs = attempts.get(poison.eventId);
    const again = await deadLetters.replay(row.id);
    expect(again).toEqual(first);
    expect(attempts.get(poison.eventId)).toBe(runs);
    expect(await effects(poison.eventId)).toBe(1);
  });

  it("marks a dead letter ALREADY_PROCESSED, without running the handler, when a redelivered copy was handled meanwhile", async () => {
    const e = delivered();
    broken.set(e.eventId, "transient failure");
    await publish([e]);
    const dead = await until(() => deadLetterOf(e.eventId));
    broken.delete(e.eventId);
    await republish(e);
    await until(() => inInbox(e.eventId));
    const runs = attempts.get(e.eventId);
    const replayed = await deadLetters.replay(dead.id);
    expect(replayed).toMatchObject({ status: "ALREADY_PROCESSED", replayError: null, replayAttempts: 1 });
    expect(replayed!.replayedAt).not.toBeNull();
    expect(attempts.get(e.eventId)).toBe(runs);
    expect(await effects(e.eventId)).toBe(1);
  });

  it("dead-letters a message that is not an event at once, and a replay records why it still cannot be handled", async () => {
    await nc.jetstream().publish("purchase.purchase.delivered", new TextEncoder().encode("{not json"), {
      msgID: crypto.randomUUID(),
    });
    const dead = await until(async () => (await deadLetters.list(50)).find((d) => d.type === "unknown"));
    expect(dead).toMatchObject({ deliveries: 1, status: "PENDING", subject: "purchase.purchase.delivered" });
    const replayed = await deadLetters.replay(dead.id);
    expect(replayed).toMatchObject({ status: "PENDING", replayAttempts: 1 });
    expect(replayed!.replayError).toMatch(/JSON/);
  });

  it("returns null for ids it does not have", async () => {
    expect(await deadLetters.replay("999999999")).toBeNull();
    expect(await deadLetters.replay("0")).toBeNull();
    expect(await deadLetters.replay("1; DROP TABLE messaging.inbox")).toBeNull();
  });
});

describe("internal HTTP API", () => {
  let server: Server;
  let base: string;
  const secret = "dead-letter-test-secret";
  const call = async (method: string, path: string, token?: string) => {
    const res = await fetch(base + path, {
      method,
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
    return { status: res.status, body: (await res.json()) as any };
  };

  beforeAll(async () => {
    const app = express();
    deadLetterRoutes(app, { deadLetters, internalSecret: secret, log });
    server = app.listen(0, "127.0.0.1");
    await new Promise((r) => server.once("listening", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );

  it("refuses calls without a service token, with a forged one, or from a service other than the dashboard", async () => {
    expect((await call("GET", "/internal/dead-letters")).status).toBe(401);
    expect(
      (await call("GET", "/internal/dead-letters", await signServiceToken("dashboard", "another-secret")))
        .status,
    ).toBe(401);
    const purchase = await call(
      "POST",
      "/internal/dead-letters/1/replay",
      await signServiceToken("purchase", secret),
    );
    expect(purchase).toMatchObject({ status: 403, body: { code: "FORBIDDEN" } });
  });

  it("lists and replays for the dashboard, with the API's error answers", async () => {
    const token = await signServiceToken("dashboard", secret);
    const list = await call("GET", "/internal/dead-letters?first=10", token);
    expect(list.status).toBe(200);
    const poisonRow = list.body.deadLetters.find((d: any) => d.status === "REPLAYED");
    expect(poisonRow).toMatchObject({
      consumer: CONSUMER,
      type: "PurchaseDelivered",
      deliveries: 3,
      replayAttempts: 2,
    });
    expect(new Date(poisonRow.createdAt).toString()).not.toBe("Invalid Date");

    const again = await call("POST", `/internal/dead-letters/${poisonRow.id}/replay`, token);
    expect(again).toMatchObject({
      status: 200,
      body: { deadLetter: { id: poisonRow.id, status: "REPLAYED", replayedAt: poisonRow.replayedAt } },
    });
    expect(await call("POST", "/internal/dead-letters/424242/replay", token)).toMatchObject({
      status: 404,
      body: { code: "DEAD_LETTER_NOT_FOUND" },
    });
    expect(await call("POST", "/internal/dead-letters/abc/replay", token)).toMatchObject({
      status: 400,
      body: { code: "BAD_USER_INPUT", field: "id" },
    });
    expect(await call("GET", "/internal/dead-letters?first=0", token)).toMatchObject({
      status: 400,
      body: { field: "first" },
    });
    expect(await call("GET", "/internal/dead-letters?first=501", token)).toMatchObject({
      status: 400,
      body: { field: "first" },
    });
  });
});
