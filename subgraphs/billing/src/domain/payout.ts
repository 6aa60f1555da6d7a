import { DomainError } from "@junggo/runtime";
import type { EventPayloads } from "@junggo/events";
import { MAX_AMOUNT_KRW } from "./payment.ts";

/**
 * What the dealer pays a seller for a car it bought (one per sell request, the idempotency key).
 *
 *   pay -------------> PAID --reverse--> REVERSED          (the seller cancelled afterwards)
 *   blockBeforePayout ---------------> REVERSED          (cancelled before the payout: a tombstone)
 *
 * The tombstone makes a late SellRequestAccepted (redelivered after the cancellation) pay nothing.
 * Its amount is what the provider took back under the sell request's key: 0 unless an earlier
 * payout attempt reached the provider before its transaction was lost.
 */
export type PayoutStatus = "PAID" | "REVERSED";

export interface Payout {
  id: string;
  sellRequestId: string;
  sellerId: string;
  amountKrw: number;
  status: PayoutStatus;
  /** The provider's reference of the payout; null for a tombstone. */
  providerRef: string | null;
  createdAt: Date;
  paidAt: Date | null;
  reversedAt: Date | null;
}

export type PayoutEvent =
  | { type: "PayoutPaid"; payload: EventPayloads["PayoutPaid"] }
  | { type: "PayoutReversed"; payload: EventPayloads["PayoutReversed"] };

export interface PayoutTransition<E extends PayoutEvent = PayoutEvent> {
  payout: Payout;
  event: E;
}

const payload = (p: Payout) => ({
  payoutId: p.id,
  sellRequestId: p.sellRequestId,
  sellerId: p.sellerId,
  amountKrw: p.amountKrw,
});

/** Throws BAD_USER_INPUT unless `amountKrw` is a whole number of won from `min`. */
export const validAmount = (amountKrw: number, min: number) => {
  if (!Number.isInteger(amountKrw) || amountKrw < min || amountKrw > MAX_AMOUNT_KRW) {
    throw new DomainError("BAD_USER_INPUT", `amountKrw must be a whole number of won from ${min}.`, {
      field: "amountKrw",
    });
  }
};

/** The provider paid the seller. */
export function pay(input: {
  id: string;
  sellRequestId: string;
  sellerId: string;
  amountKrw: number;
  providerRef: string;
  now: Date;
}): PayoutTransition<{ type: "PayoutPaid"; payload: EventPayloads["PayoutPaid"] }> {
  validAmount(input.amountKrw, 1);
  const payout: Payout = {
    id: input.id,
    sellRequestId: input.sellRequestId,
    sellerId: input.sellerId,
    amountKrw: input.amountKrw,
    status: "PAID",
    providerRef: input.providerRef,
    createdAt: input.now,
    paidAt: input.now,
    reversedAt: null,
  };
  return { payout, event: { type: "PayoutPaid", payload: payload(payout) } };
}

/** The provider took a paid payout back (the seller cancelled). */
export function reverse(
  p: Payout,
  now: Date,
): PayoutTransition<{ type: "PayoutReversed"; payload: EventPayloads["PayoutReversed"] }> {
  if (p.status !== "PAID") {
    throw new DomainError("PAYMENT_TRANSITION_REFUSED", `A ${p.status} payout cannot be reversed.`, {
      payoutId: p.id,
      status: p.status,
    });
  }
  const payout: Payout = { ...p, status: "REVERSED", reversedAt: now };
  return { payout, event: { type: "PayoutReversed", payload: payload(payout) } };
}

/**
 * The sell request was cancelled before billing paid anything: REVERSED from the start, so that the
 * acceptance (if it is still to come, or redelivered) pays nothing. `reversedAmountKrw` is what the
 * provider took back under the sell request's key (0 when nothing had reached it).
 */
export function blockBeforePayout(input: {
  id: string;
  sellRequestId: string;
  sellerId: string;
  reversedAmountKrw: number;
  now: Date;
}): PayoutTransition<{ type: "PayoutReversed"; payload: EventPayloads["PayoutReversed"] }> {
  validAmount(input.reversedAmountKrw, 0);
  const payout: Payout = {
    id: input.id,
    sellRequestId: input.sellRequestId,
    sellerId: input.sellerId,
    amountKrw: input.reversedAmountKrw,
    status: "REVERSED",
    providerRef: null,
    createdAt: input.now,
    paidAt: null,
    reversedAt: input.now,
  };
  return { payout, event: { type: "PayoutReversed", payload: payload(payout) } };
}

/** The seller, and staff, may see a payout. */
export const canSeePayout = (viewer: { id: string; role: string } | null, p: Payout): boolean =>
  !!viewer && (viewer.role === "STAFF" || viewer.id === p.sellerId);
