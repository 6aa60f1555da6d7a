import type { ContextModule, Infra } from "@junggo/runtime";
import type { PrismaClient, Prisma } from "@junggo/prisma/dashboard";
import { makeProjectEvent } from "../app/project-event.use-case.ts";
import { makeDashboardQueries } from "../app/read-dashboard.use-case.ts";
import { prismaPurchaseViewRepository } from "./purchase-view.repository.ts";
import { dashboardResolvers } from "./graphql.resolvers.ts";
import { dashboardHandlers } from "./event.handlers.ts";

type Tx = Prisma.TransactionClient;

/** Wires the dashboard read model: projection from events, queries from its own table only. */
export function buildDashboardModule(infra: Infra<PrismaClient, Tx>): ContextModule<Tx> {
  return {
    resolvers: dashboardResolvers(makeDashboardQueries(prismaPurchaseViewRepository, infra.prisma)),
    handlers: dashboardHandlers(makeProjectEvent<Tx>({ repo: prismaPurchaseViewRepository, log: infra.log })),
  };
}
