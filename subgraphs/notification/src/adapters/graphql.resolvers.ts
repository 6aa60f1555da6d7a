import { isUuid, parseUuid } from "@junggo/runtime";
import type { Notification } from "../domain/notification.ts";
import { parseFirst, type Inbox } from "../app/notifications.query.ts";
import type { Notification as NotificationNode, Resolvers } from "./generated/resolvers.types.ts";

const BAD_ID = "id must be a notification id (a UUID).";

/** GraphQL shape: dates as ISO strings. */
export const toNode = (n: Notification): NotificationNode => ({
  id: n.id,
  message: n.message,
  title: n.title,
  purchaseId: n.purchaseId,
  sellRequestId: n.sellRequestId,
  createdAt: n.createdAt.toISOString(),
  read: n.readAt !== null,
  readAt: n.readAt?.toISOString() ?? null,
  kind: n.kind,
});

export function notificationResolvers(inbox: Inbox): Resolvers {
  return {
    Query: {
      myNotifications: async (_, args, { viewer }) =>
        (await inbox.mine(viewer, parseFirst(args.first))).map(toNode),
      unreadNotificationCount: (_, _args, { viewer }) => inbox.unreadCount(viewer),
    },
    Mutation: {
      markNotificationRead: async (_, args, { viewer }) =>
        toNode(await inbox.markRead(viewer, parseUuid("id", args.id, BAD_ID))),
      markAllNotificationsRead: (_, _args, { viewer }) => inbox.markAllRead(viewer),
    },
    Notification: {
      // Same rule as the queries: only the recipient sees it.
      __resolveReference: async (ref, { viewer }) => {
        if (!viewer || !isUuid(ref.id)) return null;
        const n = await inbox.visible(viewer, ref.id.toLowerCase());
        return n && toNode(n);
      },
    },
  };
}
