import type { HandlerMap } from "@junggo/runtime";
import {
  refundCancelledPurchase,
  voidAbandonedPurchase,
  type CompensationDeps,
} from "../app/compensate-payment.use-case.ts";
import type { BillingTx } from "../app/billing.infra.ts";

export function billingHandlers(deps: CompensationDeps): HandlerMap<BillingTx> {
  return {
    PurchaseCancelled: (event, tx) => refundCancelledPurchase(tx, event, deps),
    PurchaseAbandoned: (event, tx) => voidAbandonedPurchase(tx, event, deps),
  };
}
