import type { GraphQLFieldResolver } from "graphql";
import {
  signServiceToken,
  SUBGRAPH_NAMES,
  type ContextModule,
  type Infra,
  type RequestContext,
  type SettingsOf,
} from "@junggo/runtime";
import type { PrismaClient, Prisma } from "@junggo/prisma/dashboard";
import { makeListDeadLetters } from "../app/list-dead-letters.use-case.ts";
import { makeProjectEvent } from "../app/project-event.use-case.ts";
import { makeDashboardQueries } from "../app/read-dashboard.use-case.ts";
import { makeReplayDeadLetter } from "../app/replay-dead-letter.use-case.ts";
import { prismaPurchaseViewRepository } from "./purchase-view.repository.ts";
import type { dashboardSettings } from "../dashboard.config.ts";
import { DeadLettersClient } from "./dead-letters.client.ts";
import { deadLetterResolvers } from "./dead-letters.resolvers.ts";
import { dashboardResolvers } from "./graphql.resolvers.ts";
import { dashboardHandlers } from "./event.handlers.ts";

type Tx = Prisma.TransactionClient;
type FieldResolvers = Record<string, GraphQLFieldResolver<unknown, RequestContext>>;

/**
 * Wires the dashboard read model (projection from events, queries from its own table only) and the
 * staff's operations view of every context's dead letters (over each context's internal API).
 */
export function buildDashboardModule(
  infra: Infra<PrismaClient, Tx>,
  settings: SettingsOf<typeof dashboardSettings>,
): ContextModule<Tx> {
  const readModel = dashboardResolvers(makeDashboardQueries(prismaPurchaseViewRepository, infra.prisma));
  const source = new DeadLettersClient({
    urls: Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, settings[`${n}Url`]])),
    timeoutMs: settings.deadLetterApiTimeoutMs,
    serviceToken: () => signServiceToken("dashboard", infra.config.internalSecret),
    log: infra.log,
  });
  const operations = deadLetterResolvers({
    list: makeListDeadLetters({ source, contexts: SUBGRAPH_NAMES, log: infra.log }),
    replay: makeReplayDeadLetter({ source, log: infra.log }),
    contexts: SUBGRAPH_NAMES,
  });
  return {
    resolvers: {
      ...readModel,
      ...operations,
      Query: { ...(readModel.Query as FieldResolvers), ...(operations.Query as FieldResolvers) },
    },
    handlers: dashboardHandlers(makeProjectEvent<Tx>({ repo: prismaPurchaseViewRepository, log: infra.log })),
    // The projection is plain SQL (purchase-view.repository.ts): no Prisma client per event.
    rawHandlers: true,
  };
}
