import type { SqlTx } from "@junggo/runtime";
import type { Account } from "../domain/account.ts";

export interface AccountReader {
  findById(id: string): Promise<Account | null>;
  /** `email` must already be normalised. */
  findByEmail(email: string): Promise<Account | null>;
}

export interface AccountStore<Tx> extends AccountReader {
  /** Inserts unless the email is taken (returns false then): the unique index decides races. */
  insert(tx: Tx, account: Account): Promise<boolean>;
}

/** One database transaction for state and outbox (`infra.transact`). */
export interface UnitOfWork<Tx extends SqlTx> {
  transact<R>(fn: (tx: Tx) => Promise<R>): Promise<R>;
}
