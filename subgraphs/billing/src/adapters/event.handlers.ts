import type { HandlerMap, SqlTx } from "@junggo/runtime";
import {
  refundCancelledPurchase,
  refundReturnedPurchase,
  voidAbandonedPurchase,
  type CompensationDeps,
} from "../app/compensate-payment.use-case.ts";
import {
  payOutAcceptedSellRequest,
  type PayoutDeps,
  reverseCancelledSellRequestPayout,
} from "../app/payout.use-case.ts";

export function billingHandlers(deps: CompensationDeps, payouts: PayoutDeps): HandlerMap<SqlTx> {
  return {
    PurchaseCancelled: (event, tx) => refundCancelledPurchase(tx, event, deps),
    PurchaseAbandoned: (event, tx) => voidAbandonedPurchase(tx, event, deps),
    PurchaseReturned: (event, tx) => refundReturnedPurchase(tx, event, deps),
    SellRequestAccepted: (event, tx) => payOutAcceptedSellRequest(tx, event, payouts),
    SellRequestCancelled: (event, tx) => reverseCancelledSellRequestPayout(tx, event, payouts),
  };
}
