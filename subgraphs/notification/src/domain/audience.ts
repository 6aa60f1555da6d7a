// Who is concerned by an event, and what they are told: the buyer about their purchase, payment,
// delivery and return; the seller about every step of selling their car to the dealer; the
// driver about their own jobs; every staff member about new sell requests and jobs no driver
// takes in time. Pure: facts the event does not carry come from the context's own projections,
// looked up by the caller.
import {
  type ConsignmentKind,
  type EventEnvelope,
  type EventType,
  SELL_REQUEST_EVENTS,
} from "@junggo/events";
import type { MessageKind, MessageParams, OtherJob } from "./messages.ts";

/** Events that notify someone (AccountRegistered only feeds the recipient projection). */
export const NOTIFYING_EVENTS = [
  "PurchasePaid",
  "PurchaseDeliveryStarted",
  "PurchaseDelivered",
  "PurchaseCancelled",
  "PurchaseReturnRequested",
  "PurchaseReturned",
  "PaymentApproved",
  "PaymentRefunded",
  "PayoutReversed",
  "ConsignmentAssigned",
  "ConsignmentPickedUp",
  "ConsignmentDelivered",
  "ConsignmentCancelled",
  "ConsignmentEscalated",
  ...SELL_REQUEST_EVENTS,
] as const satisfies readonly EventType[];
export type NotifyingEvent = (typeof NOTIFYING_EVENTS)[number];
/** An envelope of one of those events, narrowed by `type`. */
export type NotifyingEnvelope = { [T in NotifyingEvent]: EventEnvelope<T> }[NotifyingEvent];

/** What an event is about: a purchase (buyer side) or a sell request (seller side). */
export interface Subject {
  purchaseId: string | null;
  sellRequestId: string | null;
}

export function subjectOf(e: EventEnvelope): Subject {
  const p = e.payload as { purchaseId?: unknown; sellRequestId?: unknown };
  return {
    purchaseId: typeof p.purchaseId === "string" ? p.purchaseId : null,
    sellRequestId: typeof p.sellRequestId === "string" ? p.sellRequestId : null,
  };
}

/** An event this context notifies about: one of NOTIFYING_EVENTS naming a purchase or a sell request. */
export const isNotifying = (e: EventEnvelope): e is NotifyingEnvelope => {
  if (!(NOTIFYING_EVENTS as readonly string[]).includes(e.type)) return false;
  const s = subjectOf(e);
  return s.purchaseId !== null || s.sellRequestId !== null;
};

/** A job's kind; events written before jobs had one are deliveries. */
const jobKind = (p: { kind?: ConsignmentKind }): ConsignmentKind => p.kind ?? "DELIVERY";

export interface Facts {
  /**
   * The car's display name, from the purchase's PurchasePaid or the sell request's
   * SellRequestSubmitted/Accepted; null when that was never seen.
   */
  vehicleName: string | null;
  /** The driver who accepted the job, from its ConsignmentAssigned; null when nobody did. */
  driver: { id: string; name: string } | null;
  /** Every STAFF account (only needed for ConsignmentEscalated and SellRequestSubmitted). */
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
    case "PurchaseReturnRequested":
      return [to(e.payload.buyerId, "PURCHASE_RETURN_REQUESTED", { vehicle })];
    case "PurchaseReturned": {
      const p = e.payload;
      return [to(p.buyerId, "PURCHASE_RETURNED", { vehicle, amountKrw: p.amountKrw })];
    }
    case "PaymentApproved": {
      const p = e.payload;
      return [to(p.buyerId, "PAYMENT_APPROVED", { vehicle, amountKrw: p.amountKrw })];
    }
    case "PaymentRefunded": {
      const p = e.payload;
      return [to(p.buyerId, "PAYMENT_REFUNDED", { vehicle, amountKrw: p.amountKrw })];
    }
    case "PayoutReversed": {
      const p = e.payload;
      return [to(p.sellerId, "PAYOUT_REVERSED", { vehicle, amountKrw: p.amountKrw })];
    }
    case "SellRequestSubmitted": {
      const p = e.payload;
      return facts.staffIds.map((id) =>
        to(id, "SELL_REQUEST_SUBMITTED_STAFF", {
          vehicle,
          offerKrw: p.offerKrw,
          sellRequestId: p.sellRequestId,
        }),
      );
    }
    case "SellRequestAccepted": {
      const p = e.payload;
      return [to(p.sellerId, "SELL_REQUEST_ACCEPTED", { vehicle, offerKrw: p.offerKrw })];
    }
    case "SellRequestRejected": {
      const p = e.payload;
      return [to(p.sellerId, "SELL_REQUEST_REJECTED", { vehicle, reason: p.reason })];
    }
    case "SellRequestPickedUp":
      return [to(e.payload.sellerId, "SELL_REQUEST_PICKED_UP", { vehicle })];
    case "SellRequestInspectionStarted":
      return [to(e.payload.sellerId, "SELL_REQUEST_IN_INSPECTION", { vehicle })];
    case "SellRequestListed":
      return [to(e.payload.sellerId, "SELL_REQUEST_LISTED", { vehicle })];
    case "SellRequestCancelled": {
      const p = e.payload;
      return [
        to(p.sellerId, "SELL_REQUEST_CANCELLED", {
          vehicle,
          reason: p.reason,
          reversePayout: p.reversePayout,
          returnCar: p.returnVehicleId !== null,
        }),
      ];
    }
    case "ConsignmentAssigned":
    case "ConsignmentPickedUp":
    case "ConsignmentDelivered":
    case "ConsignmentCancelled":
    case "ConsignmentEscalated": {
      const job = jobKind(e.payload);
      const customer = job === "DELIVERY" || job === "RETURN_PICKUP" ? e.payload.buyerId : e.payload.sellerId;
      if (!customer) return [];
      return job === "DELIVERY"
        ? deliveryJob(e, customer, facts, vehicle)
        : otherJob(e, job, customer, facts, vehicle);
    }
  }
}

type JobEnvelope = Extract<
  NotifyingEnvelope,
  {
    type:
      | "ConsignmentAssigned"
      | "ConsignmentPickedUp"
      | "ConsignmentDelivered"
      | "ConsignmentCancelled"
      | "ConsignmentEscalated";
  }
>;
const to = <K extends MessageKind>(recipientId: string, kind: K, params: MessageParams[K]) =>
  ({ recipientId, kind, params }) as Addressed;

/** A purchase's delivery: the buyer on every step, the driver on their own job. */
function deliveryJob(e: JobEnvelope, buyerId: string, facts: Facts, vehicle: string | null): Addressed[] {
  switch (e.type) {
    case "ConsignmentAssigned": {
      const p = e.payload;
      return [
        to(buyerId, "CONSIGNMENT_ASSIGNED", { vehicle, driverName: p.driverName, etaIso: p.eta }),
        to(p.driverId, "CONSIGNMENT_ASSIGNED_DRIVER", { vehicle, etaIso: p.eta }),
      ];
    }
    case "ConsignmentPickedUp": {
      const p = e.payload;
      const driverName = facts.driver?.id === p.driverId ? facts.driver.name : null;
      return [to(buyerId, "CONSIGNMENT_PICKED_UP", { vehicle, driverName })];
    }
    case "ConsignmentDelivered":
      return [to(buyerId, "CONSIGNMENT_DELIVERED", { vehicle })];
    case "ConsignmentCancelled": {
      const p = e.payload;
      const buyer = to(buyerId, "CONSIGNMENT_CANCELLED", { vehicle, returnToLot: p.returnToLot });
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
        to(buyerId, "CONSIGNMENT_ESCALATED", { vehicle }),
        ...facts.staffIds.map((id) =>
          to(id, "CONSIGNMENT_ESCALATED_STAFF", {
            vehicle,
            purchaseId: p.purchaseId ?? "",
            waitingMinutes: waited,
            escalation: p.escalation,
          }),
        ),
      ];
    }
  }
}

/**
 * A return pickup (the buyer) or a seller's job (the seller). The customer hears of the driver
 * and their ETA, the return pickup's departure and the car's arrival back at a seller; the steps
 * the sell request's own events announce (picked up, at the lot, cancelled) are not told twice.
 * Drivers and staff as for deliveries.
 */
function otherJob(
  e: JobEnvelope,
  job: OtherJob,
  customer: string,
  facts: Facts,
  vehicle: string | null,
): Addressed[] {
  switch (e.type) {
    case "ConsignmentAssigned": {
      const p = e.payload;
      const kind = (
        {
          RETURN_PICKUP: "RETURN_PICKUP_ASSIGNED",
          SELLER_PICKUP: "SELLER_PICKUP_ASSIGNED",
          SELLER_RETURN: "SELLER_RETURN_ASSIGNED",
        } as const
      )[job];
      return [
        to(customer, kind, { vehicle, driverName: p.driverName, etaIso: p.eta }),
        to(p.driverId, "JOB_ASSIGNED_DRIVER", { vehicle, job, etaIso: p.eta }),
      ];
    }
    case "ConsignmentPickedUp": {
      if (job !== "RETURN_PICKUP") return [];
      const p = e.payload;
      const driverName = facts.driver?.id === p.driverId ? facts.driver.name : null;
      return [to(customer, "RETURN_PICKED_UP", { vehicle, driverName })];
    }
    case "ConsignmentDelivered":
      // A return pickup's arrival at the lot is announced by PurchaseReturned (with the refund).
      return job === "SELLER_RETURN" ? [to(customer, "SELLER_RETURN_DELIVERED", { vehicle })] : [];
    case "ConsignmentCancelled": {
      const p = e.payload;
      if (p.previousStatus === "NONE" || p.previousStatus === "REQUESTED" || !facts.driver) return [];
      return [to(facts.driver.id, "JOB_CANCELLED_DRIVER", { vehicle, job, returnToLot: p.returnToLot })];
    }
    case "ConsignmentEscalated": {
      const p = e.payload;
      const waited = waitingMinutes(p.waitingSinceIso, e.occurredAt);
      const ownerId = (job === "RETURN_PICKUP" ? p.purchaseId : p.sellRequestId) ?? "";
      return [
        to(customer, "JOB_ESCALATED", { vehicle, job }),
        ...facts.staffIds.map((id) =>
          to(id, "JOB_ESCALATED_STAFF", {
            vehicle,
            job,
            ownerId,
            waitingMinutes: waited,
            escalation: p.escalation,
          }),
        ),
      ];
    }
  }
}
