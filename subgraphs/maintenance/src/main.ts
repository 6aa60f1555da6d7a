import { readFileSync } from "node:fs";
import { runSubgraphService } from "@junggo/runtime";
import { migrationsDir } from "@junggo/prisma";
import { PrismaClient, type Prisma } from "@junggo/prisma/maintenance";
import { maintenanceSettings } from "./maintenance.config.ts";
import { buildMaintenanceModule } from "./adapters/maintenance.module.ts";

await runSubgraphService<PrismaClient, Prisma.TransactionClient, typeof maintenanceSettings>({
  context: "maintenance",
  typeDefs: readFileSync(new URL("../schema.graphql", import.meta.url), "utf8"),
  migrationsDir: migrationsDir("maintenance"),
  env: process.env,
  settings: { settings: maintenanceSettings },
  createPrisma: (adapter) => new PrismaClient({ adapter }),
  build: (infra, settings) => buildMaintenanceModule(infra, settings),
});
