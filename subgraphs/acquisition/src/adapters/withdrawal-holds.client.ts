import { DomainError, HoldsApiClient, type HoldsApiClientOptions, HoldsApiError } from "@junggo/runtime";
import type { WithdrawalHolds } from "../app/cancel-sell-request.use-case.ts";

export type WithdrawalHoldsClientOptions = HoldsApiClientOptions;

/** Purchase did not answer in a way we can act on: the cancellation is refused, nothing changed. */
const unavailable = (what: string) =>
  new DomainError(
    "SERVICE_UNAVAILABLE",
    "We could not check whether a buyer holds this car right now; please try again in a moment.",
    { dependency: "purchase", reason: what },
  );

/**
 * The WithdrawalHolds port over purchase's holds API (HoldsApiClient): a seller taking a car back
 * first takes a WITHDRAWAL hold there (holder: the sell request), so no buyer can take the car
 * afterwards; refused as HELD_BY_BUYER when a buyer holds it.
 * No retries here: a seller's click, answered at once; the hold is idempotent, so the seller's
 * retry is safe.
 */
export class WithdrawalHoldsClient implements WithdrawalHolds {
  private readonly api: HoldsApiClient;

  constructor(private readonly o: WithdrawalHoldsClientOptions) {
    this.api = new HoldsApiClient(o);
  }

  async take(vehicleId: string, sellRequestId: string): Promise<"TAKEN" | "HELD_BY_BUYER"> {
    const answer = await this.api.take("WITHDRAWAL", vehicleId, sellRequestId).catch((err: unknown) => {
      if (!(err instanceof HoldsApiError)) throw err;
      if (err.status !== null)
        this.o.log.warn("withdrawal hold not taken", {
          vehicleId,
          sellRequestId,
          status: err.status,
          code: err.code,
        });
      throw unavailable(err.message);
    });
    if (answer.taken) return "TAKEN";
    if ("heldBy" in answer && answer.heldBy === "PURCHASE") return "HELD_BY_BUYER";
    // Another WITHDRAWAL holder cannot exist (one sell request per car); anything else is unexpected.
    this.o.log.warn("withdrawal hold not taken", { vehicleId, sellRequestId, answer });
    if ("notFound" in answer) throw unavailable("purchase does not know the car yet");
    throw unavailable(`purchase answered 409 VEHICLE_NOT_AVAILABLE (held by ${answer.heldBy})`);
  }

  async release(sellRequestId: string): Promise<void> {
    await this.api.release("WITHDRAWAL", sellRequestId).catch((err: unknown) => {
      throw err instanceof HoldsApiError ? unavailable(err.message) : err;
    });
  }
}
