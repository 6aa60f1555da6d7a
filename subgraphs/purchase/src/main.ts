import { readFileSync } from "node:fs";
import { runSubgraphService } from "@junggo/runtime";
import { migrationsDir } from "@junggo/prisma";
import { PrismaClient, type Prisma } from "@junggo/prisma/purchase";
import { purchaseSettings, purchaseChecks } from "./purchase.config.ts";
import { buildPurchaseModule } from "./adapters/purchase.module.ts";

await runSubgraphService<PrismaClient, Prisma.TransactionClient, typeof purchaseSettings>({
  context: "purchase",
  typeDefs: readFileSync(new URL("../schema.graphql", import.meta.url), "utf8"),
  migrationsDir: migrationsDir("purchase"),
  env: process.env,
  settings: { settings: purchaseSettings, checks: purchaseChecks },
  createPrisma: (adapter) => new PrismaClient({ adapter }),
  build: (infra, settings) => buildPurchaseModule(infra, settings),
});
