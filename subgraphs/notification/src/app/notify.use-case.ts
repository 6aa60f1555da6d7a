import { randomUUID } from "node:crypto";
import { newEvent, type EventEnvelope } from "@junggo/events";
import { appendEvents, type SqlTx } from "@junggo/runtime";
import {
  audienceOf,
  subjectOf,
  vehicleName,
  type Facts,
  type NotifyingEnvelope,
} from "../domain/audience.ts";
import { render, toLocale } from "../domain/messages.ts";
import type { Notification } from "../domain/notification.ts";
import type { NotificationDeps } from "./ports.ts";

/** On AccountRegistered: remember who can be notified, how to reach them and in which language. */
export const makeRecordRecipient =
  <Tx extends SqlTx>(deps: Pick<NotificationDeps<Tx>, "projections">) =>
  async (tx: Tx, e: EventEnvelope<"AccountRegistered">): Promise<void> => {
    const { accountId, email, name, role, locale } = e.payload;
    await deps.projections.saveRecipient(tx, { accountId, email, name, role, locale: toLocale(locale) });
  };

/**
 * Events older than this are not emailed: a notification context deployed onto an existing
 * system replays the whole stream, and nobody wants a mail about last month's delivery.
 */
export const EMAIL_MAX_EVENT_AGE_MS = 24 * 60 * 60_000;

/**
 * On a status change: one notification per person concerned, rendered in their language, plus
 * NotificationCreated for the live feed, in the consumer's transaction (with the inbox row).
 *
 * A person the context has not heard of yet (no AccountRegistered) still gets the notification,
 * in Korean and without email. That is rare by construction: all events travel in one stream in
 * publish order and an account is registered before it can buy or drive.
 */
export const makeNotify =
  <Tx extends SqlTx>(deps: NotificationDeps<Tx>) =>
  async (tx: Tx, e: NotifyingEnvelope): Promise<number> => {
    const { projections, notifications } = deps;
    if (e.type === "PurchasePaid") {
      const p = e.payload;
      await projections.savePurchase(tx, {
        purchaseId: p.purchaseId,
        buyerId: p.buyerId,
        vehicleName: vehicleName(p.vehicle),
        priceKrw: p.priceKrw,
      });
    }
    if (e.type === "SellRequestSubmitted" || e.type === "SellRequestAccepted") {
      const p = e.payload;
      await projections.saveSellRequest(tx, {
        sellRequestId: p.sellRequestId,
        sellerId: p.sellerId,
        vehicleName:
          e.type === "SellRequestSubmitted" ? vehicleName(e.payload.vehicle) : e.payload.vehicleName,
        offerKrw: p.offerKrw,
      });
    }
    if (e.type === "ConsignmentAssigned") {
      const p = e.payload;
      await projections.saveDriver(tx, {
        consignmentId: p.consignmentId,
        driverId: p.driverId,
        driverName: p.driverName,
      });
    }
    const subject = subjectOf(e);
    const facts: Facts = {
      vehicleName: subject.purchaseId
        ? await projections.vehicleNameOf(tx, subject.purchaseId)
        : subject.sellRequestId
          ? await projections.sellRequestVehicleNameOf(tx, subject.sellRequestId)
          : null,
      driver: "consignmentId" in e.payload ? await projections.driverOf(tx, e.payload.consignmentId) : null,
      staffIds:
        e.type === "ConsignmentEscalated" || e.type === "SellRequestSubmitted"
          ? await projections.staffIds(tx)
          : [],
    };
    const audience = audienceOf(e, facts);
    const known = new Map(
      (
        await projections.recipients(
          tx,
          audience.map((a) => a.recipientId),
        )
      ).map((r) => [r.accountId, r]),
    );
    const now = deps.clock();
    const emailable = deps.emailEnabled && now.getTime() - Date.parse(e.occurredAt) <= EMAIL_MAX_EVENT_AGE_MS;
    let created = 0;
    for (const a of audience) {
      const recipient = known.get(a.recipientId);
      if (!recipient)
        deps.log.warn("notifying an account not registered here yet: Korean, no email", {
          recipientId: a.recipientId,
          eventId: e.eventId,
        });
      const locale = recipient?.locale ?? "ko";
      // `Addressed` pairs each kind with its parameters; TypeScript cannot follow that through the generic.
      const { title, text } = render(a.kind, locale, a.params as never);
      const n: Notification = {
        id: randomUUID(),
        recipientId: a.recipientId,
        purchaseId: subject.purchaseId,
        sellRequestId: subject.sellRequestId,
        kind: a.kind,
        locale,
        title,
        message: text,
        createdAt: now,
        readAt: null,
        sourceEventId: e.eventId,
        emailTo: recipient?.email ?? null,
        emailStatus: emailable && recipient ? "PENDING" : "SKIPPED",
        emailAttempts: 0,
        emailNextAttemptAt: null,
        emailSentAt: null,
        emailError: null,
      };
      // The inbox already drops a redelivered event; the unique key also covers a republished copy.
      if (!(await notifications.insertIfAbsent(tx, n))) continue;
      await appendEvents(tx, [
        newEvent(
          "NotificationCreated",
          { notificationId: n.id, recipientId: n.recipientId, purchaseId: n.purchaseId, kind: n.kind },
          { producer: "notification", causationId: e.eventId },
        ),
      ]);
      created++;
    }
    return created;
  };
