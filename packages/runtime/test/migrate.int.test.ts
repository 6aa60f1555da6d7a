import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { migrate, openDatabase } from "../src/database.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("migrate", () => {
  it("applies pending migrations once, records them like Prisma, and refuses an edited one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "junggo-migrate-"));
    dirs.push(dir);
    const mig = join(dir, "migrations");
    mkdirSync(join(mig, "001_init"), { recursive: true });
    writeFileSync(join(mig, "001_init/migration.sql"), `CREATE TABLE "Thing" (id INT PRIMARY KEY);`);
    const db = await openDatabase({ dataDir: join(dir, "db") });
    try {
      expect(await migrate(db, mig)).toEqual(["001_init"]);
      expect(await migrate(db, mig)).toEqual([]);
      mkdirSync(join(mig, "002_more"));
      writeFileSync(
        join(mig, "002_more/migration.sql"),
        `ALTER TABLE "Thing" ADD COLUMN name TEXT;\nINSERT INTO "Thing" VALUES (1, 'a');`,
      );
      expect(await migrate(db, mig)).toEqual(["002_more"]);
      const rows = await db.query<{ migration_name: string }>(
        `SELECT migration_name FROM "_prisma_migrations" ORDER BY migration_name`,
      );
      expect(rows.map((r) => r.migration_name)).toEqual(["001_init", "002_more"]);
      // The messaging tables every context relies on exist.
      expect(await db.query(`SELECT count(*) FROM messaging.outbox`)).toHaveLength(1);

      writeFileSync(join(mig, "001_init/migration.sql"), `CREATE TABLE "Thing" (id BIGINT PRIMARY KEY);`);
      await expect(migrate(db, mig)).rejects.toThrow(/001_init was changed/);
      // A failing migration leaves nothing behind.
      writeFileSync(join(mig, "001_init/migration.sql"), `CREATE TABLE "Thing" (id INT PRIMARY KEY);`);
      mkdirSync(join(mig, "003_broken"));
      writeFileSync(
        join(mig, "003_broken/migration.sql"),
        `CREATE TABLE "Half" (id INT);\nSELECT * FROM nowhere;`,
      );
      await expect(migrate(db, mig)).rejects.toThrow(/003_broken failed/);
      expect(await db.query(`SELECT 1 FROM pg_tables WHERE tablename = 'Half'`)).toHaveLength(0);
    } finally {
      await db.close();
    }
  });
});
