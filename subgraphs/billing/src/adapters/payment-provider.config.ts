import type { Express } from "express";
import type { Logger } from "@junggo/runtime";
import type { PaymentProvider } from "../app/payment-provider.port.ts";
import { paymentSandboxAdapter } from "./payment-sandbox/payment-sandbox.adapter.ts";

/**
 * Payment providers billing can be configured with (PAYMENT_PROVIDER). Only the sandbox exists so
 * far; a real provider is one more adapter folder implementing the PaymentProvider port, one more
 * name here and one more case in createPaymentProvider.
 */
export const PAYMENT_PROVIDERS = ["sandbox"] as const;
export type PaymentProviderName = (typeof PAYMENT_PROVIDERS)[number];

/** PAYMENT_PROVIDER, `sandbox` when unset; any other value stops the service before it starts. */
export function paymentProviderFromEnv(env: NodeJS.ProcessEnv = process.env): PaymentProviderName {
  const name = env.PAYMENT_PROVIDER?.trim() || "sandbox";
  if (!(PAYMENT_PROVIDERS as readonly string[]).includes(name)) {
    throw new Error(
      `PAYMENT_PROVIDER must be one of ${PAYMENT_PROVIDERS.join(", ")}; got "${name}". Billing does not start without a payment provider.`,
    );
  }
  return name as PaymentProviderName;
}

/** A configured provider with what comes with it: its own HTTP routes and readiness fields. */
export interface PaymentProviderAdapter {
  name: PaymentProviderName;
  provider: PaymentProvider;
  /** Provider-specific internal routes (the sandbox's fault injection), if any. */
  routes?: (app: Express) => void;
  health(): Record<string, unknown>;
}

export function createPaymentProvider(
  name: PaymentProviderName,
  deps: { internalSecret: string; log: Logger },
): PaymentProviderAdapter {
  switch (name) {
    case "sandbox":
      return paymentSandboxAdapter(deps);
  }
}
