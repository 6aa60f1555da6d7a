import { appendEvents, type SqlTx } from "@junggo/runtime";
import { newEvent } from "@junggo/events";
import { completeRefund, completeVoid, pendingOperation, type Payment } from "../domain/payment.ts";
import type { PaymentProvider } from "./payment-provider.port.ts";
import type { BillingDeps } from "./ports.ts";

/**
 * Carries out a decided refund or void: the provider call first (outside any transaction, keyed
 * by paymentId so a repeat is harmless), then one transaction records the outcome and its event.
 * The state check in that transaction makes the change happen once even if two replicas race.
 * A provider failure throws; the payment stays pending and is tried again later.
 */
export function makeSettlePayment<Tx extends SqlTx, Db>(
  infra: BillingDeps<Tx, Db>,
  provider: PaymentProvider,
) {
  const { payments } = infra;
  return async function settlePayment(pending: Payment): Promise<void> {
    const op = pendingOperation(pending);
    if (!op) return;
    if (!pending.providerRef) throw new Error(`pending payment ${pending.id} has no provider reference`);
    const req = {
      idempotencyKey: pending.id,
      providerRef: pending.providerRef,
      amountKrw: pending.amountKrw,
    };
    if (op === "REFUND") await provider.refund(req);
    else await provider.void(req);

    await infra.transact(async (tx) => {
      const current = await payments.byId(tx, pending.id);
      if (!current || current.status !== pending.status) return;
      const t = op === "REFUND" ? completeRefund(current, new Date()) : completeVoid(current, new Date());
      if (!(await payments.update(tx, t.payment, current.status))) return;
      await appendEvents(tx, [
        newEvent(t.event.type, t.event.payload, {
          producer: "billing",
          causationId: current.settlementCausationId,
        }),
      ]);
    });
    infra.log.info(op === "REFUND" ? "payment refunded" : "payment voided", {
      paymentId: pending.id,
      purchaseId: pending.purchaseId,
      amountKrw: pending.amountKrw,
    });
  };
}
