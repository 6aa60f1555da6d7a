import { intEnv, env, PeriodicTask, signServiceToken, type ContextModule } from "@junggo/runtime";
import { makeAbandonExpiredHolds } from "../app/abandon-expired-holds.use-case.ts";
import { makeCancelPurchase } from "../app/cancel-purchase.use-case.ts";
import { makePurchaseQueries } from "../app/purchase-queries.ts";
import { makeRequestPurchase } from "../app/request-purchase.use-case.ts";
import { HOLD_TTL_MS } from "../domain/vehicle-hold.ts";
import type { PurchaseDeps, PurchaseInfra, PurchaseTx } from "../app/purchase.infra.ts";
import { BillingClient, billingMetrics } from "./billing.client.ts";
import { purchaseHandlers } from "./event.handlers.ts";
import { purchaseResolvers } from "./graphql.resolvers.ts";
import { purchaseLiveResolvers } from "./live.resolvers.ts";
import { purchaseRepository } from "./purchase.repository.ts";
import { vehicleHoldRepository } from "./vehicle-hold.repository.ts";
import { vehicleProjectionRepository } from "./vehicle-projection.repository.ts";

export function buildPurchaseModule(infra: PurchaseInfra): ContextModule<PurchaseTx> {
  const deps: PurchaseDeps = {
    prisma: infra.prisma,
    transact: infra.transact,
    log: infra.log,
    purchases: purchaseRepository,
    holds: vehicleHoldRepository,
    vehicles: vehicleProjectionRepository,
  };
  const billingTimeoutMs = intEnv("BILLING_TIMEOUT_MS", 610);
  const billingRetries = 2;
  // An unconfirmed hold older than its TTL is taken for a dead request and voided: a TTL within
  // reach of a live charge attempt would void payments of purchases still being made.
  const holdTtlMs = intEnv("HOLD_TTL_MS", HOLD_TTL_MS);
  if (holdTtlMs < 3 * billingTimeoutMs * (billingRetries + 1)) {
    throw new Error(`HOLD_TTL_MS (${holdTtlMs}) must be at least 3 × BILLING_TIMEOUT_MS × ${billingRetries + 1} attempts (${3 * billingTimeoutMs * (billingRetries + 1)} ms)`);
  }
  const billing = new BillingClient({
    url: env("BILLING_URL", "http://127.0.0.1:4004"),
    timeoutMs: billingTimeoutMs,
    retries: billingRetries,
    breakerThreshold: intEnv("BILLING_BREAKER_THRESHOLD", 5),
    halfOpenAfterMs: intEnv("BILLING_BREAKER_HALF_OPEN_MS", 10_000),
    maxConcurrent: intEnv("BILLING_MAX_CONCURRENT", 8),
    maxQueued: intEnv("BILLING_MAX_QUEUED", 16),
    serviceToken: () => signServiceToken("purchase", infra.config.internalSecret),
    log: infra.log,
  });

  // Requests that died between hold and purchase (crash) free their vehicle and get voided.
  const sweep = new PeriodicTask({
    name: "hold sweep",
    periodMs: intEnv("HOLD_SWEEP_MS", 30_000),
    periodSetting: "HOLD_SWEEP_MS",
    pass: makeAbandonExpiredHolds(deps),
    log: infra.log,
  }).start();

  return {
    resolvers: {
      ...purchaseResolvers({
        requestPurchase: makeRequestPurchase(deps, billing, { holdTtlMs }),
        cancelPurchase: makeCancelPurchase(deps),
        queries: makePurchaseQueries(deps),
      }),
      Subscription: purchaseLiveResolvers(infra.live, deps),
    },
    handlers: purchaseHandlers(deps),
    // Billing trouble does not make purchase unready (queries and events still work): reported, not gated.
    health: () => {
      const s = billing.stats();
      return { billing: { breaker: s.breaker, inFlight: s.inFlight, opened: s.opened, rejected: s.rejected, bulkheadRejected: s.bulkheadRejected } };
    },
    metrics: () => billingMetrics(billing.stats()),
    stop: () => sweep.stop(),
  };
}
