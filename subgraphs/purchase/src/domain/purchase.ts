import { badInput, DomainError } from "@junggo/runtime";
import type { EventPayloads } from "@junggo/events";

/**
 * The Purchase aggregate:
 *
 *   (paid) --> PAID --startDelivery--> DELIVERING --deliver--> DELIVERED
 *              PAID | DELIVERING --cancel--> CANCELLED
 *
 * A purchase only comes to exist once its payment was approved (`pay`). Each transition returns
 * the new state and the event that announces it.
 */
export type PurchaseStatus = "PAID" | "DELIVERING" | "DELIVERED" | "CANCELLED";

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
}

export type PurchaseEvent =
  | { type: "PurchasePaid"; payload: EventPayloads["PurchasePaid"] }
  | { type: "PurchaseDeliveryStarted"; payload: EventPayloads["PurchaseDeliveryStarted"] }
  | { type: "PurchaseDelivered"; payload: EventPayloads["PurchaseDelivered"] }
  | { type: "PurchaseCancelled"; payload: EventPayloads["PurchaseCancelled"] };

export interface Transition {
  purchase: Purchase;
  event: PurchaseEvent;
}

export const MAX_CANCEL_REASON = 500;

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
