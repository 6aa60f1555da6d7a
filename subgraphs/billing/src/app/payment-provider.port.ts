/**
 * The payment provider (PG) as billing needs it. Every call carries an idempotency key, so a
 * repeated call (retry, second replica, restart) never moves money twice.
 */
export interface PaymentProvider {
  /** Key: the purchaseId. A declined charge is a normal outcome, not an error. */
  charge(req: { idempotencyKey: string; buyerId: string; amountKrw: number }): Promise<ChargeOutcome>;
  /** Gives an approved charge back after the sale was cancelled. Key: the paymentId. */
  refund(req: { idempotencyKey: string; providerRef: string; amountKrw: number }): Promise<void>;
  /** Cancels a charge whose purchase never came to exist. Key: the paymentId. */
  void(req: { idempotencyKey: string; providerRef: string; amountKrw: number }): Promise<void>;
  /** Pays a seller. Key: the sellRequestId (a repeat returns the first payout's reference). */
  payout(req: {
    idempotencyKey: string;
    sellerId: string;
    amountKrw: number;
  }): Promise<{ providerRef: string }>;
  /**
   * Takes back the payout made under `payoutKey` (the sellRequestId), if one was made; returns the
   * amount taken back (0 when none was made). Key: the sellRequestId as well (one reversal per payout).
   */
  reversePayout(req: { idempotencyKey: string; payoutKey: string }): Promise<{ reversedAmountKrw: number }>;
}

export type ChargeOutcome =
  | { outcome: "APPROVED"; providerRef: string }
  | { outcome: "DECLINED"; reason: string };

/** The provider could not be reached or failed; the operation may be retried with the same key. */
export class ProviderUnavailableError extends Error {
  constructor(message = "payment provider unavailable") {
    super(message);
    this.name = "ProviderUnavailableError";
  }
}
