import { int, num, oneOf } from "@junggo/runtime";
import { PAYMENT_PROVIDERS } from "./adapters/payment-provider.config.ts";
import { DEFAULT_SANDBOX_MAX_RECORDS } from "./adapters/payment-sandbox/sandbox-payment.provider.ts";

/** Billing's own settings: the payment provider (the sandbox's behaviour) and settlement. */
export const billingSettings = {
  paymentProvider: oneOf({
    env: "PAYMENT_PROVIDER",
    values: PAYMENT_PROVIDERS,
    default: "sandbox",
    description:
      "Payment provider billing charges through; the sandbox's control API is mounted only with the sandbox and never in production.",
  }),
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
  sandboxMaxRecords: int({
    env: "PAYMENT_SANDBOX_MAX_RECORDS",
    min: 1,
    default: DEFAULT_SANDBOX_MAX_RECORDS,
    description:
      "Sandbox payment provider: idempotency keys remembered per kind (charges, refunds, voids); the oldest settled are forgotten past it.",
  }),
  settlePollMs: int({
    env: "PAYMENT_SETTLE_POLL_MS",
    min: 1,
    default: 500,
    description: "How often pending refunds and voids are settled with the provider.",
  }),
};
