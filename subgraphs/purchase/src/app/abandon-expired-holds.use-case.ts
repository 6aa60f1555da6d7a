import { appendEvents } from "@junggo/runtime";
import { newEvent } from "@junggo/events";
import { abandonment, type VehicleHold } from "../domain/vehicle-hold.ts";
import type { PurchaseDeps } from "./purchase.infra.ts";

/** The PurchaseAbandoned envelope for a hold whose request will never become a purchase. */
export function abandonedEvent(hold: VehicleHold, reason: string) {
  const e = abandonment(hold, reason);
  return newEvent(e.type, e.payload, { producer: "purchase" });
}

/**
 * Frees vehicles held by requests that died midway (process crash between hold and purchase)
 * and tells billing to void whatever such a request may have been charged. Each hold is
 * released in its own transaction; the conditional delete lets one replica win per hold.
 */
export function makeAbandonExpiredHolds(infra: PurchaseDeps) {
  const { holds } = infra;
  return async function abandonExpiredHolds(now = new Date()): Promise<number> {
    const expired = await holds.expired(infra.db, now, 100);
    let abandoned = 0;
    for (const hold of expired) {
      const done = await infra.transact(async (tx) => {
        if (!(await holds.releaseUnconfirmed(tx, hold))) return false;
        await appendEvents(tx, [abandonedEvent(hold, "purchase request expired")]);
        return true;
      });
      if (done) {
        abandoned++;
        infra.log.warn("abandoned an expired purchase request", {
          purchaseId: hold.purchaseId,
          vehicleId: hold.vehicleId,
        });
      }
    }
    return abandoned;
  };
}
