import { appendEvents, DomainError, type Viewer } from "@junggo/runtime";
import { newEvent } from "@junggo/events";
import { cancel, canCancel, type Purchase } from "../domain/purchase.ts";
import type { PurchaseDeps } from "./purchase.infra.ts";

/**
 * The buyer (or staff) cancels before delivery. One transaction: CANCELLED, the vehicle's hold
 * released (it may be bought again once stock releases it), PurchaseCancelled appended — which
 * starts the compensations: refund, consignment cancelled, vehicle back in stock.
 */
export function makeCancelPurchase(infra: PurchaseDeps) {
  const { purchases, holds } = infra;
  return (viewer: Viewer, id: string, reason: string | null): Promise<Purchase> =>
    infra.transact(async (tx) => {
      const p = await purchases.lockById(tx, id);
      if (!p) throw new DomainError("PURCHASE_NOT_FOUND", "There is no purchase with this id.");
      if (!canCancel(viewer, p))
        throw new DomainError("FORBIDDEN", "Only the buyer or staff can cancel this purchase.");
      const t = cancel(p, reason, new Date());
      await purchases.save(tx, t.purchase);
      await holds.release(tx, { vehicleId: p.vehicleId, purchaseId: p.id });
      await appendEvents(tx, [newEvent(t.event.type, t.event.payload, { producer: "purchase" })]);
      infra.log.info("purchase cancelled", { purchaseId: id, previousStatus: p.status, by: viewer.id });
      return t.purchase;
    });
}
