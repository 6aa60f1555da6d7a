import type { EventEnvelope } from "@junggo/events";
import { decideHold, type HoldClaim, type HoldKind, workshopHolder } from "../domain/vehicle-hold.ts";
import type { PurchaseDeps, PurchaseTx } from "./purchase.infra.ts";

// Purchase is the one arbiter of who holds a car: buyers (requestPurchase), the workshop
// (maintenance's REPAIR holds, the INSPECTION of a car bought from a seller) and a seller taking
// the car back (acquisition's WITHDRAWAL). One row per car, so two claims never both win.

export type HoldAnswer =
  | { taken: true }
  | { taken: false; heldBy: HoldKind }
  | { taken: false; notFound: true }
  /** This holder already holds another car (a holder id names one car). */
  | { taken: false; holderBusy: string };

/** Decides and writes one claim on a car inside `tx`; retries when a racing claim changed the row meanwhile. */
async function claimIn(
  tx: PurchaseTx,
  claim: HoldClaim,
  { holds }: Pick<PurchaseDeps, "holds">,
): Promise<HoldAnswer & { replaced?: HoldClaim }> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const current = await holds.lockClaim(tx, claim.vehicleId);
    const d = decideHold(current, claim);
    switch (d.decision) {
      case "already":
        return { taken: true };
      case "refuse":
        return { taken: false, heldBy: d.heldBy };
      case "replace":
        await holds.replace(tx, claim);
        return { taken: true, replaced: d.replaced };
      case "take":
        // Nothing to lock while the car is free: the insert decides, a lost race looks again.
        if (await holds.tryClaim(tx, claim)) return { taken: true };
    }
  }
  throw new Error(`hold of vehicle ${claim.vehicleId} kept changing under claim ${claim.kind}`);
}

/** The internal holds API: another context claims a car for its holder, or gives its claim back. */
export function makeVehicleHolds(deps: Pick<PurchaseDeps, "db" | "transact" | "holds" | "vehicles" | "log">) {
  return {
    /** Idempotent for the same kind and holder. */
    async take(claim: HoldClaim): Promise<HoldAnswer> {
      if (!(await deps.vehicles.byId(deps.db, claim.vehicleId))) return { taken: false, notFound: true };
      const mine = await deps.holds.byHolder(deps.db, claim.kind, claim.holderId);
      if (mine && mine.vehicleId !== claim.vehicleId) return { taken: false, holderBusy: mine.vehicleId };
      const answer = await deps.transact((tx) => claimIn(tx, claim, deps));
      if ("replaced" in answer && answer.replaced)
        deps.log.info("hold replaced", { ...claim, replacedKind: answer.replaced.kind });
      return answer;
    },

    /** Gives the holder's hold back; true when there was one (a second call finds nothing). */
    async release(kind: HoldKind, holderId: string): Promise<boolean> {
      const mine = await deps.holds.byHolder(deps.db, kind, holderId);
      if (!mine) return false;
      return deps.transact((tx) => deps.holds.release(tx, mine));
    },
  };
}

export type VehicleHolds = ReturnType<typeof makeVehicleHolds>;

/**
 * A car bought from a seller reached the lot (stock registered it IN_REPAIR): it is held for its
 * inspection by the sell request until the inspection completes. Runs in the consumer's
 * transaction; a redelivery finds its own hold and changes nothing.
 */
export async function holdForInspection(
  tx: PurchaseTx,
  event: EventEnvelope<"VehicleRegistered">,
  deps: Pick<PurchaseDeps, "holds" | "log">,
): Promise<void> {
  const { vehicleId, status, sellRequestId } = event.payload;
  if (status !== "IN_REPAIR" || !sellRequestId) return;
  const answer = await claimIn(tx, { vehicleId, kind: "INSPECTION", holderId: sellRequestId }, deps);
  if (!answer.taken)
    deps.log.warn("inspection hold refused: the car is held already", {
      vehicleId,
      sellRequestId,
      ...answer,
    });
}

/**
 * A repair order completed with outcome DONE: its car is for sale again. WITHDRAWN orders leave
 * the hold alone (the seller's WITHDRAWAL replaced it and keeps the car out of sale).
 */
export async function releaseWorkshopHold(
  tx: PurchaseTx,
  event: EventEnvelope<"RepairOrderCompleted">,
  deps: Pick<PurchaseDeps, "holds" | "log">,
): Promise<void> {
  const { vehicleId, outcome } = event.payload;
  if (outcome !== "DONE") return;
  const holder = workshopHolder(event.payload);
  if (!holder) {
    deps.log.warn("inspection without a sell request: no hold to release", { ...event.payload });
    return;
  }
  await deps.holds.release(tx, { vehicleId, ...holder });
}
