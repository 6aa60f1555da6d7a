import { readFileSync } from "node:fs";
import { runSubgraphService } from "@junggo/runtime";
import { migrationsDir } from "@junggo/prisma";
import { PrismaClient, type Prisma } from "@junggo/prisma/purchase";
import { buildPurchaseModule } from "./adapters/purchase.module.ts";

await runSubgraphService<PrismaClient, Prisma.TransactionClient>({
  context: "purchase",
  typeDefs: readFileSync(new URL("../schema.graphql", import.meta.url), "utf8"),
  migrationsDir: migrationsDir("purchase"),
  createPrisma: (adapter) => new PrismaClient({ adapter }),
  build: (infra) => buildPurchaseModule(infra),
});
