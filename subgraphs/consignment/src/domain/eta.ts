// How long a driver needs from accepting a job to arriving at the buyer. A fixed duration for
// now; a smarter estimate (distance, traffic, the driver's queue) can replace this function.

export const DEFAULT_DELIVERY_ETA_MINUTES = 90;

export function estimateDeliveryEta(acceptedAt: Date, etaMinutes: number): Date {
  if (!Number.isFinite(etaMinutes) || etaMinutes <= 0)
    throw new RangeError(`etaMinutes must be a positive number, got ${etaMinutes}`);
  return new Date(acceptedAt.getTime() + etaMinutes * 60_000);
}
