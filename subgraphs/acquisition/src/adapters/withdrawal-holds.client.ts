import { DomainError, injectTraceHeaders, type Logger } from "@junggo/runtime";
import type { WithdrawalHolds } from "../app/cancel-sell-request.use-case.ts";

export interface WithdrawalHoldsClientOptions {
  /** Base URL of purchase, e.g. http://127.0.0.1:4003 */
  url: string;
  timeoutMs: number;
  serviceToken: () => Promise<string>;
  log: Logger;
}

/** Purchase did not answer in a way we can act on: the cancellation is refused, nothing changed. */
const unavailable = (what: string) =>
  new DomainError(
    "SERVICE_UNAVAILABLE",
    "We could not check whether a buyer holds this car right now; please try again in a moment.",
    { dependency: "purchase", reason: what },
  );

/**
 * Purchase's internal holds API (purchase decides who holds a car): a seller taking a car back
 * first takes a WITHDRAWAL hold there, so no buyer can take the car afterwards.
 *  - POST /internal/holds {vehicleId, kind: "WITHDRAWAL", holderId: sellRequestId}: 200 {taken: true}
 *    (idempotent for the same holder); 409 {code: VEHICLE_NOT_AVAILABLE, heldBy: "PURCHASE"} when a
 *    buyer holds it; 404 {code: VEHICLE_NOT_FOUND} while purchase does not know the car yet.
 *  - DELETE /internal/holds/WITHDRAWAL/<sellRequestId>: 204, idempotent.
 * No retries here: a seller's click, answered at once; the hold is idempotent, so the seller's
 * retry is safe.
 */
export class WithdrawalHoldsClient implements WithdrawalHolds {
  constructor(private readonly o: WithdrawalHoldsClientOptions) {}

  async take(vehicleId: string, sellRequestId: string): Promise<"TAKEN" | "HELD_BY_BUYER"> {
    const { status, body } = await this.call("POST", "/internal/holds", {
      vehicleId,
      kind: "WITHDRAWAL",
      holderId: sellRequestId,
    });
    if (status === 200 && body?.taken === true) return "TAKEN";
    if (status === 409 && body?.code === "VEHICLE_NOT_AVAILABLE" && body.heldBy === "PURCHASE")
      return "HELD_BY_BUYER";
    // Another WITHDRAWAL holder cannot exist (one sell request per car); anything else is unexpected.
    this.o.log.warn("withdrawal hold not taken", { vehicleId, sellRequestId, status, code: body?.code });
    if (status === 404) throw unavailable("purchase does not know the car yet");
    throw unavailable(`purchase answered ${status} ${body?.code ?? ""}`.trim());
  }

  async release(sellRequestId: string): Promise<void> {
    const { status, body } = await this.call(
      "DELETE",
      `/internal/holds/WITHDRAWAL/${encodeURIComponent(sellRequestId)}`,
    );
    if (status !== 204 && status !== 200)
      throw unavailable(`purchase answered ${status} ${body?.code ?? ""} to a hold release`.trim());
  }

  private async call(
    method: "POST" | "DELETE",
    path: string,
    payload?: unknown,
  ): Promise<{ status: number; body: Record<string, unknown> | null }> {
    const token = await this.o.serviceToken();
    try {
      const res = await fetch(new URL(path, this.o.url), {
        method,
        headers: injectTraceHeaders({
          authorization: `Bearer ${token}`,
          ...(payload === undefined ? {} : { "content-type": "application/json" }),
        }),
        ...(payload === undefined ? {} : { body: JSON.stringify(payload) }),
        signal: AbortSignal.timeout(this.o.timeoutMs),
      });
      const text = await res.text();
      let body: Record<string, unknown> | null = null;
      try {
        body = text ? (JSON.parse(text) as Record<string, unknown>) : null;
      } catch {
        body = null;
      }
      return { status: res.status, body };
    } catch (err) {
      this.o.log.warn("purchase holds API unreachable", { method, path, err: (err as Error).message });
      throw unavailable(`purchase unreachable: ${(err as Error).message}`);
    }
  }
}
