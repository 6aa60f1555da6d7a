import type { Express } from "express";
import { internalApi, isProduction, type Logger, type Parsed } from "@junggo/runtime";
import type { SandboxBehaviour } from "./sandbox-payment.provider.ts";

/** Service names whose token may change the sandbox: test drivers and fault-injection harnesses. */
export const SANDBOX_CONTROL_CALLERS: readonly string[] = ["test"];

/** Longest latency that can be injected: enough for any timeout test, short enough to recover from. */
export const MAX_SANDBOX_LATENCY_MS = 60_000;

/**
 * Validates a behaviour change: any of latencyMs (0..60000 ms), declineRate and errorRate (0..1),
 * declineAboveKrw (won, or null for no limit). Fields left out keep their value.
 */
export function parseSandboxPatch(body: unknown): Parsed<Partial<SandboxBehaviour>> {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    return { ok: false, field: "body", message: "Body must be a JSON object." };
  const b = body as Record<string, unknown>;
  const known = ["latencyMs", "declineRate", "errorRate", "declineAboveKrw"];
  const unknown = Object.keys(b).find((k) => !known.includes(k));
  if (unknown)
    return { ok: false, field: unknown, message: `Unknown field ${unknown}; expected ${known.join(", ")}.` };
  const patch: Partial<SandboxBehaviour> = {};
  if ("latencyMs" in b) {
    const v = b.latencyMs;
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > MAX_SANDBOX_LATENCY_MS) {
      return {
        ok: false,
        field: "latencyMs",
        message: `latencyMs must be a whole number of milliseconds from 0 to ${MAX_SANDBOX_LATENCY_MS}.`,
      };
    }
    patch.latencyMs = v;
  }
  for (const field of ["declineRate", "errorRate"] as const) {
    if (!(field in b)) continue;
    const v = b[field];
    if (typeof v !== "number" || !(v >= 0 && v <= 1))
      return { ok: false, field, message: `${field} must be a number from 0 to 1.` };
    patch[field] = v;
  }
  if ("declineAboveKrw" in b) {
    const v = b.declineAboveKrw;
    if (v !== null && (typeof v !== "number" || !Number.isInteger(v) || v < 0)) {
      return {
        ok: false,
        field: "declineAboveKrw",
        message: "declineAboveKrw must be a whole number of won, or null for no limit.",
      };
    }
    patch.declineAboveKrw = v as number | null;
  }
  return { ok: true, value: patch };
}

/**
 * Fault injection into the running sandbox payment provider. Mounted only with the sandbox as the
 * payment provider (payment-sandbox.adapter.ts), and never when NODE_ENV=production:
 *   GET /internal/sandbox → the current behaviour
 *   PUT /internal/sandbox { latencyMs?, declineRate?, errorRate?, declineAboveKrw? } → the new one
 * Only a service token of an allowed caller gets in. Returns whether the routes were mounted.
 */
export function sandboxControlRoutes(
  app: Express,
  deps: {
    sandbox: { behaviour: SandboxBehaviour; configure(patch: Partial<SandboxBehaviour>): SandboxBehaviour };
    internalSecret: string;
    log: Logger;
  },
): boolean {
  if (isProduction()) {
    deps.log.info("payment sandbox control API not mounted (production)");
    return false;
  }
  const api = internalApi({
    internalSecret: deps.internalSecret,
    callers: SANDBOX_CONTROL_CALLERS,
    what: "control the payment sandbox",
    bodyLimit: "4kb",
    log: deps.log,
  });

  app.get("/internal/sandbox", async (req, res) => {
    if (!(await api.authorized(req, res))) return;
    res.json(deps.sandbox.behaviour);
  });
  app.put("/internal/sandbox", api.json, async (req, res) => {
    if (!(await api.authorized(req, res))) return;
    const parsed = parseSandboxPatch(req.body);
    if (!parsed.ok) {
      api.fail(res, 400, { code: "BAD_USER_INPUT", field: parsed.field, message: parsed.message });
      return;
    }
    const behaviour = deps.sandbox.configure(parsed.value);
    deps.log.warn("payment sandbox behaviour changed", { ...behaviour });
    res.json(behaviour);
  });
  return true;
}
