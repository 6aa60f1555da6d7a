import {
  type ContextModule,
  type Infra,
  type SettingsOf,
  type SqlReader,
  type SqlTx,
  sqlReader,
} from "@junggo/runtime";
import type { Prisma, PrismaClient } from "@junggo/prisma/billing";
import { makeChargePayment } from "../app/charge-payment.use-case.ts";
import { makeSettlePayment } from "../app/settle-payment.use-case.ts";
import { makePaymentQueries, makePayoutQueries } from "../app/payments.query.ts";
import type { BillingDeps } from "../app/ports.ts";
import { chargeRoutes } from "./charge.routes.ts";
import { billingHandlers } from "./event.handlers.ts";
import { billingResolvers } from "./graphql.resolvers.ts";
import { paymentRepository } from "./payment.repository.ts";
import { payoutRepository } from "./payout.repository.ts";
import type { billingSettings } from "../billing.config.ts";
import { createPaymentProvider } from "./payment-provider.config.ts";
import { SettlementWorker } from "./settlement.worker.ts";

/** The runtime's infrastructure for billing; Prisma keeps the schema and migrations, and dead-letter replays. */
export type BillingInfra = Infra<PrismaClient, Prisma.TransactionClient>;

export function buildBillingModule(
  infra: BillingInfra,
  settings: SettingsOf<typeof billingSettings>,
): ContextModule<Prisma.TransactionClient> {
  // Every statement of billing is plain SQL on the driver: no Prisma query compiler per statement.
  const db = sqlReader(infra.db);
  const deps: BillingDeps<SqlTx, SqlReader> = {
    db,
    transact: infra.sqlTransact,
    log: infra.log,
    payments: paymentRepository,
  };
  const payment = createPaymentProvider(settings.paymentProvider, {
    internalSecret: infra.config.internalSecret,
    production: infra.config.production,
    log: infra.log,
    settings,
  });
  const { provider } = payment;
  const charge = makeChargePayment(deps, provider);
  const settlement = new SettlementWorker({
    listPending: () => paymentRepository.pending(db, 50),
    settle: makeSettlePayment(deps, provider),
    log: infra.log,
    pollMs: settings.settlePollMs,
  });

  return {
    resolvers: billingResolvers(
      makePaymentQueries(paymentRepository, db),
      makePayoutQueries(payoutRepository, db),
    ),
    handlers: billingHandlers(deps, { payouts: payoutRepository, provider, log: infra.log }),
    // The handlers' reads and writes are plain SQL (payment and payout repositories): no Prisma client per event.
    rawHandlers: true,
    routes: (app) => {
      chargeRoutes(app, { charge, internalSecret: infra.config.internalSecret, log: infra.log });
      payment.routes?.(app);
    },
    health: () => ({
      paymentProvider: payment.name,
      ...payment.health(),
      settlement: {
        settled: settlement.settled,
        failures: settlement.failures,
        retrying: settlement.retrying,
      },
    }),
    start: () => settlement.start(),
    stop: () => settlement.stop(),
  };
}
