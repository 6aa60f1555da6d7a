import { DomainError } from "@junggo/runtime";
import type { EventPayloads } from "@junggo/events";
import { assertQuoteValid, type Quote } from "./quote.ts";

/**
 * The SellRequest aggregate: a seller sells the car of a quote to the dealer.
 *
 *   submit --> PENDING --accept--> ACCEPTED --pickedUp--> PICKED_UP --arrivedAtLot--> IN_INSPECTION --listed--> LISTED
 *              PENDING --reject--> REJECTED
 *   cancel:  PENDING                              --> CANCELLED (nothing was paid)
 *            ACCEPTED                             --> CANCELLED (payout reversed, pickup cancelled)
 *            IN_INSPECTION | LISTED, no buyer     --> CANCELLED (payout reversed, car withdrawn and driven back)
 *            PICKED_UP (on the road), held by a buyer, or final --> SELL_REQUEST_NOT_CANCELLABLE
 */
export type SellRequestStatus =
  | "PENDING"
  | "ACCEPTED"
  | "PICKED_UP"
  | "IN_INSPECTION"
  | "LISTED"
  | "REJECTED"
  | "CANCELLED";

export interface SellRequest {
  id: string;
  quoteId: string;
  sellerId: string;
  vin: string;
  vehicleName: string;
  offerKrw: number;
  status: SellRequestStatus;
  /** The stock vehicle once the car reached the lot. */
  vehicleId: string | null;
  rejectReason: string | null;
  cancelReason: string | null;
  createdAt: Date;
  updatedAt: Date;
}

type EventOf<T extends keyof EventPayloads> = { type: T; payload: EventPayloads[T] };
export type SellRequestEvent =
  | EventOf<"SellRequestSubmitted">
  | EventOf<"SellRequestAccepted">
  | EventOf<"SellRequestRejected">
  | EventOf<"SellRequestPickedUp">
  | EventOf<"SellRequestInspectionStarted">
  | EventOf<"SellRequestListed">
  | EventOf<"SellRequestCancelled">;

export interface SellRequestTransition {
  sellRequest: SellRequest;
  event: SellRequestEvent;
}

/** Statuses in which the VIN is spoken for: a second sell request for it is refused. */
export const LIVE_STATUSES: readonly SellRequestStatus[] = [
  "PENDING",
  "ACCEPTED",
  "PICKED_UP",
  "IN_INSPECTION",
];
export const MAX_REASON = 500;

export function submit(id: string, quote: Quote, sellerId: string, now: Date): SellRequestTransition {
  if (quote.sellerId !== sellerId)
    throw new DomainError("FORBIDDEN", "Only the seller who asked for this quote can sell on it.", {
      quoteId: quote.id,
    });
  assertQuoteValid(quote, now);
  const sellRequest: SellRequest = {
    id,
    quoteId: quote.id,
    sellerId,
    vin: quote.vin,
    vehicleName: `${quote.year} ${quote.make} ${quote.model}`,
    offerKrw: quote.offerKrw,
    status: "PENDING",
    vehicleId: null,
    rejectReason: null,
    cancelReason: null,
    createdAt: now,
    updatedAt: now,
  };
  const { vin, make, model, year, mileageKm } = quote;
  return {
    sellRequest,
    event: {
      type: "SellRequestSubmitted",
      payload: {
        sellRequestId: id,
        quoteId: quote.id,
        sellerId,
        offerKrw: quote.offerKrw,
        vehicle: { vin, make, model, year, mileageKm },
      },
    },
  };
}

const notPending = (s: SellRequest): never => {
  throw new DomainError(
    "SELL_REQUEST_NOT_PENDING",
    `This sell request was already decided: it is ${s.status.toLowerCase().replace("_", " ")}.`,
    { sellRequestId: s.id, status: s.status },
  );
};

const refuse = (s: SellRequest, action: string): never => {
  throw new DomainError("SELL_REQUEST_TRANSITION_REFUSED", `A ${s.status} sell request cannot ${action}.`, {
    sellRequestId: s.id,
    status: s.status,
  });
};

const ref = (s: SellRequest) => ({ sellRequestId: s.id, sellerId: s.sellerId });

/** Trims a reason; `required` makes blank a BAD_USER_INPUT. */
export function normalizeReason(raw: string | null | undefined, required: boolean): string | null {
  const r = raw?.trim() ?? "";
  if (required && r === "")
    throw new DomainError("BAD_USER_INPUT", "Give the seller a reason.", { field: "reason" });
  if ([...r].length > MAX_REASON)
    throw new DomainError("BAD_USER_INPUT", `The reason can be at most ${MAX_REASON} characters.`, {
      field: "reason",
    });
  return r === "" ? null : r;
}

/** The car as stock will register it: its future id, its description and the price it is listed at. */
export interface Intake {
  vehicleId: string;
  listPriceKrw: number;
  make: string;
  model: string;
  year: number;
  mileageKm: number;
}

/** The price a bought car is listed at: the market value the offer was taken from (offer = value × (1 − margin)). */
export function listPriceOf(offerKrw: number, dealerMargin: number): number {
  return Math.round(offerKrw / (1 - dealerMargin) / 10_000) * 10_000;
}

/** Staff accepts: the seller is paid out, a driver fetches the car, stock expects it as `intake`. */
export function accept(s: SellRequest, staffId: string, intake: Intake, now: Date): SellRequestTransition {
  if (s.status !== "PENDING") notPending(s);
  return {
    sellRequest: { ...s, status: "ACCEPTED", vehicleId: intake.vehicleId, updatedAt: now },
    event: {
      type: "SellRequestAccepted",
      payload: {
        ...ref(s),
        offerKrw: s.offerKrw,
        vin: s.vin,
        ...intake,
        vehicleName: s.vehicleName,
        decidedBy: staffId,
      },
    },
  };
}

/** Staff rejects, with a reason the seller reads (from `normalizeReason(_, true)`). */
export function reject(s: SellRequest, reason: string, staffId: string, now: Date): SellRequestTransition {
  if (s.status !== "PENDING") notPending(s);
  return {
    sellRequest: { ...s, status: "REJECTED", rejectReason: reason, updatedAt: now },
    event: { type: "SellRequestRejected", payload: { ...ref(s), reason, decidedBy: staffId } },
  };
}

/** The driver has the car (consignment's SELLER_PICKUP job was picked up). */
export function pickedUp(s: SellRequest, consignmentId: string, now: Date): SellRequestTransition {
  if (s.status !== "ACCEPTED") refuse(s, "be picked up");
  return {
    sellRequest: { ...s, status: "PICKED_UP", updatedAt: now },
    event: { type: "SellRequestPickedUp", payload: { ...ref(s), consignmentId } },
  };
}

/**
 * The car reached the lot and is in stock (IN_REPAIR) under `vehicleId`; its inspection opens. Also
 * from ACCEPTED: the car at the lot proves the pickup, whose event may come later (a redelivery
 * after a failed attempt); that late pickup then changes nothing.
 */
export function arrivedAtLot(s: SellRequest, vehicleId: string, now: Date): SellRequestTransition {
  if (s.status !== "PICKED_UP" && s.status !== "ACCEPTED") refuse(s, "arrive at the lot");
  return {
    sellRequest: { ...s, status: "IN_INSPECTION", vehicleId, updatedAt: now },
    event: { type: "SellRequestInspectionStarted", payload: { ...ref(s), vehicleId } },
  };
}

/** The inspection was completed: the car is for sale. */
export function listed(s: SellRequest, now: Date): SellRequestTransition {
  if (s.status !== "IN_INSPECTION") refuse(s, "be listed");
  return {
    sellRequest: { ...s, status: "LISTED", updatedAt: now },
    event: { type: "SellRequestListed", payload: { ...ref(s), vehicleId: s.vehicleId! } },
  };
}

/**
 * The seller takes the car back. `heldByBuyer`: a buyer reserved or bought the car (acquisition's
 * view of stock). The event says which compensations the other contexts run.
 */
export function cancel(
  s: SellRequest,
  reason: string | null,
  heldByBuyer: boolean,
  now: Date,
): SellRequestTransition {
  const notCancellable = (why: string): never => {
    throw new DomainError("SELL_REQUEST_NOT_CANCELLABLE", why, { sellRequestId: s.id, status: s.status });
  };
  switch (s.status) {
    case "PENDING":
    case "ACCEPTED":
      break;
    case "PICKED_UP":
      notCancellable("The car is on its way to the lot; you can cancel once it has arrived.");
      break;
    case "IN_INSPECTION":
    case "LISTED":
      if (heldByBuyer) notCancellable("A buyer has already reserved or bought this car.");
      break;
    default:
      notCancellable(`This sell request is ${s.status.toLowerCase()} and can no longer be cancelled.`);
  }
  const atLot = s.status === "IN_INSPECTION" || s.status === "LISTED";
  return {
    sellRequest: { ...s, status: "CANCELLED", cancelReason: reason, updatedAt: now },
    event: {
      type: "SellRequestCancelled",
      payload: {
        ...ref(s),
        reason,
        previousStatus: s.status as EventPayloads["SellRequestCancelled"]["previousStatus"],
        reversePayout: s.status !== "PENDING",
        cancelPickup: s.status === "ACCEPTED",
        returnVehicleId: atLot ? s.vehicleId : null,
        vehicleId: s.vehicleId,
      },
    },
  };
}

interface Person {
  id: string;
  role: string;
}

export const canView = (viewer: Person, s: SellRequest) =>
  viewer.role === "STAFF" || viewer.id === s.sellerId;
export const canCancel = (viewer: Person, s: SellRequest) => viewer.id === s.sellerId;
