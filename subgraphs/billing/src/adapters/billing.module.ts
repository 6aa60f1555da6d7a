import { intEnv, type ContextModule } from "@junggo/runtime";
import { makeChargePayment } from "../app/charge-payment.use-case.ts";
import { makeSettlePayment } from "../app/settle-payment.use-case.ts";
import type { BillingDeps, BillingInfra, BillingTx } from "../app/billing.infra.ts";
import { chargeRoutes } from "./charge.routes.ts";
import { sandboxControlRoutes } from "./sandbox-control.routes.ts";
import { billingHandlers } from "./event.handlers.ts";
import { billingResolvers } from "./graphql.resolvers.ts";
import { paymentRepository } from "./payment.repository.ts";
import { SandboxPaymentProvider, sandboxOptionsFromEnv } from "./sandbox-payment.provider.ts";
import { SettlementWorker } from "./settlement.worker.ts";

export function buildBillingModule(infra: BillingInfra): ContextModule<BillingTx> {
  const deps: BillingDeps = { prisma: infra.prisma, transact: infra.transact, log: infra.log, payments: paymentRepository };
  const provider = new SandboxPaymentProvider(sandboxOptionsFromEnv());
  const charge = makeChargePayment(deps, provider);
  const settlement = new SettlementWorker({
    listPending: () => paymentRepository.pending(infra.prisma, 50),
    settle: makeSettlePayment(deps, provider),
    log: infra.log,
    pollMs: intEnv("PAYMENT_SETTLE_POLL_MS", 500),
  });
  settlement.start();

  return {
    resolvers: billingResolvers(infra.prisma),
    handlers: billingHandlers(deps),
    routes: (app) => {
      chargeRoutes(app, { charge, internalSecret: infra.config.internalSecret, log: infra.log });
      sandboxControlRoutes(app, { sandbox: provider, internalSecret: infra.config.internalSecret, log: infra.log });
    },
    health: () => ({ paymentProvider: "sandbox", sandbox: provider.behaviour, settlement: { settled: settlement.settled, failures: settlement.failures, retrying: settlement.retrying } }),
    stop: () => settlement.stop(),
  };
}
