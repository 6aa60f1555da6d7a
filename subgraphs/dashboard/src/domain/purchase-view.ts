// The PurchaseView read model: one row per purchase, folded from events of three producers
// (purchase, billing, consignment). `applyEvent` is the only way a row changes, so replaying the
// stream through it rebuilds the model. Producers are not ordered with respect to each other, so:
// - every part of the row may be unknown (null) until its event arrives;
// - a status only ever moves forward (by rank): a late event never undoes a newer one;
// - applying the same event twice gives the same row.
import type { EventEnvelope, EventType } from "@junggo/events";
import type { Viewer } from "@junggo/runtime";
import { sameContent } from "./same-content.ts";

export type PurchaseStatus =
  | "PAID"
  | "DELIVERING"
  | "DELIVERED"
  | "CANCELLED"
  | "RETURN_REQUESTED"
  | "RETURNED";
export type PaymentStatus = "APPROVED" | "REFUNDED" | "VOIDED";
export type ConsignmentStatus = "REQUESTED" | "ASSIGNED" | "PICKED_UP" | "DELIVERED" | "CANCELLED";

export interface PurchaseView {
  purchaseId: string;
  buyerId: string | null;
  vehicleId: string | null;
  /** e.g. "2019 Hyundai Avante", from PurchasePaid's vehicle snapshot. */
  vehicleName: string | null;
  priceKrw: number | null;
  purchaseStatus: PurchaseStatus | null;
  paymentStatus: PaymentStatus | null;
  /** The delivery job this row follows; events of other jobs of the purchase are not mixed in. */
  consignmentId: string | null;
  consignmentStatus: ConsignmentStatus | null;
  driverName: string | null;
  eta: Date | null;
  /**
   * The RETURN_PICKUP job of a returned purchase, followed apart from the delivery job so the
   * delivery's driver, ETA and status stay as they were.
   */
  returnConsignmentId: string | null;
  returnPickupStatus: ConsignmentStatus | null;
  /** When the purchase was paid; set by PurchasePaid only, so non-null means the purchase part is known. */
  createdAt: Date | null;
  /** Time of the latest event that changed the row (event time, so a rebuild gives the same value). */
  updatedAt: Date;
}

/**
 * Status ranks: a status replaces the current one only if its rank is higher. DELIVERED and
 * CANCELLED share a rank, so neither replaces the other; only a return moves a DELIVERED row on
 * (RETURN_REQUESTED, then RETURNED, the top rank).
 */
export const PURCHASE_STATUS_RANK: Record<PurchaseStatus, number> = {
  PAID: 1,
  DELIVERING: 2,
  DELIVERED: 3,
  CANCELLED: 3,
  RETURN_REQUESTED: 4,
  RETURNED: 5,
};
export const PAYMENT_STATUS_RANK: Record<PaymentStatus, number> = { APPROVED: 1, REFUNDED: 2, VOIDED: 2 };
export const CONSIGNMENT_STATUS_RANK: Record<ConsignmentStatus, number> = {
  REQUESTED: 1,
  ASSIGNED: 2,
  PICKED_UP: 3,
  DELIVERED: 4,
  CANCELLED: 4,
};

/** The status the row should have after seeing `next`: `next` if it ranks above `current`. */
export function advance<S extends string>(current: S | null, next: S, rank: Record<S, number>): S {
  return current !== null && rank[current] >= rank[next] ? current : next;
}

/** Events the dashboard projects. */
export const PROJECTED_EVENTS = [
  "PurchasePaid",
  "PurchaseDeliveryStarted",
  "PurchaseDelivered",
  "PurchaseCancelled",
  "PurchaseReturnRequested",
  "PurchaseReturned",
  "PaymentApproved",
  "PaymentRefunded",
  "ConsignmentRequested",
  "ConsignmentAssigned",
  "ConsignmentPickedUp",
  "ConsignmentDelivered",
  "ConsignmentCancelled",
] as const satisfies readonly EventType[];
export type ProjectedEvent = {
  [T in (typeof PROJECTED_EVENTS)[number]]: EventEnvelope<T>;
}[(typeof PROJECTED_EVENTS)[number]] & { payload: { purchaseId: string; buyerId: string } };

/** Consignment events of sell-request jobs name no purchase: they have no row here. */
export const isProjected = (e: EventEnvelope): e is ProjectedEvent =>
  (PROJECTED_EVENTS as readonly string[]).includes(e.type) &&
  typeof (e.payload as { purchaseId?: unknown }).purchaseId === "string";

export const vehicleName = (v: { year: number; make: string; model: string }) =>
  `${v.year} ${v.make} ${v.model}`;

function emptyView(purchaseId: string, at: Date): PurchaseView {
  return {
    purchaseId,
    buyerId: null,
    vehicleId: null,
    vehicleName: null,
    priceKrw: null,
    purchaseStatus: null,
    paymentStatus: null,
    consignmentId: null,
    consignmentStatus: null,
    driverName: null,
    eta: null,
    returnConsignmentId: null,
    returnPickupStatus: null,
    createdAt: null,
    updatedAt: at,
  };
}

/**
 * A consignment event belongs to this row's delivery job when the row follows no job yet or
 * follows this one; events of another job of the same purchase are not the delivery's.
 */
const followsJob = (v: PurchaseView, consignmentId: string) =>
  v.consignmentId === null || v.consignmentId === consignmentId;
const followsReturnJob = (v: PurchaseView, consignmentId: string) =>
  v.returnConsignmentId === null || v.returnConsignmentId === consignmentId;

const CONSIGNMENT_STEP = {
  ConsignmentRequested: "REQUESTED",
  ConsignmentAssigned: "ASSIGNED",
  ConsignmentPickedUp: "PICKED_UP",
  ConsignmentDelivered: "DELIVERED",
  ConsignmentCancelled: "CANCELLED",
} as const;

/**
 * Folds one event into the row of its purchase. Returns the row unchanged (the same object) when
 * the event does not apply or changes nothing, so callers can skip the write.
 */
export function applyEvent(view: PurchaseView | null, event: EventEnvelope): PurchaseView | null {
  if (!isProjected(event)) return view;
  const at = new Date(event.occurredAt);
  const p = event.payload;
  const base = view ?? emptyView(p.purchaseId, at);
  if (base.purchaseId !== p.purchaseId)
    throw new Error(`event ${event.eventId} is about purchase ${p.purchaseId}, not ${base.purchaseId}`);
  // Every projected event names the buyer: the owner is known even before PurchasePaid arrives.
  const next: PurchaseView = { ...base, buyerId: base.buyerId ?? p.buyerId };

  switch (event.type) {
    case "PurchasePaid": {
      const { vehicleId, priceKrw, vehicle } = event.payload;
      Object.assign(next, {
        vehicleId,
        priceKrw,
        vehicleName: vehicleName(vehicle),
        createdAt: base.createdAt ?? at,
        purchaseStatus: advance(base.purchaseStatus, "PAID", PURCHASE_STATUS_RANK),
      });
      break;
    }
    case "PurchaseDeliveryStarted":
      next.purchaseStatus = advance(base.purchaseStatus, "DELIVERING", PURCHASE_STATUS_RANK);
      break;
    case "PurchaseDelivered":
      next.purchaseStatus = advance(base.purchaseStatus, "DELIVERED", PURCHASE_STATUS_RANK);
      break;
    case "PurchaseCancelled":
      next.purchaseStatus = advance(base.purchaseStatus, "CANCELLED", PURCHASE_STATUS_RANK);
      break;
    case "PurchaseReturnRequested":
      next.purchaseStatus = advance(base.purchaseStatus, "RETURN_REQUESTED", PURCHASE_STATUS_RANK);
      break;
    case "PurchaseReturned":
      next.purchaseStatus = advance(base.purchaseStatus, "RETURNED", PURCHASE_STATUS_RANK);
      break;
    case "PaymentApproved":
      next.paymentStatus = advance(base.paymentStatus, "APPROVED", PAYMENT_STATUS_RANK);
      break;
    case "PaymentRefunded":
      next.paymentStatus = advance(base.paymentStatus, "REFUNDED", PAYMENT_STATUS_RANK);
      break;
    case "ConsignmentRequested":
    case "ConsignmentAssigned":
    case "ConsignmentPickedUp":
    case "ConsignmentDelivered":
    case "ConsignmentCancelled": {
      const { consignmentId, kind } = event.payload;
      const status = CONSIGNMENT_STEP[event.type];
      if (kind === "RETURN_PICKUP") {
        if (!followsReturnJob(base, consignmentId)) return view;
        next.returnConsignmentId = consignmentId;
        next.returnPickupStatus = advance(base.returnPickupStatus, status, CONSIGNMENT_STATUS_RANK);
        break;
      }
      // Events written before jobs had a kind are the delivery's.
      if ((kind !== undefined && kind !== "DELIVERY") || !followsJob(base, consignmentId)) return view;
      next.consignmentId = consignmentId;
      next.consignmentStatus = advance(base.consignmentStatus, status, CONSIGNMENT_STATUS_RANK);
      if (event.type === "ConsignmentAssigned") {
        // Driver and ETA come only with this event: take them even when the status has moved on.
        next.driverName = event.payload.driverName;
        next.eta = new Date(event.payload.eta);
      }
      break;
    }
  }

  if (view && sameContent(view, next)) return view;
  next.updatedAt = view && view.updatedAt > at ? view.updatedAt : at;
  return next;
}

/** A row is shown once its purchase part is known (PurchasePaid seen). */
export const isReady = (v: PurchaseView): boolean => v.createdAt !== null && v.purchaseStatus !== null;

/** The buyer of the purchase, or staff. */
export const canSeeView = (v: Pick<PurchaseView, "buyerId">, viewer: Pick<Viewer, "id" | "role">): boolean =>
  viewer.role === "STAFF" || (v.buyerId !== null && v.buyerId === viewer.id);
