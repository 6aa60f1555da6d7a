import { readFileSync } from "node:fs";
import { runSubgraphService } from "@junggo/runtime";
import { migrationsDir } from "@junggo/prisma";
import { PrismaClient, type Prisma } from "@junggo/prisma/identity";
import { buildIdentityModule } from "./adapters/identity.module.ts";

await runSubgraphService<PrismaClient, Prisma.TransactionClient>({
  context: "identity",
  typeDefs: readFileSync(new URL("../schema.graphql", import.meta.url), "utf8"),
  migrationsDir: migrationsDir("identity"),
  createPrisma: (adapter) => new PrismaClient({ adapter }),
  build: (infra) => buildIdentityModule(infra),
});
