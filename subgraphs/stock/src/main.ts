import { readFileSync } from "node:fs";
import { runSubgraphService } from "@junggo/runtime";
import { migrationsDir } from "@junggo/prisma";
import { PrismaClient, type Prisma } from "@junggo/prisma/stock";
import { buildStockModule } from "./adapters/stock.module.ts";

await runSubgraphService<PrismaClient, Prisma.TransactionClient>({
  context: "stock",
  typeDefs: readFileSync(new URL("../schema.graphql", import.meta.url), "utf8"),
  migrationsDir: migrationsDir("stock"),
  env: process.env,
  createPrisma: (adapter) => new PrismaClient({ adapter }),
  build: (infra) => buildStockModule(infra),
});
