import { readFileSync } from "node:fs";
import { runSubgraphService } from "@junggo/runtime";
import { migrationsDir } from "@junggo/prisma";
import { PrismaClient, type Prisma } from "@junggo/prisma/billing";
import { buildBillingModule } from "./adapters/billing.module.ts";

await runSubgraphService<PrismaClient, Prisma.TransactionClient>({
  context: "billing",
  typeDefs: readFileSync(new URL("../schema.graphql", import.meta.url), "utf8"),
  migrationsDir: migrationsDir("billing"),
  createPrisma: (adapter) => new PrismaClient({ adapter }),
  build: (infra) => buildBillingModule(infra),
});
