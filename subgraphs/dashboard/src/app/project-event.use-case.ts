import type { EventEnvelope } from "@junggo/events";
import type { Logger } from "@junggo/runtime";
import { applyEvent, isProjected } from "../domain/purchase-view.ts";
import type { PurchaseViewRepository } from "./ports.ts";

/**
 * Folds one event into its purchase's row. Runs in the consumer's transaction (with the inbox
 * row); throwing makes the consumer retry, which is what a lost concurrent write needs.
 */
export const makeProjectEvent =
  <Tx>(deps: { repo: PurchaseViewRepository<Tx>; log: Logger }) =>
  async (tx: Tx, event: EventEnvelope): Promise<void> => {
    if (!isProjected(event)) return;
    const stored = await deps.repo.find(tx, event.payload.purchaseId);
    const next = applyEvent(stored?.view ?? null, event);
    if (next === null || next === stored?.view) {
      deps.log.debug("event changes nothing in the dashboard", {
        type: event.type,
        eventId: event.eventId,
        purchaseId: event.payload.purchaseId,
      });
      return;
    }
    if (!(await deps.repo.save(tx, next, stored?.version ?? null))) {
      throw new Error(`purchase view ${next.purchaseId} changed concurrently; retrying ${event.type}`);
    }
  };
