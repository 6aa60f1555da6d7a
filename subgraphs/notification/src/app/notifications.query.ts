import { parsePageSize, requireViewer, type Viewer } from "@junggo/runtime";
import { markRead, notFound, type Notification } from "../domain/notification.ts";
import type { NotificationRepository } from "./ports.ts";

export const MAX_PAGE = 200;

/** `first` for myNotifications: 1 to 200. */
export const parseFirst = (first: unknown): number => parsePageSize("first", first, { max: MAX_PAGE });

/** The viewer's own inbox: nobody, staff included, reads someone else's notifications. */
export function makeInbox<Db>(repo: NotificationRepository<Db>, db: Db, clock: () => Date) {
  return {
    mine: (viewer: Viewer | null, first: number) =>
      repo.listForRecipient(db, requireViewer(viewer).id, first),

    unreadCount: (viewer: Viewer | null) => repo.countUnread(db, requireViewer(viewer).id),

    /** Null for anything that is not the viewer's (entity references). */
    visible: async (viewer: Viewer | null, id: string): Promise<Notification | null> => {
      const n = await repo.findById(db, id);
      return n && viewer && n.recipientId === viewer.id ? n : null;
    },

    /** NOTIFICATION_NOT_FOUND for an unknown id and for someone else's. */
    markRead: async (viewer: Viewer | null, id: string): Promise<Notification> => {
      const v = requireViewer(viewer);
      const current = await repo.findById(db, id);
      if (!current) throw notFound();
      const next = markRead(current, v.id, clock());
      if (next !== current) await repo.saveReadAt(db, id, next.readAt!);
      return next;
    },

    markAllRead: (viewer: Viewer | null) => repo.markAllRead(db, requireViewer(viewer).id, clock()),
  };
}

export type Inbox = ReturnType<typeof makeInbox>;
