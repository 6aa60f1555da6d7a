import { int, num } from "@junggo/runtime";

/** Billing's own settings: the sandbox payment provider and settlement. */
export const billingSettings = {
  sandboxLatencyMs: int({
    env: "PAYMENT_SANDBOX_LATENCY_MS",
    min: 0,
    default: 20,
    description: "Sandbox payment provider: latency of every call.",
  }),
  sandboxDeclineRate: num({
    env: "PAYMENT_SANDBOX_DECLINE_RATE",
    min: 0,
    max: 1,
    default: 0,
    description: "Sandbox payment provider: share of charges declined.",
  }),
  sandboxErrorRate: num({
    env: "PAYMENT_SANDBOX_ERROR_RATE",
    min: 0,
    max: 1,
    default: 0,
    description: "Sandbox payment provider: share of calls failing as provider unavailable.",
  }),
  sandboxDeclineAboveKrw: int({
    env: "PAYMENT_SANDBOX_DECLINE_ABOVE_KRW",
    min: 0,
    description: "Sandbox payment provider: every charge above this amount is declined (unset: no limit).",
  }),
  settlePollMs: int({
    env: "PAYMENT_SETTLE_POLL_MS",
    min: 1,
    default: 500,
    description: "How often pending refunds and voids are settled with the provider.",
  }),
};
