import type { Payment } from "../domain/payment.ts";

/**
 * Payments in billing's own database. Methods that change state take the transaction (`Tx`);
 * reads take the database outside any transaction, or a transaction (`Db`).
 */
export interface PaymentRepository<Tx, Db> {
  byId(db: Db | Tx, id: string): Promise<Payment | null>;
  byPurchaseId(db: Db | Tx, purchaseId: string): Promise<Payment | null>;
  /** Inserts; throws PurchaseIdTaken when the purchaseId already has a payment (unique index). */
  insert(tx: Tx, p: Payment): Promise<void>;
  /** Saves a transition only if the row is still in `expectedStatus`; returns success. */
  update(tx: Tx, p: Payment, expectedStatus: Payment["status"]): Promise<boolean>;
}

export class PurchaseIdTaken extends Error {
  constructor(readonly purchaseId: string) {
    super(`purchase ${purchaseId} already has a payment`);
  }
}
