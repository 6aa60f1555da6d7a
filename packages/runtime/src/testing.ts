import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import express, { type Express } from "express";
import {
  createPostgresDatabase,
  dropPostgresDatabase,
  migrate,
  openDatabase,
  type Database,
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
