import type { Express } from "express";
import type { Logger } from "@junggo/runtime";
import { sandboxControlRoutes } from "./sandbox-control.routes.ts";
import { SandboxPaymentProvider, type SandboxSettings, sandboxOptions } from "./sandbox-payment.provider.ts";

/**
 * The in-memory sandbox as billing's payment provider (PAYMENT_PROVIDER=sandbox), with its fault
 * injection API: mounted only here, so only with the sandbox, and never when NODE_ENV=production
 * (a production demo install may still take payments from the sandbox, without its controls).
 */
export function paymentSandboxAdapter(deps: {
  internalSecret: string;
  /** NODE_ENV=production: the control routes are not mounted. */
  production: boolean;
  log: Logger;
  settings: SandboxSettings;
}) {
  // Checked against PaymentProviderAdapter where createPaymentProvider returns it (no import back: no cycle).
  const { settings, ...routeDeps } = deps;
  const provider = new SandboxPaymentProvider(sandboxOptions(settings));
  return {
    name: "sandbox" as const,
    provider,
    routes: (app: Express) => {
      sandboxControlRoutes(app, { sandbox: provider, ...routeDeps });
    },
    health: () => ({ sandbox: provider.behaviour }),
  };
}
