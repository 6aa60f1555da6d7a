import type { SqlReader, SqlTx } from "@junggo/runtime";
import type { StatusCount } from "../domain/stock-summary.ts";
import type { Intake, Vehicle } from "../domain/vehicle.ts";
import type { VehicleCriteria } from "../domain/vehicle-search.ts";

/** A vehicle with its registration sequence number, the pagination key. */
export type ListedVehicle = Vehicle & { seq: number };

export interface VehicleReader {
  findById(id: string): Promise<Vehicle | null>;
  findByVin(vin: string): Promise<Vehicle | null>;
  /** Matches with seq > afterSeq, in seq order, at most `take`. */
  search(criteria: VehicleCriteria, afterSeq: number, take: number): Promise<ListedVehicle[]>;
  count(criteria: VehicleCriteria): Promise<number>;
  countByModelAndStatus(): Promise<StatusCount[]>;
}

export interface VehicleStore<Tx> extends VehicleReader {
  /** Inserts unless the VIN is taken (returns false then): the unique index decides races. */
  insert(tx: Tx, vehicle: Vehicle): Promise<boolean>;
  findByIdIn(tx: Tx, id: string): Promise<Vehicle | null>;
  /**
   * Inserts in plain SQL (an event handler's raw transaction) unless the id or the VIN is taken
   * (returns false then, without aborting the transaction).
   */
  insertIn(tx: Tx, vehicle: Vehicle): Promise<boolean>;
  /** Writes `next` only if the row is still as `previous` left it; false when it changed meanwhile. */
  update(tx: Tx, previous: Vehicle, next: Vehicle): Promise<boolean>;
}

/** One database transaction for state and outbox (`infra.transact`). */
export interface UnitOfWork<Tx extends SqlTx> {
  transact<R>(fn: (tx: Tx) => Promise<R>): Promise<R>;
}

/** A car the dealer bought and expects at the lot (SellRequestAccepted), as stock recorded it. */
export interface ExpectedIntake extends Intake {
  sellerId: string;
  acceptedAt: Date;
  registeredAt: Date | null;
  cancelledAt: Date | null;
}

/** Expected intakes, in plain SQL inside event handlers' transactions. */
export interface IntakeStore<Tx> {
  /** Inserts unless the sell request already has one (returns false then: a redelivery). */
  record(tx: Tx, intake: ExpectedIntake): Promise<boolean>;
  findIn(tx: Tx, sellRequestId: string): Promise<ExpectedIntake | null>;
  /** The intake that will register (or would have registered) `vehicleId`. */
  findByVehicle(db: SqlReader, vehicleId: string): Promise<ExpectedIntake | null>;
  /** Sets registeredAt or cancelledAt (once: a set one is kept). */
  mark(tx: Tx, sellRequestId: string, what: "registeredAt" | "cancelledAt", at: Date): Promise<void>;
}
