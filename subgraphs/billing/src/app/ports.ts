import type { Logger, SqlTx } from "@junggo/runtime";
import type { Payment } from "../domain/payment.ts";
import type { Payout } from "../domain/payout.ts";

/**
 * Payments in billing's own database. Methods that change state take the transaction (`Tx`);
 * reads take the database outside any transaction (`Db`), or a transaction.
 */
export interface PaymentRepository<Tx, Db> {
  byId(db: Db | Tx, id: string): Promise<Payment | null>;
  byPurchaseId(db: Db | Tx, purchaseId: string): Promise<Payment | null>;
  /** Newest first; with `after`, the ones that come after that payment in this order. */
  latest(db: Db, take: number, after?: string): Promise<Payment[]>;
  /** Payments whose refund or void was decided but not yet confirmed by the provider. */
  pending(db: Db, take: number): Promise<Payment[]>;
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

/**
 * What billing's use cases use of the infrastructure, and their repository (tests provide just
 * this). `Tx` is a transaction (state + outbox); `Db` reads outside any transaction.
 */
export interface BillingDeps<Tx extends SqlTx = SqlTx, Db = unknown> {
  /** Reads outside a transaction. Never used inside `transact`'s callback (that uses its tx). */
  db: Db;
  /** Runs `fn` in one transaction (state + outbox); wakes the outbox relay when it appended events. */
  transact<R>(fn: (tx: Tx) => Promise<R>): Promise<R>;
  log: Logger;
  payments: PaymentRepository<Tx, Db>;
}

/** Payouts to sellers, one per sell request (the unique sellRequestId). */
export interface PayoutRepository<Tx, Db> {
  byId(db: Db | Tx, id: string): Promise<Payout | null>;
  bySellRequestId(db: Db | Tx, sellRequestId: string): Promise<Payout | null>;
  /** Inserts unless the sell request already has a payout (returns false then). */
  insert(tx: Tx, p: Payout): Promise<boolean>;
  /** Saves a transition only if the row is still in `expectedStatus`; returns success. */
  update(tx: Tx, p: Payout, expectedStatus: Payout["status"]): Promise<boolean>;
}
