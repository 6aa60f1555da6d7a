import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AckPolicy, connect, type NatsConnection } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  EVENT_CATALOGUE,
  EVENT_STREAM,
  EVENT_STREAM_SUBJECTS,
  NOTIFICATION_STREAM,
  NOTIFICATION_STREAM_SUBJECTS,
  newEvent,
  type EventEnvelope,
  type EventType,
} from "@junggo/events";
import {
  freePort,
  natsPasswordsFor,
  natsProcess,
  type ManagedProcess,
  type NatsPasswords,
} from "@junggo/devstack";
import {
  createLogger,
  EventBus,
  EventConsumer,
  LIVE_EVENT_TYPES,
  LiveEvents,
  natsInboxPrefix,
  SUBGRAPH_NAMES,
  type ContextName,
  type HandlerMap,
  type Logger,
  type SqlTx,
} from "../src/index.ts";

// deploy/nats-auth.conf on a real nats-server (the dev stack's, with random passwords): the doors it
// closes, and the real bus, consumer and live code of every context working through it.
let dir: string;
let nats: ManagedProcess;
let url: string;
let port: number;
let passwords: NatsPasswords;
let admin: NatsConnection;
const base = createLogger("nats-auth-test");
// Warnings and errors only: a dozen buses each announce their connection.
const log: Logger = { ...base, debug: () => {}, info: () => {}, child: () => log };
const encoder = new TextEncoder();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "junggo-nats-auth-"));
  passwords = natsPasswordsFor(join(dir, "nats-passwords.json"));
  port = await freePort();
  nats = natsProcess({
    port,
    httpPort: await freePort(),
    dataDir: join(dir, "nats"),
    logDir: dir,
    passwords,
  });
  await nats.start();
  url = `nats://127.0.0.1:${port}`;
  admin = await connect({ servers: url, user: "admin", pass: passwords.admin });
});
afterAll(async () => {
  await admin?.close();
  await nats?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const creds = (user: ContextName) => ({ user, pass: passwords[user] });

/** The first event type of the catalogue a context produces (dashboard produces none). */
const ownType = (context: ContextName) =>
  (Object.keys(EVENT_CATALOGUE) as EventType[]).find((t) => EVENT_CATALOGUE[t].producer === context);

/** An event of `type` (the payload does not matter to NATS). */
const probe = (type: EventType): EventEnvelope =>
  newEvent(type, { purchaseId: crypto.randomUUID() } as never, { producer: "test", causationId: null });

const publish = (nc: NatsConnection, subject: string, event: EventEnvelope, timeout = 5000) =>
  nc.jetstream({ timeout }).publish(subject, encoder.encode(JSON.stringify(event)), { msgID: event.eventId });

/** A context's own connection, as the EventBus opens it. */
const asUser = (user: ContextName) =>
  connect({ servers: url, ...creds(user), inboxPrefix: natsInboxPrefix(user) });

/** The server refused the publish (a JetStream API call is a publish to its subject). */
const refused = (subject: string) => `Permissions Violation for Publish to "${subject}"`;

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const streamInfo = async (name = EVENT_STREAM) => (await admin.jetstreamManager()).streams.info(name);

/** The event id of the stream's last message on `subject`, if any. */
async function lastEventOn(subject: string): Promise<string | undefined> {
  const jsm = await admin.jetstreamManager();
  const m = await jsm.streams.getMessage(EVENT_STREAM, { last_by_subj: subject }).catch(() => null);
  return m ? (JSON.parse(new TextDecoder().decode(m.data)) as EventEnvelope).eventId : undefined;
}

/** Inbox rows in memory: the consumer's exactly-once step needs a transaction, not a database. */
function memoryInbox() {
  const rows = new Set<string>();
  const tx: SqlTx = {
    $executeRawUnsafe: async (_sql, consumer, eventId) => {
      const key = `${consumer}/${eventId}`;
      if (rows.has(key)) return 0;
      rows.add(key);
      return 1;
    },
    $queryRawUnsafe: async <T>() => [] as T,
  };
  return { ...tx, $transaction: <R>(fn: (t: SqlTx) => Promise<R>) => fn(tx) };
}

describe("NATS authentication", () => {
  it("refuses a client without credentials, with a wrong password, or with another user's password", async () => {
    await expect(connect({ servers: url, reconnect: false })).rejects.toThrow(/Authorization Violation/i);
    await expect(connect({ servers: url, user: "stock", pass: "nWrongPassword0000000" })).rejects.toThrow(
      /Authorization Violation/i,
    );
    await expect(connect({ servers: url, user: "stock", pass: passwords.purchase })).rejects.toThrow(
      /Authorization Violation/i,
    );
  });
});

describe("NATS authorization per context", () => {
  it("lets every context create the stream, publish its own events, and consume and ack them through its own durable (real EventBus and EventConsumer)", async () => {
    const buses = new Map<ContextName, EventBus>();
    const consumers: EventConsumer<SqlTx>[] = [];
    try {
      for (const c of SUBGRAPH_NAMES) buses.set(c, new EventBus(url, c, log, creds(c)));
      // Nobody created the stream beforehand: the first context to connect does.
      await Promise.all([...buses.values()].map((b) => b.ready));
      expect((await streamInfo()).config.subjects).toEqual(EVENT_STREAM_SUBJECTS);
      expect((await streamInfo(NOTIFICATION_STREAM)).config.subjects).toEqual(NOTIFICATION_STREAM_SUBJECTS);

      const published: EventEnvelope[] = [];
      for (const c of SUBGRAPH_NAMES) {
        const type = ownType(c);
        if (!type) continue;
        const event = probe(type);
        const ack = await publish(buses.get(c)!.connection(), EVENT_CATALOGUE[type].subject, event);
        // Notification's events go to their own stream, which no durable consumer reads.
        expect(ack.stream).toBe(c === "notification" ? NOTIFICATION_STREAM : EVENT_STREAM);
        if (ack.stream === EVENT_STREAM) published.push(event);
      }
      expect(published.map((e) => e.type)).toHaveLength(SUBGRAPH_NAMES.length - 2);

      const seen = new Map<ContextName, string[]>(SUBGRAPH_NAMES.map((c) => [c, []]));
      for (const c of SUBGRAPH_NAMES) {
        const handlers = Object.fromEntries(
          published.map((e) => [e.type, async (ev: EventEnvelope) => void seen.get(c)!.push(ev.eventId)]),
        ) as HandlerMap<SqlTx>;
        const consumer = new EventConsumer<SqlTx>({
          bus: buses.get(c)!,
          prisma: memoryInbox(),
          durable: c,
          handlers,
          log,
        });
        consumers.push(consumer);
        consumer.start();
      }
      await until("every context to handle every event", () =>
        SUBGRAPH_NAMES.every((c) => seen.get(c)!.length === published.length),
      );
      // Acknowledged (acks are publishes to $JS.ACK.<stream>.<durable>.>): nothing left pending.
      const jsm = await admin.jetstreamManager();
      const { state } = await streamInfo();
      for (const c of SUBGRAPH_NAMES) {
        await until(`${c}'s acks`, async () => {
          const info = await jsm.consumers.info(EVENT_STREAM, c);
          return (
            info.num_ack_pending === 0 &&
            info.num_pending === 0 &&
            info.ack_floor.stream_seq === state.last_seq
          );
        });
      }
      expect(consumers.every((x) => x.handled === published.length)).toBe(true);
    } finally {
      await Promise.all(consumers.map((x) => x.stop()));
      await Promise.all([...buses.values()].map((b) => b.close()));
    }
  });

  it("refuses a context publishing another context's event: a permissions violation, and nothing reaches the stream", async () => {
    const cases: [ContextName, EventType][] = [
      ["stock", "PurchasePaid"],
      ["notification", "PaymentApproved"],
      ["dashboard", "VehicleSold"],
    ];
    for (const [user, type] of cases) {
      const subject = EVENT_CATALOGUE[type].subject;
      const before = (await streamInfo()).state.messages;
      const forged = probe(type);
      const nc = await asUser(user);
      try {
        await expect(publish(nc, subject, forged)).rejects.toThrow(refused(subject));
      } finally {
        await nc.close();
      }
      expect(await lastEventOn(subject), `${user} → ${subject}`).not.toBe(forged.eventId);
      expect((await streamInfo()).state.messages).toBe(before);
    }
  });

  it("refuses what a context does not need: another's durable, changing the stream, another's inbox, other live subjects", async () => {
    const nc = await asUser("stock");
    try {
      const jsm = await nc.jetstreamManager({ checkAPI: false });
      const api = "$JS.API";
      // Stealing purchase's events, or re-creating its durable with another configuration.
      await expect(nc.jetstream().consumers.get(EVENT_STREAM, "purchase")).rejects.toThrow(
        refused(`${api}.CONSUMER.INFO.${EVENT_STREAM}.purchase`),
      );
      await expect(
        jsm.consumers.add(EVENT_STREAM, { durable_name: "purchase", ack_policy: AckPolicy.Explicit }),
      ).rejects.toThrow(refused(`${api}.CONSUMER.CREATE.${EVENT_STREAM}.purchase`));
      await expect(jsm.consumers.delete(EVENT_STREAM, "purchase")).rejects.toThrow(
        refused(`${api}.CONSUMER.DELETE.${EVENT_STREAM}.purchase`),
      );
      // Pulling from purchase's durable without asking for its info first.
      await expect(
        nc.request(`${api}.CONSUMER.MSG.NEXT.${EVENT_STREAM}.purchase`, encoder.encode('{"batch":1}')),
      ).rejects.toThrow(refused(`${api}.CONSUMER.MSG.NEXT.${EVENT_STREAM}.purchase`));
      // Shrinking, purging or deleting everyone's history.
      const { config, state } = await streamInfo();
      await expect(jsm.streams.update(EVENT_STREAM, { ...config, max_msgs: 1 })).rejects.toThrow(
        refused(`${api}.STREAM.UPDATE.${EVENT_STREAM}`),
      );
      await expect(jsm.streams.purge(EVENT_STREAM)).rejects.toThrow(
        refused(`${api}.STREAM.PURGE.${EVENT_STREAM}`),
      );
      await expect(jsm.streams.delete(EVENT_STREAM)).rejects.toThrow(
        refused(`${api}.STREAM.DELETE.${EVENT_STREAM}`),
      );
      const after = await streamInfo();
      expect(after.config.max_msgs).toBe(config.max_msgs);
      expect(after.state.messages).toBe(state.messages);
    } finally {
      await nc.close();
    }

    // Reading replies meant for others (pulled events arrive in the puller's inbox), or events over core NATS.
    const notification = await asUser("notification");
    try {
      for (const subject of ["_INBOX.>", `${natsInboxPrefix("purchase")}.>`, "purchase.purchase.paid", ">"]) {
        const error = new Promise<Error | null>((resolve) => {
          notification.subscribe(subject, { callback: (err) => resolve(err) });
        });
        expect((await error)?.message, subject).toContain(
          `Permissions Violation for Subscription to "${subject}"`,
        );
      }
    } finally {
      await notification.close();
    }
  });

  it("lets purchase, consignment and notification follow their live events over core NATS (LiveEvents)", async () => {
    const js = admin.jetstream();
    for (const c of SUBGRAPH_NAMES) {
      const types = LIVE_EVENT_TYPES[c];
      if (!types.length) continue;
      const bus = new EventBus(url, c, log, creds(c));
      const live = new LiveEvents(bus, log);
      try {
        await bus.ready;
        const it = live.subscribe(types);
        await bus.connection().flush();
        await new Promise((r) => setTimeout(r, 100));
        const events = types.map(probe);
        for (const e of events)
          await js.publish(EVENT_CATALOGUE[e.type].subject, encoder.encode(JSON.stringify(e)), {
            msgID: e.eventId,
          });
        const got: string[] = [];
        while (got.length < events.length) {
          const r = await it.next();
          if (r.done) break;
          got.push(r.value.eventId);
        }
        expect(got, c).toEqual(events.map((e) => e.eventId));
        await it.return?.();
      } finally {
        live.close();
        await bus.close();
      }
    }
  });

  it("leaves widening an older stream to the administrator: a context names the missing subjects, the admin adds them", async () => {
    const jsm = await admin.jetstreamManager();
    const { config } = await streamInfo();
    // A stream from a release before the maintenance context.
    await jsm.streams.update(EVENT_STREAM, {
      ...config,
      subjects: config.subjects.filter((x) => x !== "maintenance.>"),
    });
    const warnings: string[] = [];
    const capture: Logger = {
      ...log,
      warn: (_msg, f) => void warnings.push(String(f?.err)),
      child: () => capture,
    };
    const stock = new EventBus(url, "stock", capture, creds("stock"));
    try {
      await until("stock's complaint", () =>
        warnings.some(
          (w) => w.includes("needs subjects maintenance.>") && w.includes("npm run nats -- stream"),
        ),
      );
      expect((await streamInfo()).config.subjects).not.toContain("maintenance.>");
    } finally {
      await stock.close();
    }
    // What `npm run nats -- stream` does: the administrator's EventBus widens it on connecting.
    const bus = new EventBus(url, "nats-cli", log, { user: "admin", pass: passwords.admin });
    await bus.ready;
    await bus.close();
    expect([...(await streamInfo()).config.subjects].sort()).toEqual([...EVENT_STREAM_SUBJECTS].sort());
  });

  // Last: it restarts the server.
  it("keeps reconnecting while NATS refuses a context's password, and recovers once the password is right again", async () => {
    const bus = new EventBus(url, "stock", log, creds("stock"));
    try {
      await bus.ready;
      await nats.stop();
      // NATS back with a password stock does not have yet (a rotation deployed in the wrong order).
      const rotated = natsProcess({
        port,
        httpPort: await freePort(),
        dataDir: join(dir, "nats"),
        logDir: join(dir, "rotated"),
        passwords: { ...passwords, stock: "nRotatedPasswordNotDeployed0" },
      });
      await rotated.start();
      try {
        // nats.js would close the connection for good after two refusals (ignoreAuthErrorAbort).
        await new Promise((r) => setTimeout(r, 2500));
        expect(bus.connected).toBe(false);
      } finally {
        await rotated.stop();
      }
      await nats.start();
      await until("stock reconnected", () => bus.connected);
      const event = probe("VehicleSold");
      await expect(
        publish(bus.connection(), EVENT_CATALOGUE.VehicleSold.subject, event),
      ).resolves.toMatchObject({
        stream: EVENT_STREAM,
      });
    } finally {
      await bus.close();
    }
  });
});
