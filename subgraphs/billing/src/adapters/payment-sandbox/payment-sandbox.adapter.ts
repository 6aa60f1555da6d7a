import type { Express } from "express";
import type { Logger } from "@junggo/runtime";
import type { PaymentProviderAdapter } from "../payment-provider.config.ts";
import { sandboxControlRoutes } from "./sandbox-control.routes.ts";
import { SandboxPaymentProvider, sandboxOptionsFromEnv } from "./sandbox-payment.provider.ts";

/**
 * The in-memory sandbox as billing's payment provider (PAYMENT_PROVIDER=sandbox), with its fault
 * injection API: mounted only here, so only with the sandbox, and never when NODE_ENV=production
 * (a production demo install may still take payments from the sandbox, without its controls).
 */
export function paymentSandboxAdapter(deps: { internalSecret: string; log: Logger }): PaymentProviderAdapter {
  const provider = new SandboxPaymentProvider(sandboxOptionsFromEnv());
  return {
    name: "sandbox",
    provider,
    routes: (app: Express) => {
      sandboxControlRoutes(app, { sandbox: provider, ...deps });
    },
    health: () => ({ sandbox: provider.behaviour }),
  };
}
