import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { migrate, openDatabase, type Database } from "@junggo/runtime";
import { CONTEXTS, migrationsDir } from "./index.ts";

// Migrations are produced by `prisma migrate dev`; this fails when a schema.prisma was changed
// without a new migration (or a migration was edited by hand into something else). Prisma's own
// `--from-migrations` diff needs a shadow database the offline adapter cannot give, so the check
// builds both sides in PGlite and compares the catalogs.
const run = promisify(execFile);
const here = new URL(".", import.meta.url).pathname;
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function catalog(db: Database) {
  const q = (sql: string) => db.query<Record<string, unknown>>(sql);
  return {
    columns:
      await q(`SELECT table_name, column_name, data_type, udt_name, is_nullable, column_default FROM information_schema.columns
      WHERE table_schema = 'public' AND table_name <> '_prisma_migrations' ORDER BY 1, 2`),
    indexes: await q(
      `SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' ORDER BY 1, 2`,
    ),
    constraints:
      await q(`SELECT conrelid::regclass::text AS tbl, conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
      WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text <> '_prisma_migrations' ORDER BY 1, 2`),
    enums: await q(
      `SELECT t.typname, e.enumlabel, e.enumsortorder FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid ORDER BY 1, 3`,
    ),
  };
}

describe("Prisma migrations match schema.prisma", () => {
  it.each(CONTEXTS)(
    "%s",
    async (context) => {
      const { stdout: expectedSql } = await run(
        process.execPath,
        [
          join(here, "node_modules/prisma/build/index.js"),
          "migrate",
          "diff",
          "--config",
          `${context}/prisma.config.ts`,
          "--from-empty",
          "--to-schema-datamodel",
          `${context}/schema.prisma`,
          "--script",
        ],
        { cwd: here, maxBuffer: 16 * 1024 * 1024 },
      );
      const dir = mkdtempSync(join(tmpdir(), `junggo-drift-${context}-`));
      dirs.push(dir);
      const fromSchema = await openDatabase({ dataDir: join(dir, "schema") });
      const fromMigrations = await openDatabase({ dataDir: join(dir, "migrations") });
      try {
        await fromSchema.exec(expectedSql);
        await migrate(fromMigrations, migrationsDir(context));
        expect(await catalog(fromMigrations)).toEqual(await catalog(fromSchema));
      } finally {
        await fromSchema.close();
        await fromMigrations.close();
      }
    },
    60_000,
  );
});
