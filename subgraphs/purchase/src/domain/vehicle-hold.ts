import type { EventPayloads } from "@junggo/events";

/**
 * A vehicle's claim by one purchase request. While `expiresAt` is set the payment is in flight;
 * once the purchase exists it is cleared and the hold marks the vehicle's live purchase until
 * the purchase is cancelled. The TTL is far above the longest charge attempt (timeouts and
 * retries take about 2 s), so an expired, unconfirmed hold means the request died midway.
 */
export interface VehicleHold {
  vehicleId: string;
  purchaseId: string;
  buyerId: string;
  expiresAt: Date | null;
}

export const HOLD_TTL_MS = 2 * 60_000;

/** `ttlMs` must stay far above the longest charge attempt, or live requests would be taken for dead ones. */
export const newHold = (input: {
  vehicleId: string;
  purchaseId: string;
  buyerId: string;
  now: Date;
  ttlMs?: number;
}): VehicleHold => {
  const ttlMs = input.ttlMs ?? HOLD_TTL_MS;
  if (!Number.isInteger(ttlMs) || ttlMs <= 0)
    throw new RangeError(`hold TTL must be a positive number of ms, got ${ttlMs}`);
  return {
    vehicleId: input.vehicleId,
    purchaseId: input.purchaseId,
    buyerId: input.buyerId,
    expiresAt: new Date(input.now.getTime() + ttlMs),
  };
};

/** The request behind the hold died before its purchase was created. */
export const isAbandoned = (h: VehicleHold, now: Date) =>
  h.expiresAt !== null && h.expiresAt.getTime() <= now.getTime();

/** Announces that no purchase will exist for the hold's purchaseId: billing voids whatever it took. */
export const abandonment = (
  h: VehicleHold,
  reason: string,
): { type: "PurchaseAbandoned"; payload: EventPayloads["PurchaseAbandoned"] } => ({
  type: "PurchaseAbandoned",
  payload: { purchaseId: h.purchaseId, vehicleId: h.vehicleId, buyerId: h.buyerId, reason },
});

// ---------------------------------------------------------------------------------------------
// The hold arbiter: purchase decides who holds a car, for buyers and for everyone else.

/**
 * PURCHASE: a buyer's purchase (holder: purchaseId). REPAIR: staff sent the car to the workshop
 * (holder: repairOrderId). INSPECTION: a car bought from a seller is inspected on the lot
 * (holder: sellRequestId). WITHDRAWAL: the seller takes the car back (holder: sellRequestId).
 */
export type HoldKind = "PURCHASE" | "REPAIR" | "INSPECTION" | "WITHDRAWAL";
export const HOLD_KINDS: readonly HoldKind[] = ["PURCHASE", "REPAIR", "INSPECTION", "WITHDRAWAL"];

/** Any hold on a car: who holds it and why. */
export interface HoldClaim {
  vehicleId: string;
  kind: HoldKind;
  holderId: string;
}

export type HoldDecision =
  /** The car is free: the claim takes it. */
  | { decision: "take" }
  /** The same kind and holder already hold it (a retried call): nothing changes. */
  | { decision: "already" }
  /** The claim replaces the current hold (the seller takes the car back out of the workshop). */
  | { decision: "replace"; replaced: HoldClaim }
  /** Someone else holds the car. */
  | { decision: "refuse"; heldBy: HoldKind };

/**
 * Whether `claim` may hold the car now that `current` holds it (null: nobody). One holder per car:
 * a WITHDRAWAL replaces the workshop's hold (INSPECTION or REPAIR: the seller takes the car back
 * while it is being looked at) but never a buyer's; every other claim is refused by any hold
 * (a REPAIR never displaces anyone, a PURCHASE needs a free car).
 */
export function decideHold(current: HoldClaim | null, claim: HoldClaim): HoldDecision {
  if (current === null) return { decision: "take" };
  if (current.kind === claim.kind && current.holderId === claim.holderId) return { decision: "already" };
  if (claim.kind === "WITHDRAWAL" && (current.kind === "INSPECTION" || current.kind === "REPAIR"))
    return { decision: "replace", replaced: current };
  return { decision: "refuse", heldBy: current.kind };
}

/** The hold a completed repair order gives back: an inspection is held by its sell request, a repair by itself. */
export const workshopHolder = (order: {
  kind: "REPAIR" | "INSPECTION";
  repairOrderId: string;
  sellRequestId: string | null;
}): { kind: HoldKind; holderId: string } | null =>
  order.kind === "INSPECTION"
    ? order.sellRequestId
      ? { kind: "INSPECTION", holderId: order.sellRequestId }
      : null
    : { kind: "REPAIR", holderId: order.repairOrderId };
