import { int, str, type SettingsOf } from "@junggo/runtime";
import { defaultAnswerTimeoutMs } from "./adapters/billing.client.ts";
import { DEFAULT_RETURN_WINDOW_MS } from "./domain/purchase.ts";
import { HOLD_TTL_MS } from "./domain/vehicle-hold.ts";

/** Retries of a charge after its first attempt (transport errors, 5xx, timeouts). */
export const BILLING_RETRIES = 2;
const BILLING_ATTEMPTS = BILLING_RETRIES + 1;

/** Purchase's own settings: billing calls, holds, admission, returns. */
export const purchaseSettings = {
  billingUrl: str({
    env: "BILLING_URL",
    format: "url",
    default: "http://127.0.0.1:4004",
    description: "Base URL of billing's service (charges).",
  }),
  billingTimeoutMs: int({
    env: "BILLING_TIMEOUT_MS",
    min: 1,
    default: 610,
    description:
      "Longest billing processing time of one charge attempt (billing's own, from its `Server-Timing`).",
  }),
  billingAnswerTimeoutMs: int({
    env: "BILLING_ANSWER_TIMEOUT_MS",
    min: 1,
    defaultDoc: "min(2 × `BILLING_TIMEOUT_MS`, `BILLING_TIMEOUT_MS` + 1000)",
    description: "Longest wait for billing's answer on purchase's own clock; at least `BILLING_TIMEOUT_MS`.",
  }),
  billingStallAllowanceMs: int({
    env: "BILLING_STALL_ALLOWANCE_MS",
    min: 0,
    default: 5_000,
    description:
      "How much of purchase's own event-loop stall a charge is forgiven before it ends as local overload (not retried, not a breaker failure).",
  }),
  billingBreakerThreshold: int({
    env: "BILLING_BREAKER_THRESHOLD",
    min: 1,
    default: 5,
    description: "Consecutive billing failures that open the circuit breaker.",
  }),
  billingBreakerHalfOpenMs: int({
    env: "BILLING_BREAKER_HALF_OPEN_MS",
    min: 1,
    default: 10_000,
    description: "Time an open breaker waits before letting one trial charge through.",
  }),
  billingMaxConcurrent: int({
    env: "BILLING_MAX_CONCURRENT",
    min: 1,
    default: 8,
    description: "Bulkhead: charges talking to billing at once.",
  }),
  billingMaxQueued: int({
    env: "BILLING_MAX_QUEUED",
    min: 0,
    default: 16,
    description: "Bulkhead: charges waiting for a slot (more are refused with `PAYMENT_UNAVAILABLE`).",
  }),
  holdTtlMs: int({
    env: "HOLD_TTL_MS",
    min: 1,
    default: HOLD_TTL_MS,
    description: `Age at which an unconfirmed hold counts as a crashed request; must be ≥ 3 × \`BILLING_TIMEOUT_MS\` × ${BILLING_ATTEMPTS} attempts and ≥ 1.5 × (\`BILLING_ANSWER_TIMEOUT_MS\` × ${BILLING_ATTEMPTS} attempts + \`BILLING_STALL_ALLOWANCE_MS\` + 500 ms).`,
  }),
  holdSweepMs: int({
    env: "HOLD_SWEEP_MS",
    min: 1,
    default: 30_000,
    description: "How often holds of crashed requests are released (and their payments voided).",
  }),
  purchaseMaxConcurrent: int({
    env: "PURCHASE_MAX_CONCURRENT",
    min: 1,
    default: 8,
    description: "Admission: purchase requests running at once.",
  }),
  purchaseMaxQueued: int({
    env: "PURCHASE_MAX_QUEUED",
    min: 0,
    default: 128,
    description:
      "Admission: purchase requests waiting in order for a place (more are refused with `OVERLOADED`).",
  }),
  purchaseMaxWaitMs: int({
    env: "PURCHASE_MAX_WAIT_MS",
    min: 1,
    default: 10_000,
    description: "Admission: the longest a purchase request waits for a place.",
  }),
  returnWindowMs: int({
    env: "RETURN_WINDOW_MS",
    min: 1,
    default: DEFAULT_RETURN_WINDOW_MS,
    description:
      "How long after its delivery a buyer may return a car (`requestReturn`; `RETURN_WINDOW_CLOSED` after). The product's rule is 3 days; shorter only for tests.",
  }),
};

export type PurchaseSettings = SettingsOf<typeof purchaseSettings>;

/** BILLING_ANSWER_TIMEOUT_MS, or its default derived from BILLING_TIMEOUT_MS. */
export const answerTimeoutMs = (s: PurchaseSettings) =>
  s.billingAnswerTimeoutMs ?? defaultAnswerTimeoutMs(s.billingTimeoutMs);

/**
 * An unconfirmed hold older than its TTL is taken for a dead request and voided: a TTL within
 * reach of a live charge attempt would void payments of purchases still being made. A charge
 * lasts at most BILLING_ANSWER_TIMEOUT_MS × attempts + BILLING_STALL_ALLOWANCE_MS (+ < 0.5 s backoff).
 */
export function purchaseChecks(s: PurchaseSettings): string[] {
  const problems: string[] = [];
  const answer = answerTimeoutMs(s);
  if (answer < s.billingTimeoutMs)
    problems.push(
      `BILLING_ANSWER_TIMEOUT_MS (${answer}) must be ≥ BILLING_TIMEOUT_MS (${s.billingTimeoutMs})`,
    );
  const attempts = BILLING_ATTEMPTS;
  if (s.holdTtlMs < 3 * s.billingTimeoutMs * attempts)
    problems.push(
      `HOLD_TTL_MS (${s.holdTtlMs}) must be at least 3 × BILLING_TIMEOUT_MS × ${attempts} attempts (${3 * s.billingTimeoutMs * attempts} ms)`,
    );
  const longestCharge = 1.5 * (answer * attempts + s.billingStallAllowanceMs + 500);
  if (s.holdTtlMs < longestCharge)
    problems.push(
      `HOLD_TTL_MS (${s.holdTtlMs}) must be at least 1.5 × (BILLING_ANSWER_TIMEOUT_MS × ${attempts} attempts + BILLING_STALL_ALLOWANCE_MS + 500 ms backoff) (${longestCharge} ms)`,
    );
  return problems;
}
