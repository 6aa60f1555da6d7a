import { liveSubscription, parseUuid, type LiveEvents } from "@junggo/runtime";
import { canView, type Purchase } from "../domain/purchase.ts";
import type { PurchaseDeps } from "../app/purchase.infra.ts";

export const CHANGES = [
  "PurchasePaid",
  "PurchaseDeliveryStarted",
  "PurchaseDelivered",
  "PurchaseCancelled",
  "PaymentRefunded",
] as const;

/** `Subscription` resolvers of the purchase context. */
export function purchaseLiveResolvers(live: LiveEvents, deps: Pick<PurchaseDeps, "db" | "purchases">) {
  const watch = liveSubscription<{ purchaseId?: string | null }, Purchase>({
    live,
    types: CHANGES,
    matches: (event, args) => !args.purchaseId || event.purchaseId === args.purchaseId.toLowerCase(),
    load: (event) => deps.purchases.byId(deps.db, event.purchaseId!),
    visible: canView,
  });
  return {
    purchaseStatusChanged: {
      subscribe: (
        root: unknown,
        args: { purchaseId?: string | null },
        ctx: Parameters<typeof watch.subscribe>[2],
      ) => {
        if (args.purchaseId != null) parseUuid("purchaseId", args.purchaseId);
        return watch.subscribe(root, args, ctx);
      },
      resolve: watch.resolve,
    },
  };
}
