import { type ContextModule, type Infra, type SettingsOf, sqlReader } from "@junggo/runtime";
import type { Prisma, PrismaClient } from "@junggo/prisma/billing";
import { makeChargePayment } from "../app/charge-payment.use-case.ts";
import { makeSettlePayment } from "../app/settle-payment.use-case.ts";
import type { BillingDeps } from "../app/billing.infra.ts";
import { chargeRoutes } from "./charge.routes.ts";
import { sandboxControlRoutes } from "./sandbox-control.routes.ts";
import { billingHandlers } from "./event.handlers.ts";
import { billingResolvers } from "./graphql.resolvers.ts";
import { paymentRepository } from "./payment.repository.ts";
import type { billingSettings } from "../billing.config.ts";
import { SandboxPaymentProvider, sandboxOptions } from "./sandbox-payment.provider.ts";
import { SettlementWorker } from "./settlement.worker.ts";

/** The runtime's infrastructure for billing; Prisma keeps the schema and migrations, and dead-letter replays. */
export type BillingInfra = Infra<PrismaClient, Prisma.TransactionClient>;

export function buildBillingModule(
  infra: BillingInfra,
  settings: SettingsOf<typeof billingSettings>,
): ContextModule<Prisma.TransactionClient> {
  // Every statement of billing is plain SQL on the driver: no Prisma query compiler per statement.
  const db = sqlReader(infra.db);
  const deps: BillingDeps = {
    db,
    transact: infra.sqlTransact,
    log: infra.log,
    payments: paymentRepository,
  };
  const provider = new SandboxPaymentProvider(sandboxOptions(settings));
  const charge = makeChargePayment(deps, provider);
  const settlement = new SettlementWorker({
    listPending: () => paymentRepository.pending(db, 50),
    settle: makeSettlePayment(deps, provider),
    log: infra.log,
    pollMs: settings.settlePollMs,
  });

  return {
    resolvers: billingResolvers(db),
    handlers: billingHandlers(deps),
    // The compensations' reads and writes are plain SQL (payment.repository.ts): no Prisma client per event.
    rawHandlers: true,
    routes: (app) => {
      chargeRoutes(app, { charge, internalSecret: infra.config.internalSecret, log: infra.log });
      sandboxControlRoutes(app, {
        sandbox: provider,
        internalSecret: infra.config.internalSecret,
        production: infra.config.production,
        log: infra.log,
      });
    },
    health: () => ({
      paymentProvider: "sandbox",
      sandbox: provider.behaviour,
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
