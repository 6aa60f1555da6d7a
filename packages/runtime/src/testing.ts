import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import express, { type Express } from "express";
import { type EventEnvelope, type EventPayloads, type EventType, newEvent } from "@junggo/events";
import { type CONTEXTS, migrationsDir } from "@junggo/prisma";
import { handleOnce, type HandlerMap } from "./consumer.ts";
import {
  createPostgresDatabase,
  dropPostgresDatabase,
  migrate,
  openDatabase,
  type Database,
  type SqlTx,
} from "./database.ts";
import { DomainError } from "./errors.ts";

// Helpers for tests only (imported as "@junggo/runtime/testing", never from the package index).

/** What a refused call threw: the DomainError's code, its `details.field` and its message. */
export interface Refusal {
  code: string;
  field?: unknown;
  message: string;
}

const refusal = (err: unknown): Refusal => {
  if (err instanceof DomainError) return { code: err.code, field: err.details.field, message: err.message };
  throw err;
};

/** Runs `fn` and returns the DomainError it throws; rethrows anything else, fails if nothing is thrown. */
export function refusalOf(fn: () => unknown): Refusal {
  try {
    fn();
  } catch (err) {
    return refusal(err);
  }
  throw new Error("expected a DomainError");
}

/** `refusalOf` for async work: the DomainError `fn`'s promise rejects with. */
export async function refusalOfAsync(fn: () => Promise<unknown>): Promise<Refusal> {
  try {
    await fn();
  } catch (err) {
    return refusal(err);
  }
  throw new Error("expected a DomainError");
}

export interface TestDatabase {
  db: Database;
  /** The temporary data directory (PGlite's, unused on PostgreSQL); `close` removes it. */
  dir: string;
  close(): Promise<void>;
}

/**
 * A migrated database for one test file: an embedded PGlite in a temp directory, or a fresh
 * PostgreSQL database when JUNGGO_TEST_POSTGRES_URL (an admin URL) is set, as in CI's second pass.
 */
export async function openTestDatabase(migrationsDir: string): Promise<TestDatabase> {
  const dir = await mkdtemp(join(tmpdir(), "junggo-test-db-"));
  const adminUrl = process.env.JUNGGO_TEST_POSTGRES_URL || undefined;
  const pgName = adminUrl
    ? `junggo_test_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`
    : undefined;
  const cleanup = async () => {
    if (adminUrl && pgName) await dropPostgresDatabase(adminUrl, pgName).catch(() => {});
    await rm(dir, { recursive: true, force: true });
  };
  let db: Database | undefined;
  try {
    const databaseUrl = adminUrl && pgName ? await createPostgresDatabase(adminUrl, pgName) : undefined;
    db = await openDatabase({ dataDir: dir, databaseUrl });
    await migrate(db, migrationsDir);
  } catch (err) {
    await db?.close().catch(() => {});
    await cleanup();
    throw err;
  }
  const opened = db;
  return {
    db: opened,
    dir,
    close: async () => {
      try {
        await opened.close();
      } finally {
        await cleanup();
      }
    },
  };
}

/** An event as another context publishes it (producer "test"), to feed a consumer under test. */
export const testEvent = <T extends EventType>(type: T, payload: EventPayloads[T]) =>
  newEvent(type, payload, { producer: "test" });

/** A client the harness opens on the test database and disconnects on close (a context's PrismaClient). */
export interface Disconnectable {
  $disconnect(): Promise<void>;
}

export interface ConsumerHarnessOptions<Tx extends SqlTx, C extends Disconnectable | undefined> {
  /** The bounded context: its migrations, and the consumer name of its inbox rows. */
  context: (typeof CONTEXTS)[number];
  /** The inbox's consumer name; the context's by default. */
  consumer?: string;
  /** Opened on the migrated database before the handlers (they may need it); disconnected by `close`. */
  client?: (db: Database) => C;
  /** The context's handler map, or how to build it once the database (and client) are open. */
  handlers: HandlerMap<Tx> | ((opened: { db: Database; client: C }) => HandlerMap<Tx>);
}

export interface ConsumerHarness<Tx extends SqlTx, C extends Disconnectable | undefined> {
  db: Database;
  client: C;
  handlers: HandlerMap<Tx>;
  /** One delivery as the consumer runs it: inbox row and handler in one plain-SQL transaction; the same envelope again is a redelivery. */
  deliver(event: EventEnvelope): Promise<"handled" | "duplicate">;
  /** `deliver`'s step inside the caller's transaction (a commit that fails after the handler ran). */
  deliverIn(tx: SqlTx, event: EventEnvelope): Promise<"handled" | "duplicate">;
  /** The handler alone in one plain-SQL transaction, no inbox row: seeds a projection, or shows a handler idempotent by itself. */
  apply(event: EventEnvelope): Promise<void>;
  close(): Promise<void>;
}

/**
 * A context's consumer side on a real test database (`openTestDatabase` with its migrations):
 * events go through its handler map exactly as the live consumer with `raw` runs them (the tx
 * handed to a handler is the driver's plain-SQL one, whatever `Tx` the map is typed for). An
 * event of a type the map does not handle is an error here (the consumer would skip it unread),
 * so a test cannot pass by delivering to nobody.
 */
export async function consumerHarness<Tx extends SqlTx, C extends Disconnectable | undefined = undefined>(
  options: ConsumerHarnessOptions<Tx, C>,
): Promise<ConsumerHarness<Tx, C>> {
  const consumer = options.consumer ?? options.context;
  const testDb = await openTestDatabase(migrationsDir(options.context));
  const { db } = testDb;
  let client: C | undefined;
  const close = async () => {
    try {
      await client?.$disconnect();
    } finally {
      await testDb.close();
    }
  };
  let handlers: HandlerMap<Tx>;
  try {
    client = options.client?.(db) as C;
    handlers = typeof options.handlers === "function" ? options.handlers({ db, client }) : options.handlers;
  } catch (err) {
    await close().catch(() => {});
    throw err;
  }
  const handlerOf = (event: EventEnvelope) => {
    const handler = handlers[event.type] as ((e: EventEnvelope, tx: Tx) => Promise<void>) | undefined;
    if (!handler) throw new Error(`${consumer} has no handler for ${event.type}`);
    return (e: EventEnvelope, tx: SqlTx) => handler(e, tx as Tx);
  };
  // async: an unhandled type rejects like any failed delivery instead of throwing at the call.
  const deliverIn = async (tx: SqlTx, event: EventEnvelope) =>
    handleOnce(tx, consumer, event, handlerOf(event));
  return {
    db,
    client: client as C,
    handlers,
    deliver: (event) => db.transaction((tx) => deliverIn(tx, event)),
    deliverIn,
    apply: (event) => db.transaction(async (tx) => handlerOf(event)(event, tx)),
    close,
  };
}

/** The owner fields of a purchase's DELIVERY job, for consignment event fixtures. */
export const DELIVERY_JOB = { kind: "DELIVERY", sellRequestId: null, sellerId: null } as const;

/** Serves routes on a local ephemeral port, as a subgraph mounts its module's internal routes (tests of an internal API over real HTTP). */
export async function serveRoutes(
  mount: (app: Express) => void,
): Promise<{ url: string; close(): Promise<void> }> {
  const app = express();
  mount(app);
  const server = app.listen(0, "127.0.0.1");
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
