import { appendEvents, DomainError } from "@junggo/runtime";
import { newEvent, type EventEnvelope } from "@junggo/events";
import {
  completeReturn,
  deliver,
  startDelivery,
  type Purchase,
  type Transition,
} from "../domain/purchase.ts";
import type { PurchaseDeps, PurchaseTx } from "./purchase.infra.ts";

// The purchase follows its delivery consignment, and the RETURN_PICKUP job of a return. Handlers
// run in the event's transaction (with its inbox row). An event that no longer applies (cancelled
// purchase, stale or repeated state) is logged and acknowledged, never applied twice.

/** What delivery tracking uses: the purchases, the vehicle holds (a return frees its car) and the log. */
export type DeliveryDeps = Pick<PurchaseDeps, "purchases" | "holds" | "log">;

/** Remembers the assigned driver: that driver may then see the purchase. */
export async function recordDriver(
  tx: PurchaseTx,
  event: EventEnvelope<"ConsignmentAssigned">,
  { purchases, log }: DeliveryDeps,
): Promise<void> {
  const { purchaseId, driverId, kind } = event.payload;
  if (kind !== "DELIVERY" || purchaseId === null) return;
  const p = await purchases.lockById(tx, purchaseId);
  if (!p || p.status === "CANCELLED") {
    log.info("driver assignment ignored", { purchaseId, driverId, status: p?.status ?? "unknown" });
    return;
  }
  await purchases.save(tx, { ...p, driverId });
}

async function apply(
  tx: PurchaseTx,
  event: EventEnvelope,
  purchaseId: string,
  step: (p: Purchase) => Transition,
  { purchases, log }: DeliveryDeps,
): Promise<Transition | null> {
  const p = await purchases.lockById(tx, purchaseId);
  if (!p) {
    log.warn("delivery event for an unknown purchase ignored", {
      type: event.type,
      purchaseId,
      eventId: event.eventId,
    });
    return null;
  }
  let t: Transition;
  try {
    t = step(p);
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    log.info("delivery event does not apply, ignored", { type: event.type, purchaseId, status: p.status });
    return null;
  }
  await purchases.save(tx, t.purchase);
  await appendEvents(tx, [
    newEvent(t.event.type, t.event.payload, { producer: "purchase", causationId: event.eventId }),
  ]);
  return t;
}

/** The driver picked the car up: the purchase is being delivered (a RETURN_PICKUP's pickup changes nothing). */
export const onPickedUp = async (
  tx: PurchaseTx,
  event: EventEnvelope<"ConsignmentPickedUp">,
  deps: DeliveryDeps,
) => {
  const { kind, purchaseId } = event.payload;
  if (kind === "DELIVERY" && purchaseId !== null)
    await apply(tx, event, purchaseId, (p) => startDelivery(p, new Date()), deps);
};

/**
 * DELIVERY: the car was handed over to its buyer. RETURN_PICKUP: the returned car is back on the
 * lot: RETURNED with PurchaseReturned (billing refunds, stock makes the car AVAILABLE), and in the
 * same transaction the purchase's hold on the car is released so that it can be bought again.
 */
export const onDelivered = async (
  tx: PurchaseTx,
  event: EventEnvelope<"ConsignmentDelivered">,
  deps: DeliveryDeps,
) => {
  const { kind, purchaseId } = event.payload;
  if (purchaseId === null) return;
  if (kind === "DELIVERY") await apply(tx, event, purchaseId, (p) => deliver(p, new Date()), deps);
  if (kind === "RETURN_PICKUP") {
    const t = await apply(tx, event, purchaseId, (p) => completeReturn(p, new Date()), deps);
    if (t && !(await deps.holds.release(tx, { vehicleId: t.purchase.vehicleId, purchaseId }))) {
      deps.log.warn("returned purchase held no vehicle", { purchaseId, vehicleId: t.purchase.vehicleId });
    }
  }
};
