import { appendEvents, type SqlTx } from "@junggo/runtime";
import { newEvent, type EventEnvelope } from "@junggo/events";
import { requestRefund, requestVoid, tombstone } from "../domain/payment.ts";
import type { BillingDeps } from "./ports.ts";

// Saga compensations. They run inside the event's transaction (with its inbox row), so they only
// record the decision; the settlement worker makes the provider call afterwards. Each checks the
// payment's state first: a refund or void is decided at most once.

/** What the compensations use: the payments and the log. */
export type CompensationDeps<Tx extends SqlTx = SqlTx> = Pick<BillingDeps<Tx, unknown>, "payments" | "log">;

/** A cancelled purchase gets its money back. */
export function refundCancelledPurchase<Tx extends SqlTx>(
  tx: Tx,
  event: EventEnvelope<"PurchaseCancelled">,
  deps: CompensationDeps<Tx>,
): Promise<void> {
  return refund(tx, event, "cancelled", deps);
}

/**
 * A returned purchase (the car is back on the lot) gets its money back, through the same refund
 * as a cancellation: a payment already refunded (or being refunded) is not refunded twice.
 */
export function refundReturnedPurchase<Tx extends SqlTx>(
  tx: Tx,
  event: EventEnvelope<"PurchaseReturned">,
  deps: CompensationDeps<Tx>,
): Promise<void> {
  return refund(tx, event, "returned", deps);
}

async function refund<Tx extends SqlTx>(
  tx: Tx,
  event: EventEnvelope<"PurchaseCancelled" | "PurchaseReturned">,
  why: "cancelled" | "returned",
  { payments, log }: CompensationDeps<Tx>,
): Promise<void> {
  const { purchaseId } = event.payload;
  const payment = await payments.byPurchaseId(tx, purchaseId);
  if (!payment) {
    log.error(`${why} purchase has no payment to refund`, { purchaseId, eventId: event.eventId });
    return;
  }
  if (payment.status !== "APPROVED") {
    log.info("refund not needed", { purchaseId, paymentId: payment.id, status: payment.status });
    return;
  }
  await payments.update(tx, requestRefund(payment, event.eventId).payment, payment.status);
  log.info("refund requested", { purchaseId, paymentId: payment.id, why });
}

/**
 * An abandoned purchase request (payment outcome unknown to purchase): void what was taken, or,
 * when nothing was taken yet, leave a VOIDED tombstone (amount 0, PaymentVoided published for
 * the audit trail) so that a charge arriving later under this purchaseId is refused.
 */
export async function voidAbandonedPurchase<Tx extends SqlTx>(
  tx: Tx,
  event: EventEnvelope<"PurchaseAbandoned">,
  { payments, log }: CompensationDeps<Tx>,
): Promise<void> {
  const { purchaseId, buyerId } = event.payload;
  const payment = await payments.byPurchaseId(tx, purchaseId);
  if (!payment) {
    const t = tombstone({
      id: crypto.randomUUID(),
      purchaseId,
      buyerId,
      now: new Date(),
      causationId: event.eventId,
    });
    await payments.insert(tx, t.payment);
    await appendEvents(tx, [
      newEvent(t.event.type, t.event.payload, { producer: "billing", causationId: event.eventId }),
    ]);
    log.info("abandoned purchase blocked before any charge", { purchaseId });
    return;
  }
  if (payment.status !== "APPROVED") {
    log.info("void not needed", { purchaseId, paymentId: payment.id, status: payment.status });
    return;
  }
  await payments.update(tx, requestVoid(payment, event.eventId).payment, payment.status);
  log.info("void requested", { purchaseId, paymentId: payment.id });
}
