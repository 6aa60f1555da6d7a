// The SaleView read model: one row per sell request, the seller's view of selling a car to the
// dealer, folded from events of three producers (acquisition, billing, consignment's SELLER_PICKUP
// job). Same rules as the PurchaseView: `applySaleEvent` is the only way a row changes (so a replay
// rebuilds it), every part may be unknown until its event arrives, statuses only move forward by
// rank, and applying an event twice gives the same row.
import { type EventEnvelope, type EventType, SELL_REQUEST_EVENTS } from "@junggo/events";
import type { Viewer } from "@junggo/runtime";
import { advance, CONSIGNMENT_STATUS_RANK, type ConsignmentStatus, vehicleName } from "./purchase-view.ts";
import { sameContent } from "./same-content.ts";

export type SellRequestStatus =
  | "PENDING"
  | "ACCEPTED"
  | "PICKED_UP"
  | "IN_INSPECTION"
  | "LISTED"
  | "REJECTED"
  | "CANCELLED";
export type PayoutStatus = "PAID" | "REVERSED";

export interface SaleView {
  sellRequestId: string;
  sellerId: string | null;
  /** e.g. "2019 Hyundai Avante", from SellRequestSubmitted (or SellRequestAccepted). */
  vehicleName: string | null;
  offerKrw: number | null;
  status: SellRequestStatus | null;
  payoutStatus: PayoutStatus | null;
  /** The SELLER_PICKUP job this row follows (a SELLER_RETURN job is not the pickup). */
  pickupConsignmentId: string | null;
  pickupStatus: ConsignmentStatus | null;
  /** When the request was submitted; null until SellRequestSubmitted has been seen. */
  createdAt: Date | null;
  /** Time of the latest event that changed the row (event time, so a rebuild gives the same value). */
  updatedAt: Date;
}

/**
 * The saga only moves forward (PENDING → ACCEPTED → PICKED_UP → IN_INSPECTION → LISTED); REJECTED
 * and CANCELLED end it from any of those, so they share the top rank and nothing replaces them.
 */
export const SELL_REQUEST_STATUS_RANK: Record<SellRequestStatus, number> = {
  PENDING: 1,
  ACCEPTED: 2,
  PICKED_UP: 3,
  IN_INSPECTION: 4,
  LISTED: 5,
  REJECTED: 6,
  CANCELLED: 6,
};
export const PAYOUT_STATUS_RANK: Record<PayoutStatus, number> = { PAID: 1, REVERSED: 2 };

/** Events the SaleView projects. */
export const SALE_EVENTS = [
  ...SELL_REQUEST_EVENTS,
  "PayoutPaid",
  "PayoutReversed",
  "ConsignmentRequested",
  "ConsignmentAssigned",
  "ConsignmentPickedUp",
  "ConsignmentDelivered",
  "ConsignmentCancelled",
] as const satisfies readonly EventType[];
export type SaleEvent = {
  [T in (typeof SALE_EVENTS)[number]]: EventEnvelope<T>;
}[(typeof SALE_EVENTS)[number]] & { payload: { sellRequestId: string } };

/**
 * About a sell request: the acquisition and payout events, and the consignment events of a
 * SELLER_PICKUP job (a purchase's jobs and the SELLER_RETURN job have no place in this row).
 */
export const isSaleEvent = (e: EventEnvelope): e is SaleEvent => {
  if (!(SALE_EVENTS as readonly string[]).includes(e.type)) return false;
  const p = e.payload as { sellRequestId?: unknown; kind?: unknown };
  if (typeof p.sellRequestId !== "string") return false;
  return !e.type.startsWith("Consignment") || p.kind === "SELLER_PICKUP";
};

function emptySale(sellRequestId: string, at: Date): SaleView {
  return {
    sellRequestId,
    sellerId: null,
    vehicleName: null,
    offerKrw: null,
    status: null,
    payoutStatus: null,
    pickupConsignmentId: null,
    pickupStatus: null,
    createdAt: null,
    updatedAt: at,
  };
}

const STEP: Partial<Record<SaleEvent["type"], SellRequestStatus>> = {
  SellRequestSubmitted: "PENDING",
  SellRequestAccepted: "ACCEPTED",
  SellRequestRejected: "REJECTED",
  SellRequestPickedUp: "PICKED_UP",
  SellRequestInspectionStarted: "IN_INSPECTION",
  SellRequestListed: "LISTED",
  SellRequestCancelled: "CANCELLED",
};
const PICKUP_STEP = {
  ConsignmentRequested: "REQUESTED",
  ConsignmentAssigned: "ASSIGNED",
  ConsignmentPickedUp: "PICKED_UP",
  ConsignmentDelivered: "DELIVERED",
  ConsignmentCancelled: "CANCELLED",
} as const satisfies Partial<Record<SaleEvent["type"], ConsignmentStatus>>;

/**
 * Folds one event into the row of its sell request. Returns the row unchanged (the same object)
 * when the event does not apply or changes nothing, so callers can skip the write.
 */
export function applySaleEvent(view: SaleView | null, event: EventEnvelope): SaleView | null {
  if (!isSaleEvent(event)) return view;
  const at = new Date(event.occurredAt);
  const p = event.payload;
  const base = view ?? emptySale(p.sellRequestId, at);
  if (base.sellRequestId !== p.sellRequestId)
    throw new Error(
      `event ${event.eventId} is about sell request ${p.sellRequestId}, not ${base.sellRequestId}`,
    );
  const next: SaleView = { ...base, sellerId: base.sellerId ?? p.sellerId ?? null };

  switch (event.type) {
    case "SellRequestSubmitted":
      // The offer and the car are fixed at submission; the first event naming them fills them.
      Object.assign(next, {
        vehicleName: base.vehicleName ?? vehicleName(event.payload.vehicle),
        offerKrw: base.offerKrw ?? event.payload.offerKrw,
        createdAt: base.createdAt ?? at,
      });
      break;
    case "SellRequestAccepted":
      Object.assign(next, {
        vehicleName: base.vehicleName ?? event.payload.vehicleName,
        offerKrw: base.offerKrw ?? event.payload.offerKrw,
      });
      break;
    case "PayoutPaid":
      next.payoutStatus = advance(base.payoutStatus, "PAID", PAYOUT_STATUS_RANK);
      break;
    case "PayoutReversed":
      next.payoutStatus = advance(base.payoutStatus, "REVERSED", PAYOUT_STATUS_RANK);
      break;
    case "ConsignmentRequested":
    case "ConsignmentAssigned":
    case "ConsignmentPickedUp":
    case "ConsignmentDelivered":
    case "ConsignmentCancelled": {
      const job = event.payload.consignmentId;
      // One pickup job per sell request; a stray second one does not take the row over.
      if (base.pickupConsignmentId !== null && base.pickupConsignmentId !== job) return view;
      next.pickupConsignmentId = job;
      next.pickupStatus = advance(base.pickupStatus, PICKUP_STEP[event.type], CONSIGNMENT_STATUS_RANK);
      break;
    }
  }
  const step = STEP[event.type];
  if (step) next.status = advance(base.status, step, SELL_REQUEST_STATUS_RANK);

  if (view && sameContent(view, next)) return view;
  next.updatedAt = view && view.updatedAt > at ? view.updatedAt : at;
  return next;
}

/** A row is shown once the seller, the car and the offer are known (Submitted or Accepted seen). */
export const isSaleReady = (v: SaleView): boolean =>
  v.sellerId !== null && v.vehicleName !== null && v.offerKrw !== null && v.status !== null;

/** The seller of the request, or staff. */
export const canSeeSale = (v: Pick<SaleView, "sellerId">, viewer: Pick<Viewer, "id" | "role">): boolean =>
  viewer.role === "STAFF" || (v.sellerId !== null && v.sellerId === viewer.id);
