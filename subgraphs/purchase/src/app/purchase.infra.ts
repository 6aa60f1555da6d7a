import type { Logger, SqlTx } from "@junggo/runtime";
import type { PurchaseRepository, VehicleHoldRepository, VehicleProjectionRepository } from "./ports.ts";

/** A transaction: the repositories' statements, committed together (state + outbox). */
export type PurchaseTx = SqlTx;
/** Reads: outside any transaction (one statement each), or a transaction. */
export type PurchaseDb = Pick<SqlTx, "$queryRawUnsafe">;

export interface PurchaseRepositories {
  purchases: PurchaseRepository<PurchaseTx, PurchaseDb>;
  holds: VehicleHoldRepository<PurchaseTx, PurchaseDb>;
  vehicles: VehicleProjectionRepository<PurchaseTx, PurchaseDb>;
}

/** What purchase's use cases use of the infrastructure, and their repositories (tests provide just this). */
export interface PurchaseDeps extends PurchaseRepositories {
  /** Reads outside a transaction. Never used inside `transact`'s callback (that uses its tx). */
  db: PurchaseDb;
  /** Runs `fn` in one transaction (state + outbox); wakes the outbox relay when it appended events. */
  transact<R>(fn: (tx: PurchaseTx) => Promise<R>): Promise<R>;
  log: Logger;
}
