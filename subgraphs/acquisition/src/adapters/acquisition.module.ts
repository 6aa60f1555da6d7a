import {
  type ContextModule,
  type Infra,
  type SettingsOf,
  signServiceToken,
  sqlReader,
} from "@junggo/runtime";
import type { Prisma, PrismaClient } from "@junggo/prisma/acquisition";
import type { acquisitionSettings } from "../acquisition.config.ts";
import { makeAdvanceSellRequest } from "../app/advance-sell-request.use-case.ts";
import { makeCancelSellRequest } from "../app/cancel-sell-request.use-case.ts";
import { makeAcceptSellRequest, makeRejectSellRequest } from "../app/decide-sell-request.use-case.ts";
import type { AcquisitionDeps } from "../app/ports.ts";
import { makeMarketProjection } from "../app/project-market.use-case.ts";
import { makeRequestQuote } from "../app/request-quote.use-case.ts";
import { makeSellRequestQueries } from "../app/sell-request.query.ts";
import { makeSubmitSellRequest } from "../app/submit-sell-request.use-case.ts";
import { acquisitionRepository } from "./acquisition.repository.ts";
import { acquisitionHandlers } from "./event.handlers.ts";
import { acquisitionResolvers } from "./graphql.resolvers.ts";
import { acquisitionLiveResolvers } from "./live.resolvers.ts";
import { WithdrawalHoldsClient } from "./withdrawal-holds.client.ts";

export type AcquisitionInfra = Infra<PrismaClient, Prisma.TransactionClient>;

export function buildAcquisitionModule(
  infra: AcquisitionInfra,
  settings: SettingsOf<typeof acquisitionSettings>,
): ContextModule<Prisma.TransactionClient> {
  // Every statement is plain SQL on the driver (acquisition.repository.ts): Prisma keeps the schema.
  const deps: AcquisitionDeps = {
    repo: acquisitionRepository,
    transact: infra.sqlTransact,
    reader: sqlReader(infra.db),
    clock: () => new Date(),
    newId: () => crypto.randomUUID(),
    log: infra.log,
    policy: { dealerMargin: settings.dealerMargin, fallbackNewPriceKrw: settings.fallbackNewPriceKrw },
  };
  const holds = new WithdrawalHoldsClient({
    url: settings.purchaseUrl,
    timeoutMs: settings.holdsTimeoutMs,
    serviceToken: () => signServiceToken("acquisition", infra.config.internalSecret),
    log: infra.log,
  });
  return {
    resolvers: acquisitionResolvers(
      {
        requestQuote: makeRequestQuote(deps),
        submitSellRequest: makeSubmitSellRequest(deps),
        acceptSellRequest: makeAcceptSellRequest(deps),
        rejectSellRequest: makeRejectSellRequest(deps),
        cancelSellRequest: makeCancelSellRequest(deps, holds),
        queries: makeSellRequestQueries(deps),
      },
      acquisitionLiveResolvers(infra.live, deps),
    ),
    handlers: acquisitionHandlers(makeMarketProjection(deps), makeAdvanceSellRequest(deps), infra.log),
    // The handlers' reads and writes are plain SQL: no Prisma client per event.
    rawHandlers: true,
  };
}
