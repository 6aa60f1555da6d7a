import { liveSubscription, parseUuid, type LiveEvents, type RequestContext } from "@junggo/runtime";
import type { Consignment } from "../domain/consignment.ts";
import { canSeeConsignment } from "../domain/visibility.ts";
import type { ConsignmentRepository } from "../app/ports.ts";
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

type Args = { purchaseId?: string | null };

/** `Subscription` resolvers of the consignment context. */
export function consignmentLiveResolvers<Db>(live: LiveEvents, repo: ConsignmentRepository<Db>, db: Db) {
  const watch = liveSubscription<Args, Consignment>({
    live,
    types: CHANGES,
    matches: (event, args) => !args.purchaseId || event.purchaseId === args.purchaseId.toLowerCase(),
    load: (event) => repo.findById(db, (event.payload as { consignmentId: string }).consignmentId),
    visible: (viewer, c) => canSeeConsignment(c, viewer),
  });
  return {
    deliveryStatusChanged: {
      subscribe: (root: unknown, args: Args, ctx: RequestContext) => {
        if (args.purchaseId != null) parseUuid("purchaseId", args.purchaseId);
        return watch.subscribe(root, args, ctx);
      },
      resolve: async (event: Parameters<typeof watch.resolve>[0]) => {
        const c = await watch.resolve(event);
        return c && toNode(c);
      },
    },
  };
}
