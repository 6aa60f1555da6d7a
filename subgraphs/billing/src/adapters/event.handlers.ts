import type { HandlerMap, SqlTx } from "@junggo/runtime";
import {
  refundCancelledPurchase,
  voidAbandonedPurchase,
  type CompensationDeps,
} from "../app/compensate-payment.use-case.ts";

export function billingHandlers(deps: CompensationDeps): HandlerMap<SqlTx> {
  return {
    PurchaseCancelled: (event, tx) => refundCancelledPurchase(tx, event, deps),
    PurchaseAbandoned: (event, tx) => voidAbandonedPurchase(tx, event, deps),
  };
}
