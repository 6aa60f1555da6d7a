import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { postgresBinDir, startPostgres, type PostgresServer } from "@junggo/devstack";
import { migrationsDir } from "@junggo/prisma";
import { migrate, openDatabase, SUBGRAPH_NAMES } from "../src/index.ts";

// deploy/k8s connects each context as its own role, owner of its own database, not as a superuser
// (CloudNativePG's managed roles and Database resources in production; postgres-init.sql in the
// development overlay). The runtime's migrations must work under such a role, and a role must not
// reach another context's database. Real PostgreSQL (trust authentication: roles, ownership and
// CONNECT are what is checked here, not passwords).
const initSql = readFileSync(
  new URL("../../../deploy/k8s/overlays/development/postgres-init.sql", import.meta.url),
  "utf8",
);
const dataRoot = join(tmpdir(), `junggo-k8s-pg-${process.pid}-${Date.now().toString(36)}`);
let server: PostgresServer | null = null;
const url = (role: string, db: string) => `postgresql://${role}@127.0.0.1:${server!.port}/${db}`;

beforeAll(async () => {
  server = await startPostgres({ dataRoot });
  if (!server) return;
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  try {
    // One statement at a time (CREATE DATABASE cannot run inside the implicit transaction of a batch).
    const statements = initSql
      .replace(/^--.*$/gm, "")
      .replace(/^\\set .*$/gm, "")
      .split(";")
      .map((s) => s.trim())
      .filter(Boolean);
    for (const s of statements) await admin.query(s);
  } finally {
    await admin.end();
  }
}, 120_000);

afterAll(async () => {
  await server?.stop();
  rmSync(dataRoot, { recursive: true, force: true });
});

describe.skipIf(!postgresBinDir())("PostgreSQL roles of deploy/k8s", () => {
  it("every context migrates its own database as its own (non-superuser) role", async () => {
    for (const ctx of SUBGRAPH_NAMES) {
      const db = await openDatabase({ dataDir: "", databaseUrl: url(ctx, `junggo_${ctx}`) });
      try {
        expect((await migrate(db, migrationsDir(ctx))).length, ctx).toBeGreaterThan(0);
        const [who] = await db.query<{ u: string; su: boolean }>(
          "SELECT current_user AS u, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS su",
        );
        expect(who).toEqual({ u: ctx, su: false });
      } finally {
        await db.close();
      }
    }
  }, 180_000);

  it("a context cannot connect to another context's database", async () => {
    const c = new pg.Client({ connectionString: url("stock", "junggo_purchase") });
    await expect(c.connect()).rejects.toThrow(/permission denied for database/);
    await c.end().catch(() => {});
  });
});
