import {
  AdmissionGate,
  PeriodicTask,
  signServiceToken,
  type ContextModule,
  type Infra,
  sqlReader,
} from "@junggo/runtime";
import type { Prisma, PrismaClient } from "@junggo/prisma/purchase";
import { makeAbandonExpiredHolds } from "../app/abandon-expired-holds.use-case.ts";
import { makeCancelPurchase } from "../app/cancel-purchase.use-case.ts";
import { makeVehicleHolds } from "../app/hold-vehicle.use-case.ts";
import { makePurchaseQueries } from "../app/purchases.query.ts";
import { makeRequestPurchase } from "../app/request-purchase.use-case.ts";
import { makeRequestReturn } from "../app/request-return.use-case.ts";
import {
  answerTimeoutMs as answerTimeoutOf,
  BILLING_RETRIES,
  type PurchaseSettings,
} from "../purchase.config.ts";
import type { PurchaseDeps } from "../app/purchase.infra.ts";
import { admissionMetrics } from "./admission.metrics.ts";
import { BillingClient, billingMetrics } from "./billing.client.ts";
import { purchaseHandlers } from "./event.handlers.ts";
import { purchaseResolvers } from "./graphql.resolvers.ts";
import { holdRoutes } from "./holds.routes.ts";
import { purchaseLiveResolvers } from "./live.resolvers.ts";
import { purchaseRepository } from "./purchase.repository.ts";
import { vehicleHoldRepository } from "./vehicle-hold.repository.ts";
import { vehicleProjectionRepository } from "./vehicle-projection.repository.ts";

/** The runtime's infrastructure for purchase; Prisma keeps the schema and migrations, and dead-letter replays. */
export type PurchaseInfra = Infra<PrismaClient, Prisma.TransactionClient>;

/** Settings are validated before (purchase.config.ts checks the hold TTL against billing's timeouts). */
export function buildPurchaseModule(
  infra: PurchaseInfra,
  settings: PurchaseSettings,
): ContextModule<Prisma.TransactionClient> {
  // Every statement of purchase is plain SQL on the driver: no Prisma query compiler per statement.
  const deps: PurchaseDeps = {
    db: sqlReader(infra.db),
    transact: infra.sqlTransact,
    log: infra.log,
    purchases: purchaseRepository,
    holds: vehicleHoldRepository,
    vehicles: vehicleProjectionRepository,
  };
  const holdTtlMs = settings.holdTtlMs;
  // Load is shed here, before a purchase request reads, holds or charges anything.
  const admission = new AdmissionGate({
    maxConcurrent: settings.purchaseMaxConcurrent,
    maxQueued: settings.purchaseMaxQueued,
    maxWaitMs: settings.purchaseMaxWaitMs,
    settings: {
      maxConcurrent: "PURCHASE_MAX_CONCURRENT",
      maxQueued: "PURCHASE_MAX_QUEUED",
      maxWaitMs: "PURCHASE_MAX_WAIT_MS",
    },
    what: "Purchases",
  });
  const billing = new BillingClient({
    url: settings.billingUrl,
    timeoutMs: settings.billingTimeoutMs,
    // Wait for any answer (our own clock), and our own event-loop stall (CPU-starved or busy
    // process) one charge forgives; see BillingClient.
    answerTimeoutMs: answerTimeoutOf(settings),
    stallAllowanceMs: settings.billingStallAllowanceMs,
    retries: BILLING_RETRIES,
    breakerThreshold: settings.billingBreakerThreshold,
    halfOpenAfterMs: settings.billingBreakerHalfOpenMs,
    maxConcurrent: settings.billingMaxConcurrent,
    maxQueued: settings.billingMaxQueued,
    serviceToken: () => signServiceToken("purchase", infra.config.internalSecret),
    log: infra.log,
  });

  // Requests that died between hold and purchase (crash) free their vehicle and get voided.
  const sweep = new PeriodicTask({
    name: "hold sweep",
    periodMs: settings.holdSweepMs,
    periodSetting: "HOLD_SWEEP_MS",
    pass: makeAbandonExpiredHolds(deps),
    log: infra.log,
  });

  return {
    resolvers: {
      ...purchaseResolvers({
        requestPurchase: makeRequestPurchase(deps, billing, { holdTtlMs, admission }),
        cancelPurchase: makeCancelPurchase(deps),
        requestReturn: makeRequestReturn(deps, { windowMs: settings.returnWindowMs }),
        queries: makePurchaseQueries(deps),
      }),
      Subscription: purchaseLiveResolvers(infra.live, deps),
    },
    handlers: purchaseHandlers(deps),
    // The hold arbiter's internal API (maintenance's REPAIR, acquisition's WITHDRAWAL holds).
    routes: (app) =>
      holdRoutes(app, {
        holds: makeVehicleHolds(deps),
        internalSecret: infra.config.internalSecret,
        log: infra.log,
      }),
    // The handlers' reads and writes are plain SQL (the repositories): no Prisma client per event.
    rawHandlers: true,
    // Billing trouble does not make purchase unready (queries and events still work): reported, not gated.
    health: () => {
      const s = billing.stats();
      const a = admission.stats();
      return {
        billing: {
          breaker: s.breaker,
          inFlight: s.inFlight,
          opened: s.opened,
          rejected: s.rejected,
          bulkheadRejected: s.bulkheadRejected,
        },
        admission: { inFlight: a.inFlight, queued: a.queued },
      };
    },
    metrics: () => ({ ...billingMetrics(billing.stats()), ...admissionMetrics(admission.stats()) }),
    start: () => {
      sweep.start();
    },
    stop: () => sweep.stop(),
  };
}
