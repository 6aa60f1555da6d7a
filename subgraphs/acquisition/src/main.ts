import { readFileSync } from "node:fs";
import { runSubgraphService } from "@junggo/runtime";
import { migrationsDir } from "@junggo/prisma";
import { PrismaClient, type Prisma } from "@junggo/prisma/acquisition";
import { acquisitionSettings } from "./acquisition.config.ts";
import { buildAcquisitionModule } from "./adapters/acquisition.module.ts";

await runSubgraphService<PrismaClient, Prisma.TransactionClient, typeof acquisitionSettings>({
  context: "acquisition",
  typeDefs: readFileSync(new URL("../schema.graphql", import.meta.url), "utf8"),
  migrationsDir: migrationsDir("acquisition"),
  env: process.env,
  settings: { settings: acquisitionSettings },
  createPrisma: (adapter) => new PrismaClient({ adapter }),
  build: (infra, settings) => buildAcquisitionModule(infra, settings),
});
