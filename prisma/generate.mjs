// Generates each context's Prisma client (prisma/<context>/generated, not checked in).
// `node generate.mjs migrate <context> <name>` creates a new migration from the schema.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const contexts = ["identity", "stock", "purchase", "billing", "consignment", "dashboard"].filter((c) => existsSync(join(here, c, "schema.prisma")));
const prisma = (args) => execFileSync(process.execPath, [join(here, "node_modules/prisma/build/index.js"), ...args], { cwd: here, stdio: ["ignore", "inherit", "inherit"] });

const [cmd, ctx, name] = process.argv.slice(2);
if (cmd === "migrate") {
  if (!contexts.includes(ctx) || !name) throw new Error("usage: node generate.mjs migrate <context> <name>");
  prisma(["migrate", "dev", "--create-only", "--name", name, "--config", `${ctx}/prisma.config.ts`]);
} else {
  for (const c of contexts) prisma(["generate", "--config", `${c}/prisma.config.ts`]);
}
