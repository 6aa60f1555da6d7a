import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { freePort, ManagedProcess } from "@junggo/devstack";
import { migrationsDir } from "@junggo/prisma";
import { openDatabase } from "../src/database.ts";

// Kubernetes migrates in an init container (`main.js migrate`) and starts the service with
// MIGRATE_ON_START=false (deploy/k8s). Stock on embedded PGlite: no server needed for either.
const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), "junggo-migrate-entry-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function migrationNames(dataDir: string): Promise<string[] | null> {
  const db = await openDatabase({ dataDir });
  try {
    const [t] = await db.query<{ t: string | null }>(`SELECT to_regclass('"_prisma_migrations"')::text AS t`);
    if (!t?.t) return null;
    const rows = await db.query<{ n: string }>(
      `SELECT migration_name AS n FROM "_prisma_migrations" ORDER BY 1`,
    );
    return rows.map((r) => r.n);
  } finally {
    await db.close();
  }
}

describe("the migrate entry and MIGRATE_ON_START", () => {
  it("with MIGRATE_ON_START=false the service starts without touching the schema", async () => {
    const dataDir = join(dir, "data");
    const port = await freePort();
    const svc = new ManagedProcess({
      name: "stock",
      command: "node",
      args: ["subgraphs/stock/dist/main.js"],
      env: {
        DATA_DIR: dataDir,
        PORT: String(port),
        NATS_URL: "nats://127.0.0.1:1",
        MIGRATE_ON_START: "false",
      },
      cwd: process.cwd(),
      logFile: join(dir, "stock.log"),
      healthUrl: `http://127.0.0.1:${port}/healthz`,
    });
    await svc.start(60_000);
    await svc.stop();
    expect(await migrationNames(dataDir)).toBeNull();
  }, 90_000);
  it("`main.js migrate` then applies the context's migrations and exits without serving", async () => {
    // The same data directory: one PGlite initialisation for both steps (it is the slow part).
    const dataDir = join(dir, "data");
    const port = await freePort();
    const r = await run("node", ["subgraphs/stock/dist/main.js", "migrate"], {
      env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), NATS_URL: "nats://127.0.0.1:1" },
      timeout: 60_000,
    });
    expect(r.stdout).toContain("migrations done");
    const expected = readdirSync(migrationsDir("stock"), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
    expect(expected.length).toBeGreaterThan(0);
    expect(await migrationNames(dataDir)).toEqual(expected);
  }, 90_000);
});
