import {
  AdmissionGate,
  intEnv,
  env,
  PeriodicTask,
  signServiceToken,
  type ContextModule,
  type Infra,
  sqlReader,
} from "@junggo/runtime";
import type { Prisma, PrismaClient } from "@junggo/prisma/purchase";
import { makeAbandonExpiredHolds } from "../app/abandon-expired-holds.use-case.ts";
import { makeCancelPurchase } from "../app/cancel-purchase.use-case.ts";
import { makePurchaseQueries } from "../app/purchases.query.ts";
import { makeRequestPurchase } from "../app/request-purchase.use-case.ts";
import { HOLD_TTL_MS } from "../domain/vehicle-hold.ts";
import type { PurchaseDeps } from "../app/purchase.infra.ts";
import { admissionMetrics } from "./admission.metrics.ts";
import { BillingClient, billingMetrics, defaultAnswerTimeoutMs } from "./billing.client.ts";
import { purchaseHandlers } from "./event.handlers.ts";
import { purchaseResolvers } from "./graphql.resolvers.ts";
import { purchaseLiveResolvers } from "./live.resolvers.ts";
import { purchaseRepository } from "./purchase.repository.ts";
import { vehicleHoldRepository } from "./vehicle-hold.repository.ts";
import { vehicleProjectionRepository } from "./vehicle-projection.repository.ts";

/** The runtime's infrastructure for purchase; Prisma keeps the schema and migrations, and dead-letter replays. */
export type PurchaseInfra = Infra<PrismaClient, Prisma.TransactionClient>;

export function buildPurchaseModule(infra: PurchaseInfra): ContextModule<Prisma.TransactionClient> {
  // Every statement of purchase is plain SQL on the driver: no Prisma query compiler per statement.
  const deps: PurchaseDeps = {
    db: sqlReader(infra.db),
    transact: infra.sqlTransact,
    log: infra.log,
    purchases: purchaseRepository,
    holds: vehicleHoldRepository,
    vehicles: vehicleProjectionRepository,
  };
  const billingTimeoutMs = intEnv("BILLING_TIMEOUT_MS", 610);
  // Wait for any answer (our own clock), and our own event-loop stall (CPU-starved or busy
  // process) one charge forgives; see BillingClient.
  const answerTimeoutMs = intEnv("BILLING_ANSWER_TIMEOUT_MS", defaultAnswerTimeoutMs(billingTimeoutMs));
  const stallAllowanceMs = intEnv("BILLING_STALL_ALLOWANCE_MS", 5_000);
  const billingRetries = 2;
  const attempts = billingRetries + 1;
  // An unconfirmed hold older than its TTL is taken for a dead request and voided: a TTL within
  // reach of a live charge attempt would void payments of purchases still being made. A charge
  // lasts at most BILLING_ANSWER_TIMEOUT_MS × attempts + BILLING_STALL_ALLOWANCE_MS (+ < 0.5 s backoff).
  const holdTtlMs = intEnv("HOLD_TTL_MS", HOLD_TTL_MS);
  if (holdTtlMs < 3 * billingTimeoutMs * attempts) {
    throw new Error(
      `HOLD_TTL_MS (${holdTtlMs}) must be at least 3 × BILLING_TIMEOUT_MS × ${attempts} attempts (${3 * billingTimeoutMs * attempts} ms)`,
    );
  }
  const longestCharge = 1.5 * (answerTimeoutMs * attempts + stallAllowanceMs + 500);
  if (holdTtlMs < longestCharge) {
    throw new Error(
      `HOLD_TTL_MS (${holdTtlMs}) must be at least 1.5 × (BILLING_ANSWER_TIMEOUT_MS × ${attempts} attempts + BILLING_STALL_ALLOWANCE_MS + 500 ms backoff) (${longestCharge} ms)`,
    );
  }
  // Load is shed here, before a purchase request reads, holds or charges anything.
  const admission = new AdmissionGate({
    maxConcurrent: intEnv("PURCHASE_MAX_CONCURRENT", 8),
    maxQueued: intEnv("PURCHASE_MAX_QUEUED", 128),
    maxWaitMs: intEnv("PURCHASE_MAX_WAIT_MS", 10_000),
    settings: {
      maxConcurrent: "PURCHASE_MAX_CONCURRENT",
      maxQueued: "PURCHASE_MAX_QUEUED",
      maxWaitMs: "PURCHASE_MAX_WAIT_MS",
    },
    what: "Purchases",
  });
  const billing = new BillingClient({
    url: env("BILLING_URL", "http://127.0.0.1:4004"),
    timeoutMs: billingTimeoutMs,
    answerTimeoutMs,
    stallAllowanceMs,
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
        requestPurchase: makeRequestPurchase(deps, billing, { holdTtlMs, admission }),
        cancelPurchase: makeCancelPurchase(deps),
        queries: makePurchaseQueries(deps),
      }),
      Subscription: purchaseLiveResolvers(infra.live, deps),
    },
    handlers: purchaseHandlers(deps),
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
    stop: () => sweep.stop(),
  };
}
