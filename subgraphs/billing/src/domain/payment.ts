import { DomainError } from "@junggo/runtime";
import type { EventPayloads } from "@junggo/events";

/**
 * Payment lifecycle. Refunds and voids are two-step: the decision (`requestRefund`/`requestVoid`)
 * is recorded first, in the transaction of the event that caused it; the provider call happens
 * afterwards outside any transaction, and `completeRefund`/`completeVoid` record its success.
 * So the money decision is durable even while the provider is down, and no provider call ever
 * runs inside a database transaction.
 *
 *   APPROVED --requestRefund--> REFUND_PENDING --completeRefund--> REFUNDED
 *   APPROVED --requestVoid----> VOID_PENDING   --completeVoid----> VOIDED
 *   (tombstone) VOIDED without providerRef --catchLateCharge--> VOID_PENDING
 */
export type PaymentStatus = "APPROVED" | "REFUND_PENDING" | "REFUNDED" | "VOID_PENDING" | "VOIDED";

/** What the outside world sees: a pending refund/void has not given the money back yet. */
export type PublicPaymentStatus = "APPROVED" | "REFUNDED" | "VOIDED";

export interface Payment {
  id: string;
  purchaseId: string;
  buyerId: string;
  amountKrw: number;
  status: PaymentStatus;
  providerRef: string | null;
  createdAt: Date;
  refundedAt: Date | null;
  voidedAt: Date | null;
  /** The event that decided the pending refund/void; the settlement's event names it as its cause. */
  settlementCausationId: string | null;
}

export type PaymentEvent =
  | { type: "PaymentApproved"; payload: EventPayloads["PaymentApproved"] }
  | { type: "PaymentRefunded"; payload: EventPayloads["PaymentRefunded"] }
  | { type: "PaymentVoided"; payload: EventPayloads["PaymentVoided"] };

/** The new state and the event to publish (null for a decision the outside world does not see yet). */
export interface Transition<E extends PaymentEvent | null = PaymentEvent | null> {
  payment: Payment;
  event: E;
}

export const MAX_AMOUNT_KRW = 2_147_483_647; // GraphQL Int

const refuse = (p: Payment, action: string): never => {
  throw new DomainError("PAYMENT_TRANSITION_REFUSED", `A ${p.status} payment cannot be ${action}.`, {
    paymentId: p.id,
    status: p.status,
  });
};

const basePayload = (p: Payment) => ({
  paymentId: p.id,
  purchaseId: p.purchaseId,
  buyerId: p.buyerId,
  amountKrw: p.amountKrw,
});

export function publicStatus(p: Payment): PublicPaymentStatus {
  switch (p.status) {
    case "APPROVED":
    case "REFUND_PENDING":
    case "VOID_PENDING":
      return "APPROVED";
    case "REFUNDED":
      return "REFUNDED";
    case "VOIDED":
      return "VOIDED";
  }
}

/** A charge the provider approved. */
export function approve(input: {
  id: string;
  purchaseId: string;
  buyerId: string;
  amountKrw: number;
  providerRef: string;
  now: Date;
}): Transition<PaymentEvent> {
  if (!Number.isInteger(input.amountKrw) || input.amountKrw <= 0 || input.amountKrw > MAX_AMOUNT_KRW) {
    throw new DomainError("BAD_USER_INPUT", "amountKrw must be a positive whole number of won.", {
      field: "amountKrw",
    });
  }
  const payment: Payment = {
    id: input.id,
    purchaseId: input.purchaseId,
    buyerId: input.buyerId,
    amountKrw: input.amountKrw,
    status: "APPROVED",
    providerRef: input.providerRef,
    createdAt: input.now,
    refundedAt: null,
    voidedAt: null,
    settlementCausationId: null,
  };
  return { payment, event: { type: "PaymentApproved", payload: basePayload(payment) } };
}

/**
 * Blocks a purchase request that was abandoned before any charge reached billing: a charge
 * arriving later under the same purchaseId is refused. Amount 0, no provider reference.
 */
export function tombstone(input: {
  id: string;
  purchaseId: string;
  buyerId: string;
  now: Date;
  causationId: string;
}): Transition<PaymentEvent> {
  const payment: Payment = {
    id: input.id,
    purchaseId: input.purchaseId,
    buyerId: input.buyerId,
    amountKrw: 0,
    status: "VOIDED",
    providerRef: null,
    createdAt: input.now,
    refundedAt: null,
    voidedAt: input.now,
    // A late charge taken over by this tombstone is voided because of the same abandonment.
    settlementCausationId: input.causationId,
  };
  return { payment, event: { type: "PaymentVoided", payload: basePayload(payment) } };
}

export function requestRefund(p: Payment, causationId: string): Transition<null> {
  if (p.status !== "APPROVED") refuse(p, "refunded");
  return { payment: { ...p, status: "REFUND_PENDING", settlementCausationId: causationId }, event: null };
}

export function completeRefund(p: Payment, now: Date): Transition<PaymentEvent> {
  if (p.status !== "REFUND_PENDING") refuse(p, "marked refunded");
  const payment: Payment = { ...p, status: "REFUNDED", refundedAt: now };
  return { payment, event: { type: "PaymentRefunded", payload: basePayload(payment) } };
}

export function requestVoid(p: Payment, causationId: string): Transition<null> {
  if (p.status !== "APPROVED") refuse(p, "voided");
  return { payment: { ...p, status: "VOID_PENDING", settlementCausationId: causationId }, event: null };
}

export function completeVoid(p: Payment, now: Date): Transition<PaymentEvent> {
  if (p.status !== "VOID_PENDING") refuse(p, "marked voided");
  const payment: Payment = { ...p, status: "VOIDED", voidedAt: now };
  return { payment, event: { type: "PaymentVoided", payload: basePayload(payment) } };
}

export const isTombstone = (p: Payment) => p.status === "VOIDED" && p.providerRef === null;

/**
 * A charge the provider approved after the purchase request had already been abandoned (the
 * tombstone won the race): the tombstone takes the charge over so that it is voided.
 */
export function catchLateCharge(
  p: Payment,
  charge: { providerRef: string; amountKrw: number },
): Transition<null> {
  if (!isTombstone(p)) refuse(p, "given a late charge");
  return {
    payment: {
      ...p,
      status: "VOID_PENDING",
      providerRef: charge.providerRef,
      amountKrw: charge.amountKrw,
      voidedAt: null,
    },
    event: null,
  };
}

/** Which provider operation a pending payment still needs. */
export function pendingOperation(p: Payment): "REFUND" | "VOID" | null {
  if (p.status === "REFUND_PENDING") return "REFUND";
  if (p.status === "VOID_PENDING") return "VOID";
  return null;
}
