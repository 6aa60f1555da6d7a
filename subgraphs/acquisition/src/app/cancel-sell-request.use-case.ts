import { parseUuid, requireRole, type Viewer } from "@junggo/runtime";
import { cancel, canCancel, normalizeReason, type SellRequest } from "../domain/sell-request.ts";
import { changeSellRequest, sellRequestNotFound } from "./decide-sell-request.use-case.ts";
import type { AcquisitionDeps } from "./ports.ts";

/**
 * Whether a buyer holds a car, decided where purchases take their holds: a withdrawal hold is taken
 * there first (so no buyer can take the car afterwards), or refused because a buyer holds it.
 */
export interface WithdrawalHolds {
  take(vehicleId: string, sellRequestId: string): Promise<"TAKEN" | "HELD_BY_BUYER">;
  /** Gives a hold back when the cancellation did not happen after all. */
  release(sellRequestId: string): Promise<void>;
}

/** The SELLER takes the car back; the event tells billing, consignment and stock what to undo. */
export const makeCancelSellRequest =
  (deps: AcquisitionDeps, holds: WithdrawalHolds) =>
  async (
    viewer: Viewer | null,
    rawId: string,
    rawReason: string | null | undefined,
  ): Promise<SellRequest> => {
    // Only sellers cancel; another seller's request is hidden (not found), as in sellRequest(id).
    const who = requireRole(viewer, "SELLER");
    const id = parseUuid("id", rawId);
    const reason = normalizeReason(rawReason, false);
    const current = await deps.repo.sellRequestById(deps.reader, id);
    if (!current || !canCancel(who, current)) throw sellRequestNotFound(id);
    const atLot = (current.status === "IN_INSPECTION" || current.status === "LISTED") && current.vehicleId;
    const held = atLot ? await holds.take(current.vehicleId!, id) : "TAKEN";
    try {
      const t = await deps.transact(async (tx) => {
        const t = await changeSellRequest(
          deps,
          tx,
          id,
          (s) => cancel(s, reason, held === "HELD_BY_BUYER", deps.clock()),
          null,
        );
        await deps.repo.releaseVin(tx, id);
        return t;
      });
      return t.sellRequest;
    } catch (err) {
      // Give the hold back; if that fails too, the refusal the seller sees stays the first error.
      if (atLot && held === "TAKEN")
        await holds
          .release(id)
          .catch((e: Error) =>
            deps.log.error("withdrawal hold not given back", { sellRequestId: id, err: e.message }),
          );
      throw err;
    }
  };
