import { liveSubscription, parseUuid, type LiveEvents } from "@junggo/runtime";
import type { EventEnvelope } from "@junggo/events";
import { asOfEvent, canView, type Purchase, type PurchaseEvent } from "../domain/purchase.ts";
import type { PurchaseDeps } from "../app/purchase.infra.ts";
import type {
  SubscriptionPurchaseStatusChangedArgs,
  SubscriptionResolvers,
} from "./generated/resolvers.types.ts";

export const CHANGES = [
  "PurchasePaid",
  "PurchaseDeliveryStarted",
  "PurchaseDelivered",
  "PurchaseCancelled",
  "PurchaseReturnRequested",
  "PurchaseReturned",
  "PaymentRefunded",
] as const;

/** `Subscription` resolvers of the purchase context. */
export function purchaseLiveResolvers(
  live: LiveEvents,
  deps: Pick<PurchaseDeps, "db" | "purchases">,
): SubscriptionResolvers {
  const watch = liveSubscription<SubscriptionPurchaseStatusChangedArgs, Purchase>({
    live,
    types: CHANGES,
    matches: (event, args) => !args.purchaseId || event.purchaseId === args.purchaseId.toLowerCase(),
    // The purchase as this event left it (the nested consignment and payment are read at push time).
    load: async (event) => {
      const p = await deps.purchases.byId(deps.db, event.purchaseId!);
      return p && asOfEvent(p, event as unknown as PurchaseEvent | { type: "PaymentRefunded" });
    },
    visible: canView,
  });
  return {
    purchaseStatusChanged: {
      subscribe: (root, args, ctx) => {
        if (args.purchaseId != null) parseUuid("purchaseId", args.purchaseId);
        return watch.subscribe(root, args, ctx);
      },
      // Only events whose purchase loaded get here (subscribe's filter, the same memoized read).
      resolve: async (event: EventEnvelope) => (await watch.resolve(event))!,
    },
  };
}
