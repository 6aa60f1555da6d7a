import type { EventEnvelope } from "@junggo/events";
import type { HandlerMap, SqlTx } from "@junggo/runtime";
import { isNotifying, NOTIFYING_EVENTS, type NotifyingEnvelope } from "../domain/audience.ts";

export interface NotificationEventUseCases<Tx> {
  recordRecipient(tx: Tx, e: EventEnvelope<"AccountRegistered">): Promise<void>;
  notify(tx: Tx, e: NotifyingEnvelope): Promise<number>;
}

/** What the notification context listens to; each runs in one transaction with its inbox row. */
export function notificationHandlers<Tx extends SqlTx>(uc: NotificationEventUseCases<Tx>): HandlerMap<Tx> {
  const handlers: HandlerMap<Tx> = { AccountRegistered: (e, tx) => uc.recordRecipient(tx, e) };
  const notify = async (e: EventEnvelope, tx: Tx) => {
    if (isNotifying(e)) await uc.notify(tx, e);
  };
  for (const type of NOTIFYING_EVENTS) (handlers as Record<string, typeof notify>)[type] = notify;
  return handlers;
}
