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
