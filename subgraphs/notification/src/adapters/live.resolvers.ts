import { requireViewer, type LiveEvents, type RequestContext } from "@junggo/runtime";
import type { EventEnvelope } from "@junggo/events";
import type { Inbox } from "../app/notifications.query.ts";
import type { SubscriptionResolvers } from "./generated/resolvers.types.ts";
import { toNode } from "./graphql.resolvers.ts";

/** Event types followed live (core NATS subjects; the NATS user may subscribe to these alone). */
export const CHANGES = ["NotificationCreated"] as const;

/** `Subscription` resolvers of the notification context. */
export function notificationLiveResolvers(live: LiveEvents, inbox: Inbox): SubscriptionResolvers {
  return {
    notificationReceived: {
      // Filtered on the event itself: other people's notifications are never even loaded.
      subscribe: (_root, _args, ctx) => {
        const viewer = requireViewer(ctx.viewer);
        return live.subscribe(CHANGES, (e) => e.payload.recipientId === viewer.id);
      },
      // Typed by hand: the generated type of `resolve` is a union TypeScript cannot infer parameters from.
      resolve: async (e: EventEnvelope<"NotificationCreated">, _args: unknown, ctx: RequestContext) => {
        const n = await inbox.visible(ctx.viewer, e.payload.notificationId);
        // Its recipient, after it was written: found. Were it gone, GraphQL reports the null (non-null field).
        return (n && toNode(n))!;
      },
    },
  };
}
