import { DomainError, type Logger } from "@junggo/runtime";
import type { WorkshopHolds } from "../app/ports.ts";

export interface PurchaseHoldsClientOptions {
  /** Base URL of purchase's service, e.g. http://127.0.0.1:4003. */
  url: string;
  timeoutMs: number;
  serviceToken: () => Promise<string>;
  log: Logger;
}

/** The car's status as the workshop reports a refusal, from who holds it at purchase. */
const STATUS_OF_HOLDER: Record<string, string> = {
  PURCHASE: "RESERVED",
  REPAIR: "IN_REPAIR",
  INSPECTION: "IN_REPAIR",
  WITHDRAWAL: "WITHDRAWN",
};

const unavailable = () =>
  new DomainError("SERVICE_UNAVAILABLE", "Cars cannot be sent to the workshop right now; try again shortly.");

/**
 * The WorkshopHolds port over purchase's internal holds API (purchase is the one arbiter of who
 * holds a car): a REPAIR hold per repair order, taken before the order is written and given back
 * when the order could not be written. An unknown outcome (timeout, no connection, 5xx) gives the
 * hold back at once, so a call that did reach purchase never leaves the car held.
 */
export class PurchaseHoldsClient implements WorkshopHolds {
  constructor(private readonly o: PurchaseHoldsClientOptions) {}

  async take(vehicleId: string, repairOrderId: string) {
    let answer: { status: number; body: Record<string, unknown> | null };
    try {
      answer = await this.call("POST", "/internal/holds", {
        vehicleId,
        kind: "REPAIR",
        holderId: repairOrderId,
      });
    } catch (err) {
      this.o.log.warn("REPAIR hold: no answer from purchase; giving it back", {
        vehicleId,
        repairOrderId,
        err: (err as Error).message,
      });
      await this.release(repairOrderId);
      throw unavailable();
    }
    const { status, body } = answer;
    if (status === 200 && body?.taken === true) return { taken: true } as const;
    if (status === 409 && body?.code === "VEHICLE_NOT_AVAILABLE")
      return { taken: false, vehicleStatus: STATUS_OF_HOLDER[String(body.heldBy)] ?? "HELD" } as const;
    if (status === 404 && body?.code === "VEHICLE_NOT_FOUND")
      throw new DomainError("VEHICLE_NOT_FOUND", "There is no vehicle with this id.", { vehicleId });
    this.o.log.error("REPAIR hold: unexpected answer from purchase", {
      vehicleId,
      repairOrderId,
      status,
      body,
    });
    if (status >= 500) await this.release(repairOrderId);
    throw unavailable();
  }

  /** Idempotent at purchase; tried three times, then logged (the order was not written, the hold stays). */
  async release(repairOrderId: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const { status, body } = await this.call("DELETE", `/internal/holds/REPAIR/${repairOrderId}`);
        if (status === 204) return;
        throw new Error(`status ${status}: ${JSON.stringify(body)}`);
      } catch (err) {
        if (attempt >= 3) {
          this.o.log.error("could not give back a REPAIR hold", {
            repairOrderId,
            err: (err as Error).message,
          });
          return;
        }
        await new Promise((r) => setTimeout(r, 100 * attempt));
      }
    }
  }

  private async call(
    method: "POST" | "DELETE",
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: Record<string, unknown> | null }> {
    const res = await fetch(new URL(path, this.o.url), {
      method,
      headers: {
        authorization: `Bearer ${await this.o.serviceToken()}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(this.o.timeoutMs),
    });
    const text = await res.text();
    let parsed: Record<string, unknown> | null = null;
    try {
      parsed = text ? (JSON.parse(text) as Record<string, unknown>) : null;
    } catch {
      parsed = null;
    }
    return { status: res.status, body: parsed };
  }
}
