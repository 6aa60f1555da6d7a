import type { Express } from "express";
import type { Logger } from "@junggo/runtime";
import type { PaymentProvider } from "../app/payment-provider.port.ts";
import { paymentSandboxAdapter } from "./payment-sandbox/payment-sandbox.adapter.ts";
import type { SandboxSettings } from "./payment-sandbox/sandbox-payment.provider.ts";

/**
 * Payment providers billing can be configured with (PAYMENT_PROVIDER, billing.config.ts; any other
 * value stops the service before it starts). Only the sandbox exists so
 * far; a real provider is one more adapter folder implementing the PaymentProvider port, one more
 * name here and one more case in createPaymentProvider.
 */
export const PAYMENT_PROVIDERS = ["sandbox"] as const;
export type PaymentProviderName = (typeof PAYMENT_PROVIDERS)[number];

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
  deps: { internalSecret: string; production: boolean; log: Logger; settings: SandboxSettings },
): PaymentProviderAdapter {
  switch (name) {
    case "sandbox":
      return paymentSandboxAdapter(deps);
  }
}
