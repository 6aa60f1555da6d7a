/** The synchronous charge purchase needs from billing while the buyer waits. */
export interface BillingPort {
  /** Idempotent by purchaseId: asking again never charges twice. */
  charge(req: { purchaseId: string; buyerId: string; amountKrw: number }): Promise<ChargeOutcome>;
}

export type ChargeOutcome =
  | { kind: "approved"; paymentId: string }
  /** The card was refused: nothing was taken. */
  | { kind: "declined"; message: string }
  /**
   * The outcome is unknown or nothing was attempted (timeout, billing down, circuit open, or
   * billing refusing a voided purchaseId): the request must be abandoned so billing voids it.
   */
  | { kind: "unavailable"; reason: string; retryAfterSeconds: number };
