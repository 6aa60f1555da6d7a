import type { ConsignmentKind } from "@junggo/events";
import type { Logger, SqlTx } from "@junggo/runtime";
import type { Consignment } from "../domain/consignment.ts";

/** Storage of consignments. `Db` is a transaction or the plain client (for reads). */
export interface ConsignmentRepository<Db> {
  findById(db: Db, id: string): Promise<Consignment | null>;
  findByPurchase(db: Db, purchaseId: string, kind: ConsignmentKind): Promise<Consignment | null>;
  findBySellRequest(db: Db, sellRequestId: string, kind: ConsignmentKind): Promise<Consignment | null>;
  /** Inserts unless a job of the same (purchase, kind) or (sell request, kind) exists; false when one did. */
  insertIfAbsent(db: Db, c: Consignment): Promise<boolean>;
  /** Writes `c` only if the stored version is still `c.version`; false when someone else wrote first. */
  update(db: Db, c: Consignment): Promise<boolean>;
  /** REQUESTED jobs, oldest first. */
  listOpen(db: Db, first: number): Promise<Consignment[]>;
  /**
   * REQUESTED jobs that may be escalated, oldest first: fewer than `maxEscalations` escalations and
   * waiting since before `cutoff` (since the request, or the last escalation).
   */
  listAwaitingEscalation(db: Db, cutoff: Date, maxEscalations: number, first: number): Promise<Consignment[]>;
  /**
   * Newest first; `filter` narrows to one driver's jobs or to one customer's (the buyer of a
   * purchase job, the seller of a seller job); none means all.
   */
  list(db: Db, filter: { driverId?: string; customerId?: string }, first: number): Promise<Consignment[]>;
}

export interface ConsignmentDeps<Tx extends SqlTx> {
  repo: ConsignmentRepository<Tx>;
  /** One transaction for state and outbox. */
  transact<R>(fn: (tx: Tx) => Promise<R>): Promise<R>;
  clock(): Date;
  log: Logger;
  /** Minutes from acceptance to the driver's arrival at the customer (DELIVERY_ETA_MINUTES). */
  etaMinutes: number;
}
