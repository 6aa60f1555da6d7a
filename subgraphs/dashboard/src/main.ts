import { readFileSync } from "node:fs";
import { runSubgraphService } from "@junggo/runtime";
import { migrationsDir } from "@junggo/prisma";
import { PrismaClient, type Prisma } from "@junggo/prisma/dashboard";
import { dashboardSettings } from "./dashboard.config.ts";
import { buildDashboardModule } from "./adapters/dashboard.module.ts";

await runSubgraphService<PrismaClient, Prisma.TransactionClient, typeof dashboardSettings>({
  context: "dashboard",
  typeDefs: readFileSync(new URL("../schema.graphql", import.meta.url), "utf8"),
  migrationsDir: migrationsDir("dashboard"),
  env: process.env,
  settings: { settings: dashboardSettings },
  createPrisma: (adapter) => new PrismaClient({ adapter }),
  build: (infra, settings) => buildDashboardModule(infra, settings),
});
