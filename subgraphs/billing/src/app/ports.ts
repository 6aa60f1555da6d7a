import type { Payment } from "../domain/payment.ts";

/**
 * Payments in billing's own database. `Db` is the plain client or a transaction: every method
 * takes the one to use.
 */
export interface PaymentRepository<Db> {
  byId(db: Db, id: string): Promise<Payment | null>;
  byPurchaseId(db: Db, purchaseId: string): Promise<Payment | null>;
  /**
   * Inserts; throws PurchaseIdTaken when the purchaseId already has a payment (unique index).
   * In PostgreSQL that error aborts the transaction, so callers let it end the transaction.
   */
  insert(db: Db, p: Payment): Promise<void>;
  /** Saves a transition only if the row is still in `expectedStatus`; returns success. */
  update(db: Db, p: Payment, expectedStatus: Payment["status"]): Promise<boolean>;
}

export class PurchaseIdTaken extends Error {
  constructor(readonly purchaseId: string) {
    super(`purchase ${purchaseId} already has a payment`);
  }
}
