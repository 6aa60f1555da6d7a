// Who is concerned by an event, and what they are told: the buyer about their purchase, payment
// and delivery; the driver about their own jobs; every staff member (and the buyer) when no
// driver takes a job in time. Pure: facts the event does not carry come from the context's own
// projections, looked up by the caller.
import type { EventEnvelope, EventType } from "@junggo/events";
import type { MessageKind, MessageParams } from "./messages.ts";

/** Events that notify someone (AccountRegistered only feeds the recipient projection). */
export const NOTIFYING_EVENTS = [
  "PurchasePaid",
  "PurchaseDeliveryStarted",
  "PurchaseDelivered",
  "PurchaseCancelled",
  "PaymentApproved",
  "PaymentRefunded",
  "ConsignmentAssigned",
  "ConsignmentPickedUp",
  "ConsignmentDelivered",
  "ConsignmentCancelled",
  "ConsignmentEscalated",
] as const satisfies readonly EventType[];
export type NotifyingEvent = (typeof NOTIFYING_EVENTS)[number];
/** An envelope of one of those events about a purchase, narrowed by `type`. */
export type NotifyingEnvelope = { [T in NotifyingEvent]: EventEnvelope<T> }[NotifyingEvent] & {
  payload: { purchaseId: string; buyerId: string };
};

/** Consignment events of sell-request jobs name no purchase: they are not about a buyer. */
export const isAboutPurchase = (e: EventEnvelope): e is NotifyingEnvelope =>
  typeof (e.payload as { purchaseId?: unknown }).purchaseId === "string";

export interface Facts {
  /** The car's display name, from the purchase's PurchasePaid; null when that was never seen. */
  vehicleName: string | null;
  /** The driver who accepted the job, from its ConsignmentAssigned; null when nobody did. */
  driver: { id: string; name: string } | null;
  /** Every STAFF account (only needed for ConsignmentEscalated). */
  staffIds: readonly string[];
}

export type Addressed = {
  [K in MessageKind]: { recipientId: string; kind: K; params: MessageParams[K] };
}[MessageKind];

/** Display name of a car: "2019 Hyundai Avante". */
export const vehicleName = (v: { make: string; model: string; year: number }) =>
  `${v.year} ${v.make} ${v.model}`;

/** Minutes a job has been waiting for a driver, at least 1 (a message never says "0 min"). */
export const waitingMinutes = (sinceIso: string, atIso: string) =>
  Math.max(1, Math.round((Date.parse(atIso) - Date.parse(sinceIso)) / 60_000));

/**
 * The notifications one event causes, at most one per person (the first wins when one person has
 * two roles in it, e.g. a driver delivering a car they bought themselves).
 */
export function audienceOf(event: NotifyingEnvelope, facts: Facts): Addressed[] {
  const all = addressees(event, facts, facts.vehicleName);
  const seen = new Set<string>();
  return all.filter((a) => !seen.has(a.recipientId) && !!seen.add(a.recipientId));
}

function addressees(e: NotifyingEnvelope, facts: Facts, vehicle: string | null): Addressed[] {
  const to = <K extends MessageKind>(recipientId: string, kind: K, params: MessageParams[K]) =>
    ({ recipientId, kind, params }) as Addressed;
  switch (e.type) {
    case "PurchasePaid": {
      const p = e.payload;
      return [to(p.buyerId, "PURCHASE_PAID", { vehicle, priceKrw: p.priceKrw })];
    }
    case "PurchaseDeliveryStarted":
      return [to(e.payload.buyerId, "PURCHASE_DELIVERY_STARTED", { vehicle })];
    case "PurchaseDelivered":
      return [to(e.payload.buyerId, "PURCHASE_DELIVERED", { vehicle })];
    case "PurchaseCancelled": {
      const p = e.payload;
      return [to(p.buyerId, "PURCHASE_CANCELLED", { vehicle, reason: p.reason })];
    }
    case "PaymentApproved": {
      const p = e.payload;
      return [to(p.buyerId, "PAYMENT_APPROVED", { vehicle, amountKrw: p.amountKrw })];
    }
    case "PaymentRefunded": {
      const p = e.payload;
      return [to(p.buyerId, "PAYMENT_REFUNDED", { vehicle, amountKrw: p.amountKrw })];
    }
    case "ConsignmentAssigned": {
      const p = e.payload;
      return [
        to(p.buyerId, "CONSIGNMENT_ASSIGNED", { vehicle, driverName: p.driverName, etaIso: p.eta }),
        to(p.driverId, "CONSIGNMENT_ASSIGNED_DRIVER", { vehicle, etaIso: p.eta }),
      ];
    }
    case "ConsignmentPickedUp": {
      const p = e.payload;
      const driverName = facts.driver?.id === p.driverId ? facts.driver.name : null;
      return [to(p.buyerId, "CONSIGNMENT_PICKED_UP", { vehicle, driverName })];
    }
    case "ConsignmentDelivered":
      return [to(e.payload.buyerId, "CONSIGNMENT_DELIVERED", { vehicle })];
    case "ConsignmentCancelled": {
      const p = e.payload;
      const buyer = to(p.buyerId, "CONSIGNMENT_CANCELLED", { vehicle, returnToLot: p.returnToLot });
      // A job nobody had accepted concerns no driver.
      if (p.previousStatus === "NONE" || p.previousStatus === "REQUESTED" || !facts.driver) return [buyer];
      return [
        buyer,
        to(facts.driver.id, "CONSIGNMENT_CANCELLED_DRIVER", { vehicle, returnToLot: p.returnToLot }),
      ];
    }
    case "ConsignmentEscalated": {
      const p = e.payload;
      const waited = waitingMinutes(p.waitingSinceIso, e.occurredAt);
      return [
        to(p.buyerId, "CONSIGNMENT_ESCALATED", { vehicle }),
        ...facts.staffIds.map((id) =>
          to(id, "CONSIGNMENT_ESCALATED_STAFF", {
            vehicle,
            purchaseId: p.purchaseId,
            waitingMinutes: waited,
            escalation: p.escalation,
          }),
        ),
      ];
    }
  }
}
