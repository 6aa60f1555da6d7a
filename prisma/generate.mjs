// Generates each context's Prisma client (prisma/<context>/generated, not checked in).
//
// `node generate.mjs migrate <context> <name>` writes a new migration: the SQL that takes the
// schema snapshot stored with the latest migration to the current schema.prisma (Prisma's own
// `migrate diff`, datamodel to datamodel, offline), plus a new snapshot. Prisma's `migrate dev`
// cannot be used here: its shadow database fails on the PGlite adapter once a migration exists.
// prisma/drift.int.test.ts checks that the migrations really produce schema.prisma.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
// The contexts, written out once in packages/runtime/contexts.json; those with a Prisma schema.
const contexts = Object.keys(
  JSON.parse(readFileSync(join(here, "../packages/runtime/contexts.json"), "utf8")).ports,
).filter((c) => existsSync(join(here, c, "schema.prisma")));
const prisma = (args, capture = false) =>
  execFileSync(process.execPath, [join(here, "node_modules/prisma/build/index.js"), ...args], {
    cwd: here,
    encoding: "utf8",
    stdio: ["ignore", capture ? "pipe" : "inherit", capture ? "pipe" : "inherit"],
  });

const [cmd, ctx, name] = process.argv.slice(2);
if (cmd === "migrate") {
  if (!contexts.includes(ctx) || !/^[a-z0-9_]+$/.test(name ?? ""))
    throw new Error("usage: node generate.mjs migrate <context> <name_in_snake_case>");
  const dir = join(here, ctx, "migrations");
  const existing = existsSync(dir)
    ? readdirSync(dir)
        .filter((d) => /^\d{14}_/.test(d))
        .sort()
    : [];
  const last = existing.at(-1);
  const snapshot = last ? join(dir, last, "schema.prisma") : null;
  if (snapshot && !existsSync(snapshot))
    throw new Error(`${last} has no schema.prisma snapshot to diff from`);
  const from = snapshot ? ["--from-schema-datamodel", snapshot] : ["--from-empty"];
  const sql = prisma(
    [
      "migrate",
      "diff",
      "--config",
      `${ctx}/prisma.config.ts`,
      ...from,
      "--to-schema-datamodel",
      `${ctx}/schema.prisma`,
      "--script",
    ],
    true,
  );
  if (!sql.split("\n").some((l) => l.trim() && !l.trim().startsWith("--"))) {
    console.log(`${ctx}: schema.prisma has no changes since ${last ?? "the start"}; no migration written.`);
    process.exit(0);
  }
  const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
  const target = join(dir, `${stamp}_${name}`);
  mkdirSync(target, { recursive: true });
  writeFileSync(join(target, "migration.sql"), sql);
  copyFileSync(join(here, ctx, "schema.prisma"), join(target, "schema.prisma"));
  if (!existsSync(join(dir, "migration_lock.toml")))
    writeFileSync(join(dir, "migration_lock.toml"), 'provider = "postgresql"\n');
  console.log(`wrote ${target}/migration.sql`);
} else {
  // A client is regenerated only when its inputs changed (schema, config, Prisma's version), so a
  // second `npm run up` does not spend ~20 s regenerating identical code. --force always does.
  const force = cmd === "--force";
  const prismaVersion = JSON.parse(
    readFileSync(join(here, "node_modules/prisma/package.json"), "utf8"),
  ).version;
  for (const c of contexts) {
    const stampFile = join(here, c, "generated", ".inputs-hash");
    const hash = createHash("sha256");
    for (const f of [join(c, "schema.prisma"), join(c, "prisma.config.ts"), "context-config.ts"])
      hash.update(readFileSync(join(here, f)));
    const digest = hash.update(prismaVersion).digest("hex");
    if (!force && existsSync(stampFile) && readFileSync(stampFile, "utf8") === digest) continue;
    prisma(["generate", "--config", `${c}/prisma.config.ts`]);
    writeFileSync(stampFile, digest);
  }
}
