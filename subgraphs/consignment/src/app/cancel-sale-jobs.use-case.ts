import { randomUUID } from "node:crypto";
import type { EventEnvelope } from "@junggo/events";
import { appendEvents, type SqlTx } from "@junggo/runtime";
import { cancelledBeforeRequest, cancelSellerPickup, isCancellable } from "../domain/consignment.ts";
import { toEnvelope } from "./events.ts";
import { openJob } from "./open-job.use-case.ts";
import type { ConsignmentDeps } from "./ports.ts";

/**
 * On SellRequestCancelled: the compensations that are consignment's. `cancelPickup` (cancelled
 * before the car left the seller): the SELLER_PICKUP job is called off — with the car already on
 * the road (the cancellation raced the pickup) it goes back to the seller with a SELLER_RETURN job;
 * with no job yet, a CANCELLED tombstone keeps a late SellRequestAccepted from opening one.
 * `returnVehicleId` (the car was at the lot and is withdrawn): a SELLER_RETURN job takes it back.
 * Runs in the consumer's transaction; throwing makes the consumer retry the event later.
 */
export const makeCancelSaleJobs =
  <Tx extends SqlTx>(deps: Pick<ConsignmentDeps<Tx>, "repo" | "clock" | "log">) =>
  async (tx: Tx, cancelled: EventEnvelope<"SellRequestCancelled">): Promise<void> => {
    const { sellRequestId, sellerId, cancelPickup, returnVehicleId } = cancelled.payload;
    if (cancelPickup) await callOffPickup(deps, tx, cancelled);
    if (returnVehicleId) {
      await openJob(
        deps,
        tx,
        { kind: "SELLER_RETURN", sellRequestId, sellerId, vehicleId: returnVehicleId },
        cancelled,
      );
    }
  };

async function callOffPickup<Tx extends SqlTx>(
  deps: Pick<ConsignmentDeps<Tx>, "repo" | "clock" | "log">,
  tx: Tx,
  cancelled: EventEnvelope<"SellRequestCancelled">,
): Promise<void> {
  const { sellRequestId, sellerId, vehicleId } = cancelled.payload;
  const now = deps.clock();
  const current = await deps.repo.findBySellRequest(tx, sellRequestId, "SELLER_PICKUP");
  if (!current) {
    // SellRequestAccepted has not been handled yet (it is being retried). A tombstone needs the car;
    // a producer that does not send it yet makes this event wait for the pickup job instead.
    if (!vehicleId) {
      throw new Error(
        `sell request ${sellRequestId} cancelled before its pickup job exists, and the event names no car; retrying once SellRequestAccepted is handled`,
      );
    }
    const tombstone = cancelledBeforeRequest(
      { id: randomUUID(), kind: "SELLER_PICKUP", sellRequestId, sellerId, vehicleId },
      now,
    );
    if (!(await deps.repo.insertIfAbsent(tx, tombstone.consignment))) {
      throw new Error(
        `pickup job of sell request ${sellRequestId} appeared concurrently; retrying the cancellation`,
      );
    }
    await appendEvents(tx, [toEnvelope(tombstone.event, cancelled.eventId)]);
    deps.log.warn("sale cancelled before its pickup was requested; tombstone stored", {
      sellRequestId,
      eventId: cancelled.eventId,
    });
    return;
  }
  if (!isCancellable(current)) {
    // DELIVERED: the car reached the lot before acquisition saw it; it is stock's and acquisition's
    // to sort out (a delivered pickup cannot be undone here).
    deps.log.warn("SellRequestCancelled: pickup job already finished, nothing to call off", {
      sellRequestId,
      consignmentId: current.id,
      status: current.status,
    });
    return;
  }
  const { cancelled: off, sellerReturn } = cancelSellerPickup(current, randomUUID(), now);
  if (!(await deps.repo.update(tx, off.consignment))) {
    throw new Error(`consignment ${current.id} changed concurrently; retrying the cancellation`);
  }
  const events = [toEnvelope(off.event, cancelled.eventId)];
  // A return job that already exists is taking the car back already: the pickup is still called off.
  if (sellerReturn && (await deps.repo.insertIfAbsent(tx, sellerReturn.consignment)))
    events.push(toEnvelope(sellerReturn.event, cancelled.eventId));
  await appendEvents(tx, events);
  deps.log.info("seller pickup cancelled", {
    consignmentId: current.id,
    sellRequestId,
    previousStatus: current.status,
    sellerReturnId: sellerReturn?.consignment.id ?? null,
  });
}
