import { liveSubscription, parseUuid, type LiveEvents } from "@junggo/runtime";
import type { EventEnvelope } from "@junggo/events";
import { asOfEvent, type Consignment, type JobEvent } from "../domain/consignment.ts";
import { canSeeConsignment } from "../domain/visibility.ts";
import type { ConsignmentRepository } from "../app/ports.ts";
import type {
  SubscriptionDeliveryStatusChangedArgs,
  SubscriptionResolvers,
} from "./generated/resolvers.types.ts";
import { toNode } from "./graphql.resolvers.ts";

// ConsignmentEscalated: a job nobody took is offered to the drivers again.
export const CHANGES = [
  "ConsignmentRequested",
  "ConsignmentEscalated",
  "ConsignmentAssigned",
  "ConsignmentPickedUp",
  "ConsignmentDelivered",
  "ConsignmentCancelled",
] as const;

/** `Subscription` resolvers of the consignment context. */
export function consignmentLiveResolvers<Db>(
  live: LiveEvents,
  repo: ConsignmentRepository<Db>,
  db: Db,
): SubscriptionResolvers {
  const watch = liveSubscription<SubscriptionDeliveryStatusChangedArgs, Consignment>({
    live,
    types: CHANGES,
    matches: (event, args) => !args.purchaseId || event.purchaseId === args.purchaseId.toLowerCase(),
    // The job as this event left it (also for who may see it: an open job is every driver's).
    load: async (event) => {
      const c = await repo.findById(db, (event.payload as { consignmentId: string }).consignmentId);
      return c && asOfEvent(c, event as unknown as JobEvent);
    },
    visible: (viewer, c) => canSeeConsignment(c, viewer),
  });
  return {
    deliveryStatusChanged: {
      subscribe: (root, args, ctx) => {
        if (args.purchaseId != null) parseUuid("purchaseId", args.purchaseId);
        return watch.subscribe(root, args, ctx);
      },
      resolve: async (event: EventEnvelope) => {
        const c = await watch.resolve(event);
        // Never null: only events whose job loaded get here (subscribe's filter, the same memoized read).
        return (c && toNode(c))!;
      },
    },
  };
}
