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
