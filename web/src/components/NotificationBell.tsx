// The in-app inbox: unread badge, a dropdown list, mark one or all read; new notifications arrive
// live through `notificationReceived`.
import { useApolloClient, useMutation, useQuery, useSubscription } from "@apollo/client/react";
import { useEffect, useRef, useState } from "react";
import { formatDateTime } from "../format.ts";
import { MARK_ALL_READ, MARK_READ, NOTIFICATION_RECEIVED, NOTIFICATIONS } from "../graphql.ts";

function BellIcon() {
  return (
    <svg
      width="20"
      height="20"
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth="2"
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden
    >
      <path d="M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9" />
      <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" />
    </svg>
  );
}

export function NotificationBell() {
  const client = useApolloClient();
  const [open, setOpen] = useState(false);
  const [flash, setFlash] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  const { data, error } = useQuery(NOTIFICATIONS, { fetchPolicy: "cache-and-network" });
  const [markRead] = useMutation(MARK_READ, { refetchQueries: [NOTIFICATIONS] });
  const [markAll] = useMutation(MARK_ALL_READ, { refetchQueries: [NOTIFICATIONS] });

  useSubscription(NOTIFICATION_RECEIVED, {
    // No inbox on this API (yet): no subscription either.
    skip: Boolean(error && !data),
    onData: ({ data: d }) => {
      const n = d.data?.notificationReceived;
      if (!n) return;
      client.cache.updateQuery({ query: NOTIFICATIONS }, (old) =>
        old && !old.myNotifications.some((x) => x.id === n.id)
          ? {
              unreadNotificationCount: old.unreadNotificationCount + (n.read ? 0 : 1),
              myNotifications: [n, ...old.myNotifications],
            }
          : undefined,
      );
      setFlash(true);
    },
  });

  useEffect(() => {
    if (!flash) return;
    const t = setTimeout(() => setFlash(false), 1500);
    return () => clearTimeout(t);
  }, [flash]);

  // Close the dropdown on a click elsewhere.
  useEffect(() => {
    if (!open) return;
    const onClick = (e: MouseEvent) => {
      if (box.current && !box.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("mousedown", onClick);
    return () => document.removeEventListener("mousedown", onClick);
  }, [open]);

  if (error && !data) {
    return (
      <span
        className="bell bell-off"
        title="Notifications are not available right now"
        data-testid="notif-bell"
        data-available="false"
      >
        <BellIcon />
      </span>
    );
  }
  const unread = data?.unreadNotificationCount ?? 0;
  const items = data?.myNotifications ?? [];

  return (
    <div className="bell-box" ref={box}>
      <button
        type="button"
        className={`bell ${flash ? "flash" : ""}`}
        aria-label={`Notifications, ${unread} unread`}
        aria-expanded={open}
        onClick={() => setOpen((o) => !o)}
        data-testid="notif-bell"
        data-available="true"
      >
        <BellIcon />
        {unread > 0 && (
          <span className="badge" data-testid="notif-count">
            {unread > 99 ? "99+" : unread}
          </span>
        )}
      </button>
      {open && (
        <div className="dropdown card" data-testid="notif-panel">
          <div className="section-head">
            <strong>Notifications</strong>
            <button
              type="button"
              className="btn btn-ghost btn-small"
              disabled={unread === 0}
              onClick={() => void markAll()}
              data-testid="notif-mark-all"
            >
              Mark all read
            </button>
          </div>
          {items.length === 0 && (
            <p className="empty">Nothing yet. Status changes of your purchases and jobs show up here.</p>
          )}
          <ul className="notif-list">
            {items.map((n) => (
              <li
                key={n.id}
                className={n.read ? "read" : "unread"}
                data-testid="notif-item"
                data-read={n.read}
              >
                <span className="notif-message">{n.message}</span>
                <span className="muted small">{formatDateTime(n.createdAt)}</span>
                {!n.read && (
                  <button
                    type="button"
                    className="btn btn-ghost btn-small"
                    onClick={() => void markRead({ variables: { id: n.id } })}
                    data-testid="notif-mark-read"
                  >
                    Mark read
                  </button>
                )}
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
