import type { EventEnvelope } from "@junggo/events";
import type { Logger } from "@junggo/runtime";
import { applyEvent, isProjected } from "../domain/purchase-view.ts";
import { applySaleEvent, isSaleEvent } from "../domain/sale-view.ts";
import type { PurchaseViewRepository, SaleViewRepository } from "./ports.ts";

/**
 * Folds one event into its purchase's row or its sell request's row (an event is about one or the
 * other). Runs in the consumer's transaction (with the inbox row); throwing makes the consumer
 * retry, which is what a lost concurrent write needs.
 */
export const makeProjectEvent = <Tx>(deps: {
  repo: PurchaseViewRepository<Tx>;
  sales: SaleViewRepository<Tx>;
  log: Logger;
}) => {
  const unchanged = (event: EventEnvelope, key: Record<string, string>) =>
    deps.log.debug("event changes nothing in the dashboard", {
      type: event.type,
      eventId: event.eventId,
      ...key,
    });
  return async (tx: Tx, event: EventEnvelope): Promise<void> => {
    if (isSaleEvent(event)) {
      const { sellRequestId } = event.payload;
      const stored = await deps.sales.find(tx, sellRequestId);
      const next = applySaleEvent(stored?.view ?? null, event);
      if (next === null || next === stored?.view) return unchanged(event, { sellRequestId });
      if (!(await deps.sales.save(tx, next, stored?.version ?? null)))
        throw new Error(`sale view ${sellRequestId} changed concurrently; retrying ${event.type}`);
      return;
    }
    if (!isProjected(event)) return;
    const { purchaseId } = event.payload;
    const stored = await deps.repo.find(tx, purchaseId);
    const next = applyEvent(stored?.view ?? null, event);
    if (next === null || next === stored?.view) return unchanged(event, { purchaseId });
    if (!(await deps.repo.save(tx, next, stored?.version ?? null)))
      throw new Error(`purchase view ${purchaseId} changed concurrently; retrying ${event.type}`);
  };
};
