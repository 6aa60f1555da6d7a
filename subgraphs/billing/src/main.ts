import { readFileSync } from "node:fs";
import { runSubgraphService } from "@junggo/runtime";
import { migrationsDir } from "@junggo/prisma";
import { PrismaClient, type Prisma } from "@junggo/prisma/billing";
import { billingSettings } from "./billing.config.ts";
import { buildBillingModule } from "./adapters/billing.module.ts";

await runSubgraphService<PrismaClient, Prisma.TransactionClient, typeof billingSettings>({
  context: "billing",
  typeDefs: readFileSync(new URL("../schema.graphql", import.meta.url), "utf8"),
  migrationsDir: migrationsDir("billing"),
  env: process.env,
  settings: { settings: billingSettings },
  createPrisma: (adapter) => new PrismaClient({ adapter }),
  build: (infra, settings) => buildBillingModule(infra, settings),
});
