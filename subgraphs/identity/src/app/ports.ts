import type { SqlTx } from "@junggo/runtime";
import type { Account } from "../domain/account.ts";
import type { LoginThrottlePolicy, LoginThrottleState } from "../domain/login-throttle.ts";

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

/** Failure records of the login throttle, by normalised email (known or not). */
export interface LoginThrottleStore {
  find(email: string): Promise<LoginThrottleState | null>;
  /**
   * Replaces the email's record with `next(current)` atomically: concurrent calls for one email
   * run one after the other (row lock), so no failure is lost. Returns the stored record.
   * `next` may run more than once (after losing the race to create the record); returning
   * `current` itself writes nothing.
   */
  change(
    email: string,
    next: (current: LoginThrottleState | null) => LoginThrottleState,
  ): Promise<LoginThrottleState>;
  /** Forgets the email's failures (after a successful login). */
  clear(email: string): Promise<void>;
}

/** Housekeeping of the throttle's records. */
export interface SpentLoginThrottleRecords {
  /** Deletes every record `isSpent` at `now` under `policy`; returns how many. */
  purgeSpent(now: Date, policy: LoginThrottlePolicy): Promise<number>;
  /** How many records are stored. */
  count(): Promise<number>;
}
