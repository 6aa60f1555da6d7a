import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type NatsConnection } from "nats";
import { EVENT_CATALOGUE, EVENT_STREAM, newEvent } from "@junggo/events";
import { freePort, natsProcess, type ManagedProcess } from "@junggo/devstack";
import { migrationsDir } from "@junggo/prisma";
import { PrismaClient } from "@junggo/prisma/identity";
import {
  appendEvents,
  createLogger,
  EventBus,
  EventConsumer,
  migrate,
  openDatabase,
  OutboxRelay,
  type Database,
} from "../src/index.ts";

// Real nats-server and a real PGlite database; the identity context's schema serves as host.
let dir: string;
let nats: ManagedProcess;
let natsUrl: string;
let db: Database;
let prisma: PrismaClient;
let bus: EventBus;
let relay: OutboxRelay;
let nc: NatsConnection;
const log = createLogger("messaging-test");

const until = async (cond: () => Promise<boolean> | boolean, ms = 15_000) => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("condition not met in time");
};

const streamCount = async () =>
  (await (await nc.jetstreamManager()).streams.info(EVENT_STREAM)).state.messages;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "junggo-messaging-"));
  const port = await freePort();
  nats = natsProcess({ port, httpPort: await freePort(), dataDir: join(dir, "nats"), logDir: dir });
  await nats.start();
  natsUrl = `nats://127.0.0.1:${port}`;
  db = await openDatabase({ dataDir: join(dir, "db") });
  await migrate(db, migrationsDir("identity"), log);
  prisma = new PrismaClient({ adapter: db.adapter });
  bus = new EventBus(natsUrl, "test", log);
  await bus.ready;
  relay = new OutboxRelay(db, bus, log, { pollMs: 50 });
  relay.start();
  nc = await connect({ servers: natsUrl });
});

afterAll(async () => {
  await relay?.stop();
  await bus?.close();
  await nc?.close();
  await prisma?.$disconnect();
  await db?.close();
  await nats?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const paid = (purchaseId: string) =>
  newEvent(
    "PurchaseDelivered",
    { purchaseId, vehicleId: crypto.randomUUID(), buyerId: crypto.randomUUID() },
    { producer: "test" },
  );

describe("outbox → JetStream → consumer", () => {
  it("publishes committed events once, never rolled-back ones", async () => {
    const before = await streamCount();
    const e1 = paid(crypto.randomUUID());
    await prisma.$transaction(async (tx) => appendEvents(tx, [e1]));
    await expect(
      prisma.$transaction(async (tx) => {
        await appendEvents(tx, [paid(crypto.randomUUID())]);
        throw new Error("use case failed");
      }),
    ).rejects.toThrow("use case failed");
    relay.nudge();
    await until(async () => (await relay.pendingCount()) === 0 && (await streamCount()) === before + 1);
    // A relay that crashed after the PubAck but before marking the row republishes it: JetStream drops the copy.
    await db.query(`UPDATE messaging.outbox SET published_at = NULL WHERE event_id = $1`, [e1.eventId]);
    relay.nudge();
    await until(async () => (await relay.pendingCount()) === 0);
    expect(await streamCount()).toBe(before + 1);
  });

  it("acknowledges events of types it does not handle without reading them", async () => {
    const seen: string[] = [];
    const consumer = new EventConsumer({
      bus,
      prisma,
      durable: "skip-test",
      log,
      relay,
      handlers: {
        PurchaseDelivered: async (e) => {
          seen.push(e.eventId);
        },
      },
    });
    consumer.start();
    // Not an envelope, on a subject this consumer has no handler for: not its business, no dead letter.
    await nc.jetstream().publish("identity.account.registered", new TextEncoder().encode("{not json"), {
      msgID: crypto.randomUUID(),
    });
    const e = paid(crypto.randomUUID());
    await nc.jetstream().publish("purchase.purchase.delivered", new TextEncoder().encode(JSON.stringify(e)), {
      msgID: e.eventId,
    });
    await until(() => seen.includes(e.eventId));
    expect(consumer.skipped).toBeGreaterThanOrEqual(1);
    expect(await db.query(`SELECT 1 FROM messaging.dead_letter WHERE consumer = 'skip-test'`)).toHaveLength(
      0,
    );
    await until(async () => {
      const info = await (await nc.jetstreamManager()).consumers.info(EVENT_STREAM, "skip-test");
      return info.num_pending === 0 && info.num_ack_pending === 0;
    });
    await consumer.stop();
  });

  it("handles a burst in few transactions, each event once, in order", async () => {
    const seen: string[] = [];
    const consumer = new EventConsumer({
      bus,
      prisma,
      durable: "batch-test",
      log,
      relay,
      handlers: {
        PurchaseDelivered: async (e) => {
          seen.push(e.eventId);
        },
      },
    });
    const burst = Array.from({ length: 40 }, () => paid(crypto.randomUUID()));
    // Published before the consumer starts: they arrive together, as after a busy moment.
    for (const e of burst)
      await nc
        .jetstream()
        .publish("purchase.purchase.delivered", new TextEncoder().encode(JSON.stringify(e)), {
          msgID: e.eventId,
        });
    consumer.start();
    await until(() => burst.every((e) => seen.includes(e.eventId)));
    expect(seen.filter((id) => burst.some((e) => e.eventId === id))).toEqual(burst.map((e) => e.eventId));
    expect(consumer.transactions).toBeLessThan(burst.length);
    await consumer.stop();
  });

  it("handles each event once even when it is delivered twice", async () => {
    const seen: string[] = [];
    const consumer = new EventConsumer({
      bus,
      prisma,
      durable: "dedup-test",
      log,
      relay,
      handlers: {
        PurchaseDelivered: async (e) => {
          seen.push(e.eventId);
        },
      },
    });
    consumer.start();
    const e = paid(crypto.randomUUID());
    await prisma.$transaction(async (tx) => appendEvents(tx, [e]));
    relay.nudge();
    await until(() => seen.includes(e.eventId));
    // Redelivery: the same envelope published again under another msgID (as after a lost ack).
    await nc.jetstream().publish("purchase.purchase.delivered", new TextEncoder().encode(JSON.stringify(e)), {
      msgID: crypto.randomUUID(),
    });
    await until(() => consumer.duplicates >= 1);
    expect(seen.filter((id) => id === e.eventId)).toHaveLength(1);
    await consumer.stop();
  });

  it("rolls back the handler's writes with its inbox row when it fails, then dead-letters after maxDeliver", async () => {
    const poison = paid(crypto.randomUUID());
    let attempts = 0;
    const consumer = new EventConsumer({
      bus,
      prisma,
      durable: "poison-test",
      log,
      maxDeliver: 3,
      handlers: {
        PurchaseDelivered: async (e, tx) => {
          if (e.eventId !== poison.eventId) return;
          attempts++;
          await tx.$executeRawUnsafe(
            `INSERT INTO messaging.inbox (consumer, event_id, type) VALUES ('side-effect', $1, 'x')`,
            e.eventId,
          );
          throw new Error("boom");
        },
      },
    });
    consumer.start();
    await prisma.$transaction(async (tx) => appendEvents(tx, [poison]));
    relay.nudge();
    await until(
      async () =>
        (await db.query(`SELECT 1 FROM messaging.dead_letter WHERE event_id = $1`, [poison.eventId]))
          .length === 1,
      30_000,
    );
    expect(attempts).toBe(3);
    const leftovers = await db.query(`SELECT 1 FROM messaging.inbox WHERE event_id = $1`, [poison.eventId]);
    expect(leftovers).toHaveLength(0);
    const [dl] = await db.query<{ error: string; deliveries: number }>(
      `SELECT error, deliveries FROM messaging.dead_letter WHERE event_id = $1`,
      [poison.eventId],
    );
    expect(dl).toMatchObject({ error: "boom", deliveries: 3 });
    await consumer.stop();
  });

  it("loses no delivered event when the process is descheduled past the end of a pull (no redelivery needed)", async () => {
    // The handler of the first event holds this process's event loop (as a starved process on a
    // busy machine is held) while another process publishes more events, which the server hands to
    // the pull in progress; the hold lasts past that pull's expiry. Those events are in this
    // process's socket: they must be handled when it runs again, not dropped and left
    // unacknowledged until ack_wait redelivers them.
    const first = paid(crypto.randomUUID());
    const more = Array.from({ length: 5 }, () => paid(crypto.randomUUID()));
    const go = join(dir, "stall-go"),
      sent = join(dir, "stall-sent"),
      ready = join(dir, "stall-ready");
    const subject = EVENT_CATALOGUE.PurchaseDelivered.subject;
    const publisher = spawn(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `
      import { connect } from "nats";
      import { existsSync, writeFileSync } from "node:fs";
      const nc = await connect({ servers: ${JSON.stringify(natsUrl)} });
      const js = nc.jetstream();
      writeFileSync(${JSON.stringify(ready)}, "");
      while (!existsSync(${JSON.stringify(go)})) await new Promise((r) => setTimeout(r, 5));
      for (const e of ${JSON.stringify(more)}) await js.publish(${JSON.stringify(subject)}, new TextEncoder().encode(JSON.stringify(e)), { msgID: e.eventId });
      writeFileSync(${JSON.stringify(sent)}, "");
      await nc.close();
    `,
      ],
      { cwd: join(import.meta.dirname, ".."), stdio: "inherit" },
    );
    const exited = new Promise((r) => publisher.once("exit", r));
    await until(() => existsSync(ready), 30_000);

    const seen: string[] = [];
    let heldMs = 0;
    const consumer = new EventConsumer({
      bus,
      prisma,
      durable: "stall-test",
      log,
      ackWaitMs: 8000,
      handlers: {
        PurchaseDelivered: async (e) => {
          seen.push(e.eventId);
          if (e.eventId !== first.eventId) return;
          const t = Date.now();
          writeFileSync(go, "");
          // Busy: no timer, no socket read, until the others are in the stream and the pull is over.
          while (!existsSync(sent) || Date.now() - t < 2500) {
            /* held */
          }
          heldMs = Date.now() - t;
        },
      },
    });
    consumer.start();
    await nc
      .jetstream()
      .publish(subject, new TextEncoder().encode(JSON.stringify(first)), { msgID: first.eventId });
    const all = [first, ...more].map((e) => e.eventId);
    await until(() => all.every((id) => seen.includes(id)), 60_000);
    const info = await (await nc.jetstreamManager()).consumers.info(EVENT_STREAM, "stall-test");
    await consumer.stop();
    await exited;
    expect(heldMs).toBeGreaterThanOrEqual(2500);
    // Every delivery was a first one: this consumer (no filter, from the stream's first message)
    // made as many deliveries as it passed stream messages. A dropped event costs a second delivery.
    expect(info.delivered.consumer_seq).toBe(info.delivered.stream_seq);
    expect(seen.filter((id) => all.includes(id))).toHaveLength(all.length);
  });
});
