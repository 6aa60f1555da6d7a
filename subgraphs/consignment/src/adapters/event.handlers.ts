import type { HandlerMap, SqlTx } from "@junggo/runtime";
import type { EventEnvelope } from "@junggo/events";

export interface ConsignmentEventUseCases<Tx> {
  requestDelivery(tx: Tx, event: EventEnvelope<"PurchasePaid">): Promise<void>;
  cancelDelivery(tx: Tx, event: EventEnvelope<"PurchaseCancelled">): Promise<void>;
  requestReturnPickup(tx: Tx, event: EventEnvelope<"PurchaseReturnRequested">): Promise<void>;
  requestSellerPickup(tx: Tx, event: EventEnvelope<"SellRequestAccepted">): Promise<void>;
  cancelSaleJobs(tx: Tx, event: EventEnvelope<"SellRequestCancelled">): Promise<void>;
}

/** What the consignment context listens to; each runs in one transaction with its inbox row. */
export const consignmentHandlers = <Tx extends SqlTx>(uc: ConsignmentEventUseCases<Tx>): HandlerMap<Tx> => ({
  PurchasePaid: (event, tx) => uc.requestDelivery(tx, event),
  PurchaseCancelled: (event, tx) => uc.cancelDelivery(tx, event),
  PurchaseReturnRequested: (event, tx) => uc.requestReturnPickup(tx, event),
  SellRequestAccepted: (event, tx) => uc.requestSellerPickup(tx, event),
  SellRequestCancelled: (event, tx) => uc.cancelSaleJobs(tx, event),
});
