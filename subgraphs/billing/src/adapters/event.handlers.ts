import type { HandlerMap, Logger } from "@junggo/runtime";
import { refundCancelledPurchase, voidAbandonedPurchase } from "../app/compensate-payment.use-case.ts";
import type { BillingTx } from "../app/billing.infra.ts";

export function billingHandlers(log: Logger): HandlerMap<BillingTx> {
  return {
    PurchaseCancelled: (event, tx) => refundCancelledPurchase(tx, event, log),
    PurchaseAbandoned: (event, tx) => voidAbandonedPurchase(tx, event, log),
  };
}
