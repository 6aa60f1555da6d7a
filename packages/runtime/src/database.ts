import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, readdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import type { Logger } from "./logger.ts";

/**
 * A context's database: the Prisma driver adapter for the client, plus a raw SQL channel for
 * migrations. PGlite (embedded, one data directory per context) unless DATABASE_URL is set.
 */
export interface Database {
  kind: "pglite" | "postgres";
  // The adapter factory type differs between adapters; Prisma accepts both.
  adapter: PrismaPGlite | PrismaPg;
  exec(sql: string): Promise<void>;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export async function openDatabase(opts: { dataDir: string; databaseUrl?: string }): Promise<Database> {
  if (opts.databaseUrl) {
    const client = new pg.Client({ connectionString: opts.databaseUrl });
    await client.connect();
    return {
      kind: "postgres",
      adapter: new PrismaPg({ connectionString: opts.databaseUrl, max: Number(process.env.DATABASE_POOL_SIZE ?? 10) }),
      exec: async (sql) => { await client.query(sql); },
      query: async <T,>(sql: string, params: unknown[] = []) => (await client.query(sql, params)).rows as T[],
      close: async () => { await client.end(); },
    };
  }
  mkdirSync(opts.dataDir, { recursive: true });
  const lite = new PGlite(opts.dataDir);
  await lite.waitReady;
  return {
    kind: "pglite",
    adapter: new PrismaPGlite(lite),
    exec: async (sql) => { await lite.exec(sql); },
    query: async <T,>(sql: string, params: unknown[] = []) => (await lite.query<T>(sql, params)).rows,
    close: async () => { await lite.close(); },
  };
}

/**
 * Creates an empty database next to `adminUrl` (same server and credentials) and returns its URL.
 * Tests and the dev stack use it to give every context a fresh PostgreSQL database.
 */
export async function createPostgresDatabase(adminUrl: string, name: string): Promise<string> {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`unsafe database name ${name}`);
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropPostgresDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

const MESSAGING_DDL = `
CREATE SCHEMA IF NOT EXISTS messaging;
CREATE TABLE IF NOT EXISTS messaging.outbox (
  seq BIGSERIAL PRIMARY KEY,
  event_id TEXT NOT NULL UNIQUE,
  subject TEXT NOT NULL,
  type TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  published_at TIMESTAMPTZ,
  attempts INT NOT NULL DEFAULT 0,
  last_error TEXT
);
CREATE INDEX IF NOT EXISTS outbox_unpublished ON messaging.outbox (seq) WHERE published_at IS NULL;
CREATE TABLE IF NOT EXISTS messaging.inbox (
  consumer TEXT NOT NULL,
  event_id TEXT NOT NULL,
  type TEXT NOT NULL,
  processed_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer, event_id)
);
CREATE TABLE IF NOT EXISTS messaging.dead_letter (
  id BIGSERIAL PRIMARY KEY,
  consumer TEXT NOT NULL,
  event_id TEXT NOT NULL,
  subject TEXT NOT NULL,
  type TEXT NOT NULL,
  body TEXT NOT NULL,
  error TEXT NOT NULL,
  deliveries INT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  replayed_at TIMESTAMPTZ
);
-- Replay bookkeeping (dead-letters.ts), added to tables created before replays existed.
ALTER TABLE messaging.dead_letter ADD COLUMN IF NOT EXISTS replay_outcome TEXT;
ALTER TABLE messaging.dead_letter ADD COLUMN IF NOT EXISTS replay_attempts INT NOT NULL DEFAULT 0;
ALTER TABLE messaging.dead_letter ADD COLUMN IF NOT EXISTS replay_error TEXT;
ALTER TABLE messaging.dead_letter ADD COLUMN IF NOT EXISTS last_replay_at TIMESTAMPTZ;
CREATE INDEX IF NOT EXISTS dead_letter_newest ON messaging.dead_letter (consumer, created_at DESC, id DESC);
`;

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;

/**
 * Applies the context's Prisma migrations (files made by `prisma migrate dev`) and the shared
 * messaging tables. Bookkeeping uses Prisma's own `_prisma_migrations` table and checksums, so
 * `prisma migrate status` agrees. An advisory lock keeps replicas from migrating twice.
 */
export async function migrate(db: Database, migrationsDir: string, log?: Logger): Promise<string[]> {
  const applied: string[] = [];
  await db.exec("SELECT pg_advisory_lock(72707369)");
  try {
    await db.exec(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
      "id" VARCHAR(36) PRIMARY KEY NOT NULL, "checksum" VARCHAR(64) NOT NULL, "finished_at" TIMESTAMPTZ,
      "migration_name" VARCHAR(255) NOT NULL, "logs" TEXT, "rolled_back_at" TIMESTAMPTZ,
      "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(), "applied_steps_count" INTEGER NOT NULL DEFAULT 0)`);
    const names = existsSync(migrationsDir)
      ? readdirSync(migrationsDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()
      : [];
    for (const name of names) {
      const sql = readFileSync(join(migrationsDir, name, "migration.sql"), "utf8");
      const checksum = createHash("sha256").update(sql).digest("hex");
      const rows = await db.query<{ checksum: string }>(
        `SELECT checksum FROM "_prisma_migrations" WHERE migration_name = $1 AND finished_at IS NOT NULL AND rolled_back_at IS NULL`,
        [name],
      );
      const done = rows[0]?.checksum ?? null;
      if (done !== null) {
        if (done !== checksum) throw new Error(`migration ${name} was changed after it was applied (checksum mismatch)`);
        continue;
      }
      await db.exec(`BEGIN;\n${sql}\n;INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count)
        VALUES (${sqlString(crypto.randomUUID())}, ${sqlString(checksum)}, now(), ${sqlString(name)}, 1);\nCOMMIT;`).catch(async (e) => {
        await db.exec("ROLLBACK").catch(() => {});
        throw new Error(`migration ${name} failed: ${(e as Error).message}`);
      });
      applied.push(name);
      log?.info("migration applied", { migration: name });
    }
    await db.exec(MESSAGING_DDL);
  } finally {
    await db.exec("SELECT pg_advisory_unlock(72707369)");
  }
  return applied;
}
