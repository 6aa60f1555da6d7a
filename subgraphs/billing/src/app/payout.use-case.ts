import { appendEvents, type Logger, type SqlTx } from "@junggo/runtime";
import { newEvent, type EventEnvelope } from "@junggo/events";
import { blockBeforePayout, pay, type PayoutEvent, reverse, validAmount } from "../domain/payout.ts";
import type { PaymentProvider } from "./payment-provider.port.ts";
import type { PayoutRepository } from "./ports.ts";

// The seller's payout, driven by the acquisition saga. Unlike refunds (decided in the event's
// transaction, settled later by a worker) the provider call runs inside the event's transaction:
// a provider failure throws, the transaction (inbox row included) rolls back and the consumer
// retries the event, so a payout is never lost. The provider's idempotency key (the sellRequestId)
// makes a retry after a lost commit reuse the payout that already reached the provider. Billing
// runs as one replica and its consumer handles events one after another, so no second attempt for
// the same sell request runs at the same time.

export interface PayoutDeps<Tx extends SqlTx = SqlTx> {
  payouts: PayoutRepository<Tx, unknown>;
  provider: Pick<PaymentProvider, "payout" | "reversePayout">;
  log: Logger;
  now?: () => Date;
}

const emit = <Tx extends SqlTx>(tx: Tx, e: PayoutEvent, causationId: string) =>
  appendEvents(tx, [newEvent(e.type, e.payload, { producer: "billing", causationId })]);

/** SellRequestAccepted: pay the seller the offer, once per sell request → PayoutPaid. */
export async function payOutAcceptedSellRequest<Tx extends SqlTx>(
  tx: Tx,
  event: EventEnvelope<"SellRequestAccepted">,
  deps: PayoutDeps<Tx>,
): Promise<void> {
  const { sellRequestId, sellerId, offerKrw } = event.payload;
  const existing = await deps.payouts.bySellRequestId(tx, sellRequestId);
  if (existing) {
    // PAID: a repeated acceptance. REVERSED: the seller cancelled first (a tombstone): pay nothing.
    deps.log.info(
      existing.status === "PAID" ? "payout already made" : "sell request cancelled before its payout",
      {
        sellRequestId,
        payoutId: existing.id,
        status: existing.status,
      },
    );
    return;
  }
  validAmount(offerKrw, 1); // before any money moves
  const { providerRef } = await deps.provider.payout({
    idempotencyKey: sellRequestId,
    sellerId,
    amountKrw: offerKrw,
  });
  const t = pay({
    id: crypto.randomUUID(),
    sellRequestId,
    sellerId,
    amountKrw: offerKrw,
    providerRef,
    now: deps.now?.() ?? new Date(),
  });
  if (!(await deps.payouts.insert(tx, t.payout)))
    throw new Error(`payout of sell request ${sellRequestId} changed concurrently`);
  await emit(tx, t.event, event.eventId);
  deps.log.info("seller paid out", { sellRequestId, payoutId: t.payout.id, amountKrw: offerKrw });
}

/**
 * SellRequestCancelled with reversePayout: take the payout back → PayoutReversed. With no payout
 * yet, a REVERSED tombstone (after asking the provider to take back anything paid under the key)
 * keeps a later or redelivered acceptance from paying.
 */
export async function reverseCancelledSellRequestPayout<Tx extends SqlTx>(
  tx: Tx,
  event: EventEnvelope<"SellRequestCancelled">,
  deps: PayoutDeps<Tx>,
): Promise<void> {
  const { sellRequestId, sellerId, reversePayout } = event.payload;
  if (!reversePayout) return;
  const existing = await deps.payouts.bySellRequestId(tx, sellRequestId);
  if (existing?.status === "REVERSED") {
    deps.log.info("payout already reversed", { sellRequestId, payoutId: existing.id });
    return;
  }
  const { reversedAmountKrw } = await deps.provider.reversePayout({
    idempotencyKey: sellRequestId,
    payoutKey: sellRequestId,
  });
  const now = deps.now?.() ?? new Date();
  if (existing) {
    const t = reverse(existing, now);
    if (!(await deps.payouts.update(tx, t.payout, existing.status)))
      throw new Error(`payout ${existing.id} changed concurrently`);
    if (reversedAmountKrw !== existing.amountKrw)
      deps.log.warn("provider reversed another amount than the payout's", {
        sellRequestId,
        payoutId: existing.id,
        amountKrw: existing.amountKrw,
        reversedAmountKrw,
      });
    await emit(tx, t.event, event.eventId);
    deps.log.info("payout reversed", { sellRequestId, payoutId: existing.id, amountKrw: existing.amountKrw });
    return;
  }
  const t = blockBeforePayout({ id: crypto.randomUUID(), sellRequestId, sellerId, reversedAmountKrw, now });
  if (!(await deps.payouts.insert(tx, t.payout)))
    throw new Error(`payout of sell request ${sellRequestId} changed concurrently`);
  await emit(tx, t.event, event.eventId);
  deps.log.info("sell request cancelled before its payout; blocked", { sellRequestId, reversedAmountKrw });
}
