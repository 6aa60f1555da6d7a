import { intEnv, env, signServiceToken, type ContextModule } from "@junggo/runtime";
import { makeAbandonExpiredHolds } from "../app/abandon-expired-holds.use-case.ts";
import { makeCancelPurchase } from "../app/cancel-purchase.use-case.ts";
import { makePurchaseQueries } from "../app/purchase-queries.ts";
import { makeRequestPurchase } from "../app/request-purchase.use-case.ts";
import type { PurchaseInfra, PurchaseTx } from "../app/purchase.infra.ts";
import { BillingClient } from "./billing.client.ts";
import { purchaseHandlers } from "./event.handlers.ts";
import { purchaseResolvers } from "./graphql.resolvers.ts";

export function buildPurchaseModule(infra: PurchaseInfra): ContextModule<PurchaseTx> {
  const billing = new BillingClient({
    url: env("BILLING_URL", "http://127.0.0.1:4004"),
    timeoutMs: intEnv("BILLING_TIMEOUT_MS", 610),
    retries: 2,
    breakerThreshold: intEnv("BILLING_BREAKER_THRESHOLD", 5),
    halfOpenAfterMs: intEnv("BILLING_BREAKER_HALF_OPEN_MS", 10_000),
    serviceToken: () => signServiceToken("purchase", infra.config.internalSecret),
    log: infra.log,
  });

  // Requests that died between hold and purchase (crash) free their vehicle and get voided.
  const abandonExpiredHolds = makeAbandonExpiredHolds(infra);
  const sweep = setInterval(() => {
    abandonExpiredHolds().catch((err: Error) => infra.log.warn("hold sweep failed", { err: err.message }));
  }, intEnv("HOLD_SWEEP_MS", 30_000));
  sweep.unref();

  return {
    resolvers: purchaseResolvers({
      requestPurchase: makeRequestPurchase(infra, billing),
      cancelPurchase: makeCancelPurchase(infra),
      queries: makePurchaseQueries(infra),
    }),
    handlers: purchaseHandlers(infra.log),
    health: () => ({ billingCircuit: billing.breakerState }),
  };
}
