import { appendEvents, type SqlTx } from "@junggo/runtime";
import { newEvent } from "@junggo/events";
import { approve, catchLateCharge, isTombstone, type Payment } from "../domain/payment.ts";
import {
  type ChargeOutcome,
  ProviderUnavailableError,
  type PaymentProvider,
} from "./payment-provider.port.ts";
import { type BillingDeps, PurchaseIdTaken } from "./ports.ts";

export interface ChargeCommand {
  purchaseId: string;
  buyerId: string;
  amountKrw: number;
}

export type ChargeResult =
  | { kind: "approved"; payment: Payment }
  | { kind: "declined"; message: string }
  /** The purchase request was abandoned: this purchaseId may never be charged. */
  | { kind: "voided" }
  /** The purchaseId was already used for a different charge. */
  | { kind: "conflict"; message: string }
  | { kind: "unavailable"; message: string };

/**
 * Synchronous charge, idempotent by purchaseId: the same purchaseId returns the first payment
 * and never charges twice. The provider call happens before (never inside) the transaction;
 * the provider's idempotency key makes a concurrent duplicate reuse the same charge, and the
 * unique index on purchaseId lets only one row in.
 */
export function makeChargePayment<Tx extends SqlTx, Db>(
  infra: BillingDeps<Tx, Db>,
  provider: PaymentProvider,
) {
  const { payments } = infra;
  const replay = (existing: Payment, cmd: ChargeCommand): ChargeResult => {
    if (existing.status === "VOIDED" || existing.status === "VOID_PENDING") return { kind: "voided" };
    if (existing.buyerId !== cmd.buyerId || existing.amountKrw !== cmd.amountKrw) {
      return {
        kind: "conflict",
        message: "This purchaseId was already charged with a different buyer or amount.",
      };
    }
    return { kind: "approved", payment: existing };
  };

  return async function chargePayment(cmd: ChargeCommand): Promise<ChargeResult> {
    const existing = await payments.byPurchaseId(infra.db, cmd.purchaseId);
    if (existing) return replay(existing, cmd);

    let charged: ChargeOutcome;
    try {
      charged = await provider.charge({
        idempotencyKey: cmd.purchaseId,
        buyerId: cmd.buyerId,
        amountKrw: cmd.amountKrw,
      });
    } catch (err) {
      if (err instanceof ProviderUnavailableError) {
        infra.log.warn("payment provider unavailable", { purchaseId: cmd.purchaseId, err: err.message });
        return { kind: "unavailable", message: "The payment provider is unavailable." };
      }
      throw err;
    }
    if (charged.outcome === "DECLINED") {
      infra.log.info("payment declined", { purchaseId: cmd.purchaseId, reason: charged.reason });
      return { kind: "declined", message: `Payment declined: ${charged.reason}.` };
    }

    const t = approve({ id: crypto.randomUUID(), ...cmd, providerRef: charged.providerRef, now: new Date() });
    try {
      await infra.transact(async (tx) => {
        await payments.insert(tx, t.payment);
        await appendEvents(tx, [newEvent(t.event.type, t.event.payload, { producer: "billing" })]);
      });
      infra.log.info("payment approved", {
        purchaseId: cmd.purchaseId,
        paymentId: t.payment.id,
        amountKrw: cmd.amountKrw,
      });
      return { kind: "approved", payment: t.payment };
    } catch (err) {
      if (!(err instanceof PurchaseIdTaken)) throw err;
    }

    // Lost a race for the purchaseId: either a concurrent identical request (same provider
    // charge, thanks to the key) or the tombstone of an abandoned request, which takes this
    // charge over so that the settlement worker voids it at the provider.
    return infra.transact(async (tx): Promise<ChargeResult> => {
      const current = await payments.byPurchaseId(tx, cmd.purchaseId);
      if (!current) throw new Error(`payment for purchase ${cmd.purchaseId} vanished`);
      if (isTombstone(current)) {
        const caught = catchLateCharge(current, {
          providerRef: charged.providerRef,
          amountKrw: cmd.amountKrw,
        });
        // A false result means a concurrent late charge (same provider charge) got there first.
        await payments.update(tx, caught.payment, current.status);
        infra.log.warn("late charge for an abandoned purchase, voiding it", {
          purchaseId: cmd.purchaseId,
          paymentId: current.id,
        });
        return { kind: "voided" };
      }
      return replay(current, cmd);
    });
  };
}
