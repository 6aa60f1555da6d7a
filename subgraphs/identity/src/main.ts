import { readFileSync } from "node:fs";
import { runSubgraphService } from "@junggo/runtime";
import { migrationsDir } from "@junggo/prisma";
import { PrismaClient, type Prisma } from "@junggo/prisma/identity";
import { identitySettings } from "./identity.config.ts";
import { buildIdentityModule } from "./adapters/identity.module.ts";

await runSubgraphService<PrismaClient, Prisma.TransactionClient, typeof identitySettings>({
  context: "identity",
  typeDefs: readFileSync(new URL("../schema.graphql", import.meta.url), "utf8"),
  migrationsDir: migrationsDir("identity"),
  env: process.env,
  settings: { settings: identitySettings },
  createPrisma: (adapter) => new PrismaClient({ adapter }),
  build: (infra, settings) => buildIdentityModule(infra, settings),
});
