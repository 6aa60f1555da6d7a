import { appendEvents, DomainError, type Viewer } from "@junggo/runtime";
import { newEvent } from "@junggo/events";
import { canReturn, DEFAULT_RETURN_WINDOW_MS, type Purchase, requestReturn } from "../domain/purchase.ts";
import type { PurchaseDeps } from "./purchase.infra.ts";

/**
 * The buyer sends a delivered car back within the return window (measured from deliveredAt).
 * One transaction: the purchase RETURN_REQUESTED and PurchaseReturnRequested appended, which
 * makes consignment offer a RETURN_PICKUP job. The car stays held by this purchase until it is
 * back on the lot (completeReturn). `reason` comes from `parseReturnReason`.
 */
export function makeRequestReturn(infra: PurchaseDeps, opts: { windowMs?: number; now?: () => Date } = {}) {
  const { purchases } = infra;
  const windowMs = opts.windowMs ?? DEFAULT_RETURN_WINDOW_MS;
  const now = opts.now ?? (() => new Date());
  return (viewer: Viewer, id: string, reason: string): Promise<Purchase> =>
    infra.transact(async (tx) => {
      const p = await purchases.lockById(tx, id);
      if (!p) throw new DomainError("PURCHASE_NOT_FOUND", "There is no purchase with this id.");
      if (!canReturn(viewer, p))
        throw new DomainError("FORBIDDEN", "Only the buyer of this purchase can return the car.");
      const t = requestReturn(p, reason, now(), windowMs);
      await purchases.save(tx, t.purchase);
      await appendEvents(tx, [newEvent(t.event.type, t.event.payload, { producer: "purchase" })]);
      infra.log.info("return requested", { purchaseId: id, vehicleId: p.vehicleId, by: viewer.id });
      return t.purchase;
    });
}
