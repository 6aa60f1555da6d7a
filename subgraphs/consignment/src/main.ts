import { readFileSync } from "node:fs";
import { runSubgraphService } from "@junggo/runtime";
import { migrationsDir } from "@junggo/prisma";
import { PrismaClient, type Prisma } from "@junggo/prisma/consignment";
import { consignmentSettings } from "./consignment.config.ts";
import { buildConsignmentModule } from "./adapters/consignment.module.ts";

await runSubgraphService<PrismaClient, Prisma.TransactionClient, typeof consignmentSettings>({
  context: "consignment",
  typeDefs: readFileSync(new URL("../schema.graphql", import.meta.url), "utf8"),
  migrationsDir: migrationsDir("consignment"),
  env: process.env,
  settings: { settings: consignmentSettings },
  createPrisma: (adapter) => new PrismaClient({ adapter }),
  build: (infra, settings) => buildConsignmentModule(infra, settings),
});
