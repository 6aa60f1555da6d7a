import { badInput, DomainError } from "@junggo/runtime";
import type { EventPayloads } from "@junggo/events";

/**
 * The Purchase aggregate:
 *
 *   (paid) --> PAID --startDelivery--> DELIVERING --deliver--> DELIVERED
 *              PAID | DELIVERING --cancel--> CANCELLED
 *   DELIVERED --requestReturn (buyer, within the return window)--> RETURN_REQUESTED --returned--> RETURNED
 *
 * A purchase only comes to exist once its payment was approved (`pay`). Each transition returns
 * the new state and the event that announces it.
 */
export type PurchaseStatus =
  | "PAID"
  | "DELIVERING"
  | "DELIVERED"
  | "CANCELLED"
  | "RETURN_REQUESTED"
  | "RETURNED";

export interface Purchase {
  id: string;
  vehicleId: string;
  buyerId: string;
  buyerName: string;
  status: PurchaseStatus;
  priceKrw: number;
  paymentId: string;
  vehicleMake: string;
  vehicleModel: string;
  vehicleYear: number;
  driverId: string | null;
  createdAt: Date;
  deliveryStartedAt: Date | null;
  deliveredAt: Date | null;
  cancelledAt: Date | null;
  cancelReason: string | null;
  returnRequestedAt: Date | null;
  returnReason: string | null;
  returnedAt: Date | null;
}

export type PurchaseEvent =
  | { type: "PurchasePaid"; payload: EventPayloads["PurchasePaid"] }
  | { type: "PurchaseDeliveryStarted"; payload: EventPayloads["PurchaseDeliveryStarted"] }
  | { type: "PurchaseDelivered"; payload: EventPayloads["PurchaseDelivered"] }
  | { type: "PurchaseCancelled"; payload: EventPayloads["PurchaseCancelled"] }
  | { type: "PurchaseReturnRequested"; payload: EventPayloads["PurchaseReturnRequested"] }
  | { type: "PurchaseReturned"; payload: EventPayloads["PurchaseReturned"] };

export interface Transition {
  purchase: Purchase;
  event: PurchaseEvent;
}

export const MAX_CANCEL_REASON = 500;
export const MAX_RETURN_REASON = 500;
/** The product's return window: 3 days after delivery (configurable for tests). */
export const DEFAULT_RETURN_WINDOW_MS = 3 * 86_400_000;

/** A purchase whose payment was approved. */
export function pay(input: {
  id: string;
  vehicle: { id: string; make: string; model: string; year: number; priceKrw: number };
  buyer: { id: string; name: string };
  paymentId: string;
  now: Date;
}): Transition {
  const { vehicle, buyer } = input;
  const purchase: Purchase = {
    id: input.id,
    vehicleId: vehicle.id,
    buyerId: buyer.id,
    buyerName: buyer.name,
    status: "PAID",
    priceKrw: vehicle.priceKrw,
    paymentId: input.paymentId,
    vehicleMake: vehicle.make,
    vehicleModel: vehicle.model,
    vehicleYear: vehicle.year,
    driverId: null,
    createdAt: input.now,
    deliveryStartedAt: null,
    deliveredAt: null,
    cancelledAt: null,
    cancelReason: null,
    returnRequestedAt: null,
    returnReason: null,
    returnedAt: null,
  };
  return {
    purchase,
    event: {
      type: "PurchasePaid",
      payload: {
        purchaseId: purchase.id,
        vehicleId: vehicle.id,
        buyerId: buyer.id,
        buyerName: buyer.name,
        priceKrw: vehicle.priceKrw,
        paymentId: input.paymentId,
        vehicle: { make: vehicle.make, model: vehicle.model, year: vehicle.year },
      },
    },
  };
}

const refuse = (p: Purchase, action: string): never => {
  throw new DomainError("PURCHASE_TRANSITION_REFUSED", `A ${p.status} purchase cannot ${action}.`, {
    purchaseId: p.id,
    status: p.status,
  });
};

const ref = (p: Purchase) => ({ purchaseId: p.id, vehicleId: p.vehicleId, buyerId: p.buyerId });

/** The driver picked the car up. */
export function startDelivery(p: Purchase, now: Date): Transition {
  if (p.status !== "PAID") refuse(p, "start delivery");
  return {
    purchase: { ...p, status: "DELIVERING", deliveryStartedAt: now },
    event: { type: "PurchaseDeliveryStarted", payload: ref(p) },
  };
}

/** The driver handed the car over. */
export function deliver(p: Purchase, now: Date): Transition {
  if (p.status !== "DELIVERING") refuse(p, "be delivered");
  return {
    purchase: { ...p, status: "DELIVERED", deliveredAt: now },
    event: { type: "PurchaseDelivered", payload: ref(p) },
  };
}

/** The buyer (or staff) cancels before delivery; `reason` comes from `normalizeCancelReason`. */
export function cancel(p: Purchase, reason: string | null, now: Date): Transition {
  if (p.status !== "PAID" && p.status !== "DELIVERING") {
    throw new DomainError(
      "PURCHASE_NOT_CANCELLABLE",
      `Only paid or delivering purchases can be cancelled; this one is ${p.status.toLowerCase()}.`,
      { status: p.status },
    );
  }
  return {
    purchase: { ...p, status: "CANCELLED", cancelledAt: now, cancelReason: reason },
    event: { type: "PurchaseCancelled", payload: { ...ref(p), reason, previousStatus: p.status } },
  };
}

/**
 * The buyer sends a delivered car back within `windowMs` of its delivery; `reason` comes from
 * `parseReturnReason`. A driver then brings it back to the lot (a RETURN_PICKUP job).
 */
export function requestReturn(
  p: Purchase,
  reason: string,
  now: Date,
  windowMs = DEFAULT_RETURN_WINDOW_MS,
): Transition {
  if (p.status !== "DELIVERED" || !p.deliveredAt)
    throw new DomainError(
      "PURCHASE_NOT_RETURNABLE",
      p.status === "RETURN_REQUESTED" || p.status === "RETURNED"
        ? "This car is already being returned."
        : `Only a delivered car can be returned; this purchase is ${p.status.toLowerCase().replace("_", " ")}.`,
      { purchaseId: p.id, status: p.status },
    );
  const closesAt = new Date(p.deliveredAt.getTime() + windowMs);
  if (now.getTime() > closesAt.getTime())
    throw new DomainError(
      "RETURN_WINDOW_CLOSED",
      `The return window closed at ${closesAt.toISOString()}, ${Math.round(windowMs / 3_600_000)} hours after delivery.`,
      { purchaseId: p.id, closedAt: closesAt.toISOString() },
    );
  return {
    purchase: { ...p, status: "RETURN_REQUESTED", returnRequestedAt: now, returnReason: reason },
    event: {
      type: "PurchaseReturnRequested",
      payload: { ...ref(p), reason, paymentId: p.paymentId, priceKrw: p.priceKrw },
    },
  };
}

/** The returned car reached the lot: the payment is refunded and the car is for sale again. */
export function completeReturn(p: Purchase, now: Date): Transition {
  if (p.status !== "RETURN_REQUESTED") refuse(p, "complete a return");
  return {
    purchase: { ...p, status: "RETURNED", returnedAt: now },
    event: {
      type: "PurchaseReturned",
      payload: { ...ref(p), paymentId: p.paymentId, amountKrw: p.priceKrw },
    },
  };
}

export function parseReturnReason(raw: string): string {
  const r = raw.trim();
  if (r === "") throw badInput("reason", "Tell us why you return the car.");
  if ([...r].length > MAX_RETURN_REASON)
    throw badInput("reason", `The reason can be at most ${MAX_RETURN_REASON} characters.`);
  return r;
}

/** Trims the reason; blank means none. */
export function normalizeCancelReason(reason: string | null | undefined): string | null {
  const r = reason?.trim() ?? "";
  if (r.length > MAX_CANCEL_REASON)
    throw badInput("reason", `The reason can be at most ${MAX_CANCEL_REASON} characters.`);
  return r === "" ? null : r;
}

interface Person {
  id: string;
  role: string;
}

/** The buyer, staff, and the driver assigned to deliver it. */
export const canView = (viewer: Person, p: Purchase) =>
  viewer.role === "STAFF" ||
  viewer.id === p.buyerId ||
  (viewer.role === "DRIVER" && viewer.id === p.driverId);

export const canCancel = (viewer: Person, p: Purchase) => viewer.role === "STAFF" || viewer.id === p.buyerId;

/** Only the buyer returns their car. */
export const canReturn = (viewer: Person, p: Purchase) => viewer.id === p.buyerId;

/**
 * The purchase as a live update's event left it, from its current state: each push describes its
 * own step even when the purchase has moved on since (read now, it would show the later status
 * twice and skip this one). Steps after the event are taken back; PaymentRefunded changes no status.
 */
export function asOfEvent(p: Purchase, event: PurchaseEvent | { type: "PaymentRefunded" }): Purchase {
  const undone = {
    cancelledAt: null,
    cancelReason: null,
    returnRequestedAt: null,
    returnReason: null,
    returnedAt: null,
  };
  switch (event.type) {
    case "PurchasePaid":
      return { ...p, ...undone, status: "PAID", deliveryStartedAt: null, deliveredAt: null };
    case "PurchaseDeliveryStarted":
      return { ...p, ...undone, status: "DELIVERING", deliveredAt: null };
    case "PurchaseDelivered":
      return { ...p, ...undone, status: "DELIVERED" };
    case "PurchaseReturnRequested":
      return { ...p, status: "RETURN_REQUESTED", returnedAt: null };
    case "PurchaseCancelled":
      return { ...p, status: "CANCELLED" };
    case "PurchaseReturned":
      return { ...p, status: "RETURNED" };
    case "PaymentRefunded":
      return p;
  }
}
