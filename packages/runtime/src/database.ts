import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, readdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import type { PrismaPGlite } from "pglite-prisma-adapter";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import type { Logger } from "./logger.ts";
import { traceTransactions } from "./tracing.ts";

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
  /**
   * One transaction in plain SQL on the driver, without the Prisma client (no query compiler, no
   * interpreter): for hot paths whose statements are all `$executeRawUnsafe` / `$queryRawUnsafe`
   * (the consumer's inbox row, raw-SQL handlers, the outbox append). Commits when `fn` resolves,
   * rolls back when it throws. Rows come as the driver parses them (timestamps as Date, int8 and
   * numeric as strings): code that must also run on a Prisma transaction converts what it reads.
   */
  transaction<R>(fn: (tx: SqlTx) => Promise<R>): Promise<R>;
  close(): Promise<void>;
}

/** The raw SQL a transaction offers (the subset of a Prisma transaction client the runtime uses). */
export interface SqlTx {
  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number>;
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
}

// Prisma stores DateTime in `timestamp(3)` (no time zone) as UTC wall time; pg would read it as
// local time. Only our own raw queries use these parsers (Prisma's adapter brings its own).
const TIMESTAMP_OID = 1114;
const rawTypes = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === TIMESTAMP_OID
      ? (v: string) => new Date(`${v.replace(" ", "T")}Z`)
      : pg.types.getTypeParser(oid, format as "text")) as typeof pg.types.getTypeParser,
};

const liteOptions = { parsers: { [TIMESTAMP_OID]: (v: string) => new Date(`${v.replace(" ", "T")}Z`) } };

/**
 * A name per distinct statement text: the server parses and plans a named statement once per
 * connection instead of on every execution (the hot paths run the same few statements all day).
 * Only parameterised statements get one; the texts come from our code, so there are few of them.
 */
const statementNames = new Map<string, string>();
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (!name) statementNames.set(text, (name = `j${statementNames.size.toString(36)}`));
  return name;
}

function pgTx(client: pg.PoolClient): SqlTx {
  return {
    $executeRawUnsafe: async (text, ...values) =>
      (await client.query({ name: statementName(text), text, values, types: rawTypes })).rowCount ?? 0,
    $queryRawUnsafe: async <T>(text: string, ...values: unknown[]) =>
      (await client.query({ name: statementName(text), text, values, types: rawTypes })).rows as T,
  };
}

/** DATABASE_POOL_SIZE and DATABASE_PRISMA_POOL_SIZE by default. */
export const DEFAULT_POOL_SIZES = { poolSize: 10, prismaPoolSize: 4 } as const;

export async function openDatabase(opts: {
  dataDir: string;
  databaseUrl?: string;
  poolSize?: number;
  prismaPoolSize?: number;
}): Promise<Database> {
  if (opts.databaseUrl) {
    // One session for migrations (their advisory lock is session-level).
    // Every session of this process carries its pid, so a tool can tell its own sessions from others'.
    const application_name = `junggo-${process.pid}`;
    const client = new pg.Client({ connectionString: opts.databaseUrl, application_name });
    await client.connect();
    // The hot paths (plain-SQL transactions, reads, the outbox relay) share one pool; the Prisma
    // client, now on cold paths only, keeps a small one of its own. Connections open lazily.
    const pool = new pg.Pool({
      connectionString: opts.databaseUrl,
      application_name,
      max: opts.poolSize ?? DEFAULT_POOL_SIZES.poolSize,
    });
    pool.on("error", () => {
      /* an idle connection died; the pool replaces it on the next checkout */
    });
    return traceTransactions<Database>({
      kind: "postgres",
      adapter: new PrismaPg({
        connectionString: opts.databaseUrl,
        application_name,
        max: opts.prismaPoolSize ?? DEFAULT_POOL_SIZES.prismaPoolSize,
      }),
      exec: async (sql) => {
        await client.query(sql);
      },
      query: async <T>(sql: string, params: unknown[] = []) =>
        (
          await (params.length
            ? pool.query({ name: statementName(sql), text: sql, values: params, types: rawTypes })
            : pool.query({ text: sql, types: rawTypes }))
        ).rows as T[],
      transaction: async (fn) => {
        const conn = await pool.connect();
        // A connection whose ROLLBACK failed is in an unknown state: destroyed, not given back.
        let broken: Error | undefined;
        try {
          await conn.query("BEGIN");
          const r = await fn(pgTx(conn));
          await conn.query("COMMIT");
          return r;
        } catch (err) {
          await conn.query("ROLLBACK").catch((e: Error) => {
            broken = e;
          });
          throw err;
        } finally {
          conn.release(broken);
        }
      },
      close: async () => {
        await pool.end();
        await client.end();
      },
    });
  }
  mkdirSync(opts.dataDir, { recursive: true });
  // Loaded only when used: a service on PostgreSQL never pays for PGlite's module and WebAssembly.
  const [{ PGlite }, { PrismaPGlite }] = await Promise.all([
    import("@electric-sql/pglite"),
    import("pglite-prisma-adapter"),
  ]);
  const lite: PGlite = new PGlite(opts.dataDir);
  await lite.waitReady;
  return traceTransactions<Database>({
    kind: "pglite",
    adapter: new PrismaPGlite(lite),
    exec: async (sql) => {
      await lite.exec(sql);
    },
    query: async <T>(sql: string, params: unknown[] = []) => (await lite.query<T>(sql, params)).rows,
    // PGlite serialises transactions (and the Prisma adapter's) on its single connection.
    transaction: (fn) =>
      lite.transaction((t) =>
        fn({
          $executeRawUnsafe: async (sql, ...values) =>
            (await t.query(sql, values, liteOptions)).affectedRows ?? 0,
          $queryRawUnsafe: async <T>(sql: string, ...values: unknown[]) =>
            (await t.query(sql, values, liteOptions)).rows as T,
        }),
      ),
    close: async () => {
      await lite.close();
    },
  });
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

/** Like `createPostgresDatabase`, but keeps a database that already exists (a persistent dev stack). */
export async function ensurePostgresDatabase(adminUrl: string, name: string): Promise<string> {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`unsafe database name ${name}`);
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [name]);
    if (!rowCount) await client.query(`CREATE DATABASE "${name}"`);
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
-- W3C traceparent of the operation that appended the row (tracing.ts), sent in the message headers.
ALTER TABLE messaging.outbox ADD COLUMN IF NOT EXISTS traceparent TEXT;
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
      ? readdirSync(migrationsDir, { withFileTypes: true })
          .filter((d) => d.isDirectory())
          .map((d) => d.name)
          .sort()
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
        if (done !== checksum)
          throw new Error(`migration ${name} was changed after it was applied (checksum mismatch)`);
        continue;
      }
      await db
        .exec(`BEGIN;\n${sql}\n;INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count)
        VALUES (${sqlString(crypto.randomUUID())}, ${sqlString(checksum)}, now(), ${sqlString(name)}, 1);\nCOMMIT;`)
        .catch(async (e) => {
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
