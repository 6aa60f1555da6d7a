import { readFileSync } from "node:fs";
import { runSubgraphService } from "@junggo/runtime";
import { migrationsDir } from "@junggo/prisma";
import { PrismaClient, type Prisma } from "@junggo/prisma/consignment";
import { buildConsignmentModule } from "./adapters/consignment.module.ts";

await runSubgraphService<PrismaClient, Prisma.TransactionClient>({
  context: "consignment",
  typeDefs: readFileSync(new URL("../schema.graphql", import.meta.url), "utf8"),
  migrationsDir: migrationsDir("consignment"),
  createPrisma: (adapter) => new PrismaClient({ adapter }),
  build: (infra) => buildConsignmentModule(infra),
});
