/** The synchronous charge purchase needs from billing while the buyer waits. */
export interface BillingPort {
  /** Idempotent by purchaseId: asking again never charges twice. */
  charge(req: { purchaseId: string; buyerId: string; amountKrw: number }): Promise<ChargeOutcome>;
  /**
   * Non-null when a charge would be refused right now without calling billing (breaker open or
   * probing, bulkhead full), so a request can be turned away before it holds anything.
   */
  fastRefusal(): { reason: string; retryAfterSeconds: number } | null;
}

export type ChargeOutcome =
  | { kind: "approved"; paymentId: string }
  /** The card was refused: nothing was taken. */
  | { kind: "declined"; message: string }
  /**
   * No approval (timeout, billing down, circuit open, bulkhead full, or billing refusing a voided
   * purchaseId). `sent`: a request may have reached billing, so the outcome is unknown and the
   * purchase request must be abandoned for billing to void it; false only when billing was
   * certainly never called (refused by the breaker or the bulkhead), so there is nothing to void.
   */
  | { kind: "unavailable"; reason: string; retryAfterSeconds: number; sent: boolean };
