import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper/index.js";
import { isUuid, parseUuid, type RequestContext } from "@junggo/runtime";
import type { Notification } from "../domain/notification.ts";
import { parseFirst, type Inbox } from "../app/notifications.query.ts";

const BAD_ID = "id must be a notification id (a UUID).";

/** GraphQL shape: dates as ISO strings. */
export const toNode = (n: Notification) => ({
  id: n.id,
  message: n.message,
  title: n.title,
  purchaseId: n.purchaseId,
  createdAt: n.createdAt.toISOString(),
  read: n.readAt !== null,
  readAt: n.readAt?.toISOString() ?? null,
  kind: n.kind,
});

export function notificationResolvers(inbox: Inbox): GraphQLResolverMap<RequestContext> {
  return {
    Query: {
      myNotifications: async (_: unknown, args: { first: unknown }, { viewer }: RequestContext) =>
        (await inbox.mine(viewer, parseFirst(args.first))).map(toNode),
      unreadNotificationCount: (_: unknown, _args: unknown, { viewer }: RequestContext) =>
        inbox.unreadCount(viewer),
    },
    Mutation: {
      markNotificationRead: async (_: unknown, args: { id: string }, { viewer }: RequestContext) =>
        toNode(await inbox.markRead(viewer, parseUuid("id", args.id, BAD_ID))),
      markAllNotificationsRead: (_: unknown, _args: unknown, { viewer }: RequestContext) =>
        inbox.markAllRead(viewer),
    },
    Notification: {
      // Same rule as the queries: only the recipient sees it.
      __resolveReference: async (ref: { id: string }, { viewer }: RequestContext) => {
        if (!viewer || !isUuid(ref.id)) return null;
        const n = await inbox.visible(viewer, ref.id.toLowerCase());
        return n && toNode(n);
      },
    },
  };
}
