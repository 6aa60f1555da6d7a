import { readFileSync } from "node:fs";
import { runSubgraphService } from "@junggo/runtime";
import { migrationsDir } from "@junggo/prisma";
import { PrismaClient, type Prisma } from "@junggo/prisma/billing";
import { buildBillingModule } from "./adapters/billing.module.ts";
import { paymentProviderFromEnv } from "./adapters/payment-provider.config.ts";

// Read before anything starts: an unknown PAYMENT_PROVIDER stops the service with its message.
const paymentProvider = paymentProviderFromEnv();

await runSubgraphService<PrismaClient, Prisma.TransactionClient>({
  context: "billing",
  typeDefs: readFileSync(new URL("../schema.graphql", import.meta.url), "utf8"),
  migrationsDir: migrationsDir("billing"),
  createPrisma: (adapter) => new PrismaClient({ adapter }),
  build: (infra) => buildBillingModule(infra, paymentProvider),
});
