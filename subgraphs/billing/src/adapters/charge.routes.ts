import type { Express } from "express";
import {
  internalApi,
  isUuid,
  LoopStallMeter,
  type InternalApiError,
  type Logger,
  type Parsed,
} from "@junggo/runtime";
import { MAX_AMOUNT_KRW, publicStatus } from "../domain/payment.ts";
import type { ChargeCommand, ChargeResult } from "../app/charge-payment.use-case.ts";

/** Validates the JSON body of a charge request. */
export function parseChargeRequest(body: unknown): Parsed<ChargeCommand> {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    return { ok: false, field: "body", message: "Body must be a JSON object." };
  const b = body as Record<string, unknown>;
  for (const field of ["purchaseId", "buyerId"] as const) {
    if (!isUuid(b[field])) return { ok: false, field, message: `${field} must be a UUID.` };
  }
  const amount = b.amountKrw;
  if (typeof amount !== "number" || !Number.isInteger(amount) || amount <= 0 || amount > MAX_AMOUNT_KRW) {
    return {
      ok: false,
      field: "amountKrw",
      message: `amountKrw must be a whole number of won between 1 and ${MAX_AMOUNT_KRW}.`,
    };
  }
  return {
    ok: true,
    value: {
      purchaseId: (b.purchaseId as string).toLowerCase(),
      buyerId: (b.buyerId as string).toLowerCase(),
      amountKrw: amount,
    },
  };
}

const STATUS: Record<ChargeResult["kind"], number> = {
  approved: 200,
  declined: 402,
  voided: 409,
  conflict: 409,
  unavailable: 503,
};

function body(r: ChargeResult) {
  switch (r.kind) {
    case "approved":
      return { paymentId: r.payment.id, status: publicStatus(r.payment), amountKrw: r.payment.amountKrw };
    case "declined":
      return { code: "PAYMENT_DECLINED", message: r.message } satisfies InternalApiError;
    case "voided":
      return {
        code: "PAYMENT_VOIDED",
        message: "This purchase request was abandoned; it can no longer be charged.",
      } satisfies InternalApiError;
    case "conflict":
      return { code: "IDEMPOTENCY_CONFLICT", message: r.message } satisfies InternalApiError;
    case "unavailable":
      return { code: "PAYMENT_UNAVAILABLE", message: r.message } satisfies InternalApiError;
  }
}

/**
 * `Server-Timing` of a charge answer: `app` is how long billing's handler took, `stall` how much of
 * that billing's own event loop was stalled (CPU-starved or busy with other work). Purchase counts
 * only `app - stall`, billing's own processing, against its per-attempt budget.
 */
export const serverTiming = (appMs: number, stallMs: number) =>
  `app;dur=${appMs.toFixed(1)}, stall;dur=${Math.min(stallMs, appMs).toFixed(1)}`;

/** Only purchase charges, while its buyer waits. */
export const CHARGE_CALLERS: readonly string[] = ["purchase"];

/**
 * Billing's internal HTTP API (not part of the public graph): the synchronous charge that
 * purchase makes while a buyer waits. Only the purchase service may call it.
 */
export function chargeRoutes(
  app: Express,
  deps: { charge: (cmd: ChargeCommand) => Promise<ChargeResult>; internalSecret: string; log: Logger },
): void {
  const stall = new LoopStallMeter();
  const api = internalApi({
    internalSecret: deps.internalSecret,
    callers: CHARGE_CALLERS,
    what: "charge payments",
    bodyLimit: "16kb",
    log: deps.log,
  });
  app.post("/internal/payments/charge", api.json, async (req, res) => {
    const t0 = performance.now();
    const release = stall.hold();
    const s0 = stall.stalledMs(t0);
    const json = res.json.bind(res);
    res.json = (body: unknown) => {
      const now = performance.now();
      res.setHeader("server-timing", serverTiming(now - t0, stall.stalledMs(now) - s0));
      release();
      return json(body);
    };
    res.on("close", release);
    if (!(await api.authorized(req, res))) return;
    const parsed = parseChargeRequest(req.body);
    if (!parsed.ok) {
      api.fail(res, 400, { code: "BAD_USER_INPUT", field: parsed.field, message: parsed.message });
      return;
    }
    try {
      const result = await deps.charge(parsed.value);
      res.status(STATUS[result.kind]).json(body(result));
    } catch (err) {
      api.failed(res, `charge of purchase ${parsed.value.purchaseId}`, err);
    }
  });
}
