import {
  signServiceToken,
  SUBGRAPH_NAMES,
  type ContextModule,
  type Infra,
  type SettingsOf,
} from "@junggo/runtime";
import type { PrismaClient, Prisma } from "@junggo/prisma/dashboard";
import { makeListDeadLetters } from "../app/dead-letters.query.ts";
import { makeProjectEvent } from "../app/project-event.use-case.ts";
import { makeDashboardQueries } from "../app/dashboard.query.ts";
import { makeReplayDeadLetter } from "../app/replay-dead-letter.use-case.ts";
import { prismaPurchaseViewRepository } from "./purchase-view.repository.ts";
import { prismaSaleViewRepository } from "./sale-view.repository.ts";
import type { dashboardSettings } from "../dashboard.config.ts";
import { DeadLettersClient } from "./dead-letters.client.ts";
import { deadLetterResolvers } from "./dead-letters.resolvers.ts";
import { dashboardResolvers } from "./graphql.resolvers.ts";
import { dashboardHandlers } from "./event.handlers.ts";

type Tx = Prisma.TransactionClient;

/**
 * Wires the dashboard read model (projection from events, queries from its own table only) and the
 * staff's operations view of every context's dead letters (over each context's internal API).
 */
export function buildDashboardModule(
  infra: Infra<PrismaClient, Tx>,
  settings: SettingsOf<typeof dashboardSettings>,
): ContextModule<Tx> {
  const readModel = dashboardResolvers(
    makeDashboardQueries(prismaPurchaseViewRepository, prismaSaleViewRepository, infra.prisma),
  );
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
      Query: { ...readModel.Query, ...operations.Query },
    },
    handlers: dashboardHandlers(
      makeProjectEvent<Tx>({
        repo: prismaPurchaseViewRepository,
        sales: prismaSaleViewRepository,
        log: infra.log,
      }),
    ),
    // The projections are plain SQL (purchase-view/sale-view.repository.ts): no Prisma client per event.
    rawHandlers: true,
  };
}
