import type { Logger, SqlReader, SqlTx } from "@junggo/runtime";
import type { RepairOrder } from "../domain/repair-order.ts";

export interface RepairOrderRepository {
  /** False when the car already has an open order (OpenRepair primary key). */
  insertOpen(tx: SqlTx, o: RepairOrder): Promise<boolean>;
  lockById(tx: SqlTx, id: string): Promise<RepairOrder | null>;
  /** Saves a completed order and frees the car's open-order slot. */
  saveCompleted(tx: SqlTx, o: RepairOrder): Promise<void>;
  bySellRequest(db: SqlReader, sellRequestId: string): Promise<RepairOrder | null>;
  byId(db: SqlReader, id: string): Promise<RepairOrder | null>;
  /** The car's open order, locked until the transaction ends; null when the car is not in the workshop. */
  lockOpenByVehicle(tx: SqlTx, vehicleId: string): Promise<RepairOrder | null>;
  /** Newest first; `open` true: only OPEN, false: only COMPLETED, undefined: all. */
  list(db: SqlReader, open: boolean | undefined, first: number): Promise<RepairOrder[]>;
}

/**
 * Whether a car may go to the workshop is decided where purchases hold cars (one primary key per
 * car for buyers and the workshop alike): a REPAIR hold is taken there before the order exists,
 * and given back when the order completes or was never written.
 */
export interface WorkshopHolds {
  take(
    vehicleId: string,
    repairOrderId: string,
  ): Promise<{ taken: true } | { taken: false; vehicleStatus: string }>;
  release(repairOrderId: string): Promise<void>;
}

export interface MaintenanceDeps {
  repo: RepairOrderRepository;
  holds: WorkshopHolds;
  transact<R>(fn: (tx: SqlTx) => Promise<R>): Promise<R>;
  reader: SqlReader;
  clock(): Date;
  newId(): string;
  log: Logger;
}
