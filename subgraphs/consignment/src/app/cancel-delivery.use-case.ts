import { randomUUID } from "node:crypto";
import type { EventEnvelope } from "@junggo/events";
import { appendEvents, type SqlTx } from "@junggo/runtime";
import { cancel, cancelledBeforeRequest, isCancellable } from "../domain/consignment.ts";
import { toEnvelope } from "./events.ts";
import type { ConsignmentDeps } from "./ports.ts";

/**
 * On PurchaseCancelled: call the delivery off (a car on the road comes back to the lot). Runs in
 * the consumer's transaction; throwing makes the consumer retry the event later.
 */
export const makeCancelDelivery =
  <Tx extends SqlTx>(deps: Pick<ConsignmentDeps<Tx>, "repo" | "clock" | "log">) =>
  async (tx: Tx, cancelled: EventEnvelope<"PurchaseCancelled">): Promise<void> => {
    const { purchaseId, vehicleId, buyerId } = cancelled.payload;
    const now = deps.clock();
    const current = await deps.repo.findByPurchase(tx, purchaseId, "DELIVERY");
    if (!current) {
      // PurchasePaid has not been handled yet (it is being retried): leave a CANCELLED tombstone
      // so it can never open a job for this purchase.
      const tombstone = cancelledBeforeRequest({ id: randomUUID(), purchaseId, vehicleId, buyerId }, now);
      if (!(await deps.repo.insertIfAbsent(tx, tombstone.consignment))) {
        throw new Error(
          `delivery job of purchase ${purchaseId} appeared concurrently; retrying the cancellation`,
        );
      }
      await appendEvents(tx, [toEnvelope(tombstone.event, cancelled.eventId)]);
      deps.log.warn("purchase cancelled before its delivery was requested; tombstone stored", {
        purchaseId,
        eventId: cancelled.eventId,
      });
      return;
    }
    if (!isCancellable(current)) {
      deps.log.info("PurchaseCancelled ignored: delivery job already finished", {
        purchaseId,
        consignmentId: current.id,
        status: current.status,
      });
      return;
    }
    const { consignment, event } = cancel(current, now);
    if (!(await deps.repo.update(tx, consignment))) {
      throw new Error(`consignment ${current.id} changed concurrently; retrying the cancellation`);
    }
    await appendEvents(tx, [toEnvelope(event, cancelled.eventId)]);
    deps.log.info("delivery cancelled", {
      consignmentId: consignment.id,
      purchaseId,
      returnToLot: consignment.returnToLot,
    });
  };
