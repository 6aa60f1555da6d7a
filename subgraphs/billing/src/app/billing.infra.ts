import type { Logger, SqlTx } from "@junggo/runtime";
import type { PaymentRepository } from "./ports.ts";

/** A transaction: the repository's statements, committed together (state + outbox). */
export type BillingTx = SqlTx;
/** Reads: outside any transaction (one statement each), or a transaction. */
export type BillingDb = Pick<SqlTx, "$queryRawUnsafe">;

/** What billing's use cases use of the infrastructure, and their repositories (tests provide just this). */
export interface BillingDeps {
  /** Reads outside a transaction. Never used inside `transact`'s callback (that uses its tx). */
  db: BillingDb;
  /** Runs `fn` in one transaction (state + outbox); wakes the outbox relay when it appended events. */
  transact<R>(fn: (tx: BillingTx) => Promise<R>): Promise<R>;
  log: Logger;
  payments: PaymentRepository<BillingTx, BillingDb>;
}
