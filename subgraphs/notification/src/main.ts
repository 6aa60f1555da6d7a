import { readFileSync } from "node:fs";
import { runSubgraphService } from "@junggo/runtime";
import { migrationsDir } from "@junggo/prisma";
import { PrismaClient, type Prisma } from "@junggo/prisma/notification";
import { notificationSettings } from "./notification.config.ts";
import { buildNotificationModule } from "./adapters/notification.module.ts";

await runSubgraphService<PrismaClient, Prisma.TransactionClient, typeof notificationSettings>({
  context: "notification",
  typeDefs: readFileSync(new URL("../schema.graphql", import.meta.url), "utf8"),
  migrationsDir: migrationsDir("notification"),
  env: process.env,
  settings: { settings: notificationSettings },
  createPrisma: (adapter) => new PrismaClient({ adapter }),
  build: (infra, settings) => buildNotificationModule(infra, settings),
});
