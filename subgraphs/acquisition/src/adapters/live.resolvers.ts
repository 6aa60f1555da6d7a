import { type EventEnvelope, SELL_REQUEST_EVENTS } from "@junggo/events";
import { isUuid, type LiveEvents, liveSubscription, parseUuid } from "@junggo/runtime";
import type { AcquisitionDeps } from "../app/ports.ts";
import { canView, type SellRequest } from "../domain/sell-request.ts";
import type {
  SubscriptionResolvers,
  SubscriptionSellRequestStatusChangedArgs,
} from "./generated/resolvers.types.ts";

/**
 * The events after which a sell request looks different: its own steps, and billing's payout (the
 * `payout` field billing adds to SellRequest) so a seller sees "paid" and "reversed" as they happen.
 */
export const CHANGES = [...SELL_REQUEST_EVENTS, "PayoutPaid", "PayoutReversed"] as const;

/** `Subscription` resolvers of the acquisition context: SELLER their own sell requests, STAFF all. */
export function acquisitionLiveResolvers(
  live: LiveEvents,
  deps: Pick<AcquisitionDeps, "repo" | "reader">,
): SubscriptionResolvers {
  const watch = liveSubscription<SubscriptionSellRequestStatusChangedArgs, SellRequest>({
    live,
    types: CHANGES,
    matches: (event, args) => !args.sellRequestId || event.sellRequestId === args.sellRequestId.toLowerCase(),
    load: (event) =>
      event.sellRequestId && isUuid(event.sellRequestId)
        ? deps.repo.sellRequestById(deps.reader, event.sellRequestId)
        : Promise.resolve(null),
    visible: canView,
  });
  return {
    sellRequestStatusChanged: {
      subscribe: (root, args, ctx) => {
        if (args.sellRequestId != null) parseUuid("sellRequestId", args.sellRequestId);
        return watch.subscribe(root, args, ctx);
      },
      // Only events whose sell request loaded get here (subscribe's filter, the same memoized read).
      resolve: async (event: EventEnvelope) => (await watch.resolve(event))!,
    },
  };
}
