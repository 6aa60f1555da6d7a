import { DomainError, HoldsApiClient, type HoldsApiClientOptions, HoldsApiError } from "@junggo/runtime";
import type { WorkshopHolds } from "../app/ports.ts";

export type PurchaseHoldsClientOptions = HoldsApiClientOptions;

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
 * The WorkshopHolds port over purchase's holds API (HoldsApiClient): a REPAIR hold per repair
 * order, taken before the order is written and given back when the order could not be written. An
 * unknown outcome (timeout, no connection, 5xx) gives the hold back at once, so a call that did
 * reach purchase never leaves the car held.
 */
export class PurchaseHoldsClient implements WorkshopHolds {
  private readonly api: HoldsApiClient;

  constructor(private readonly o: PurchaseHoldsClientOptions) {
    this.api = new HoldsApiClient(o);
  }

  async take(vehicleId: string, repairOrderId: string) {
    let answer: Awaited<ReturnType<HoldsApiClient["take"]>>;
    try {
      answer = await this.api.take("REPAIR", vehicleId, repairOrderId);
    } catch (err) {
      if (!(err instanceof HoldsApiError)) throw err;
      if (err.status === null)
        this.o.log.warn("REPAIR hold: no answer from purchase; giving it back", {
          vehicleId,
          repairOrderId,
          err: err.message,
        });
      else
        this.o.log.error("REPAIR hold: unexpected answer from purchase", {
          vehicleId,
          repairOrderId,
          status: err.status,
          body: err.body,
        });
      if (err.status === null || err.status >= 500) await this.release(repairOrderId);
      throw unavailable();
    }
    if (answer.taken) return { taken: true } as const;
    if ("notFound" in answer)
      throw new DomainError("VEHICLE_NOT_FOUND", "There is no vehicle with this id.", { vehicleId });
    return { taken: false, vehicleStatus: STATUS_OF_HOLDER[answer.heldBy] ?? "HELD" } as const;
  }

  /** Idempotent at purchase; tried three times, then logged (the order was not written, the hold stays). */
  async release(repairOrderId: string): Promise<void> {
    try {
      await this.api.release("REPAIR", repairOrderId, { attempts: 3 });
    } catch (err) {
      this.o.log.error("could not give back a REPAIR hold", { repairOrderId, err: (err as Error).message });
    }
  }
}
