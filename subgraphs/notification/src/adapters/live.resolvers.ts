import { requireViewer, type LiveEvents, type RequestContext } from "@junggo/runtime";
import type { EventEnvelope } from "@junggo/events";
import type { Inbox } from "../app/notifications.query.ts";
import { toNode } from "./graphql.resolvers.ts";

/** `Subscription` resolvers of the notification context. */
export function notificationLiveResolvers(live: LiveEvents, inbox: Inbox) {
  return {
    notificationReceived: {
      // Filtered on the event itself: other people's notifications are never even loaded.
      subscribe: (_root: unknown, _args: unknown, ctx: RequestContext) => {
        const viewer = requireViewer(ctx.viewer);
        return live.subscribe(["NotificationCreated"], (e) => e.payload.recipientId === viewer.id);
      },
      resolve: async (e: EventEnvelope<"NotificationCreated">, _args: unknown, ctx: RequestContext) => {
        const n = await inbox.visible(ctx.viewer, e.payload.notificationId);
        return n && toNode(n);
      },
    },
  };
}
