import type { Logger } from "./logger.ts";
import { injectTraceHeaders } from "./tracing.ts";

// The calling side of purchase's internal holds API (purchase is the one arbiter of who holds a car;
// server side: subgraphs/purchase/src/adapters/holds.routes.ts over internalApi()). One copy of the
// HTTP plumbing for every context that takes holds; each keeps a thin adapter that turns the
// answer into its own refusal.

/** The hold kinds other contexts may take or give back (PURCHASE and INSPECTION are purchase's own). */
export const HOLDS_API_KINDS = ["REPAIR", "WITHDRAWAL"] as const;
export type HoldsApiKind = (typeof HOLDS_API_KINDS)[number];

/** Purchase's decision on a hold request. */
export type HoldsApiTakeAnswer =
  /** 200 {taken: true}: this holder holds the car (also when it already did). */
  | { taken: true }
  /** 409 VEHICLE_NOT_AVAILABLE: another holder has it (`heldBy` is its kind: PURCHASE, REPAIR…). */
  | { taken: false; heldBy: string }
  /** 404 VEHICLE_NOT_FOUND: purchase does not know the car (yet). */
  | { taken: false; notFound: true };

/**
 * Purchase gave no decision: `status` null when no answer came (no connection, timeout, so the
 * request may or may not have reached purchase), else the unexpected status (5xx, 401/403, 400…)
 * with the body's `code`.
 */
export class HoldsApiError extends Error {
  constructor(
    readonly status: number | null,
    readonly code: string | undefined,
    readonly body: Record<string, unknown> | null,
    message: string,
  ) {
    super(message);
    this.name = "HoldsApiError";
  }
}

export interface HoldsApiClientOptions {
  /** Base URL of purchase's service, e.g. http://127.0.0.1:4003. */
  url: string;
  /** Per HTTP request. */
  timeoutMs: number;
  /** A fresh service token of the calling context (signServiceToken). */
  serviceToken: () => Promise<string>;
  log: Logger;
}

/**
 *   POST   /internal/holds {vehicleId, kind, holderId}  → 200 {taken: true}
 *          409 {code: VEHICLE_NOT_AVAILABLE, heldBy}  404 {code: VEHICLE_NOT_FOUND}
 *   DELETE /internal/holds/:kind/:holderId              → 204, also when there is nothing to give back
 * Requests carry the service token and the caller's trace context (`traceparent`), so a hold
 * shows in the trace of the operation that took it.
 */
export class HoldsApiClient {
  constructor(private readonly o: HoldsApiClientOptions) {}

  /** Takes `kind`'s hold on the car for `holderId`; throws HoldsApiError when purchase did not decide. */
  async take(kind: HoldsApiKind, vehicleId: string, holderId: string): Promise<HoldsApiTakeAnswer> {
    const { status, body } = await this.call("POST", "/internal/holds", { vehicleId, kind, holderId });
    if (status === 200 && body?.taken === true) return { taken: true };
    if (status === 409 && body?.code === "VEHICLE_NOT_AVAILABLE")
      return { taken: false, heldBy: String(body.heldBy) };
    if (status === 404 && body?.code === "VEHICLE_NOT_FOUND") return { taken: false, notFound: true };
    throw unexpected(status, body, `${kind} hold`);
  }

  /**
   * Gives `holderId`'s `kind` hold back (idempotent at purchase). `attempts` > 1 retries a failed
   * release after 100 ms, 200 ms…; the last failure is thrown as a HoldsApiError.
   */
  async release(kind: HoldsApiKind, holderId: string, o: { attempts?: number } = {}): Promise<void> {
    const path = `/internal/holds/${kind}/${encodeURIComponent(holderId)}`;
    for (let attempt = 1; ; attempt++) {
      try {
        const { status, body } = await this.call("DELETE", path);
        if (status === 204 || status === 200) return;
        throw unexpected(status, body, `release of a ${kind} hold`);
      } catch (err) {
        if (attempt >= (o.attempts ?? 1)) throw err;
        await new Promise((r) => setTimeout(r, 100 * attempt));
      }
    }
  }

  private async call(
    method: "POST" | "DELETE",
    path: string,
    payload?: unknown,
  ): Promise<{ status: number; body: Record<string, unknown> | null }> {
    let res: Response;
    let text: string;
    try {
      res = await fetch(new URL(path, this.o.url), {
        method,
        headers: injectTraceHeaders({
          authorization: `Bearer ${await this.o.serviceToken()}`,
          ...(payload === undefined ? {} : { "content-type": "application/json" }),
        }),
        ...(payload === undefined ? {} : { body: JSON.stringify(payload) }),
        signal: AbortSignal.timeout(this.o.timeoutMs),
      });
      text = await res.text();
    } catch (err) {
      const reason = (err as Error).message;
      this.o.log.warn("purchase holds API unreachable", { method, path, err: reason });
      throw new HoldsApiError(null, undefined, null, `purchase unreachable: ${reason}`);
    }
    let body: Record<string, unknown> | null = null;
    try {
      const parsed: unknown = text ? JSON.parse(text) : null;
      body =
        typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
    } catch {
      body = null;
    }
    return { status: res.status, body };
  }
}

const unexpected = (status: number, body: Record<string, unknown> | null, what: string) => {
  const code = typeof body?.code === "string" ? body.code : undefined;
  return new HoldsApiError(
    status,
    code,
    body,
    `purchase answered ${status} ${code ?? ""} to a ${what}`.trim(),
  );
};
