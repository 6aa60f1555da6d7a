import type { Purchase } from "../domain/purchase.ts";
import type { HoldClaim, HoldKind, VehicleHold } from "../domain/vehicle-hold.ts";

// Purchase's storage. Methods that change state take the transaction (`Tx`); reads take the
// database outside any transaction or a transaction (`Db`).

export interface PurchaseRepository<Tx, Db> {
  byId(db: Db, id: string): Promise<Purchase | null>;
  /** Loads the purchase for a change, locking its row until the transaction ends. */
  lockById(tx: Tx, id: string): Promise<Purchase | null>;
  /** Newest first; all purchases when buyerId is omitted (staff). */
  list(db: Db, buyerId?: string): Promise<Purchase[]>;
  insert(tx: Tx, p: Purchase): Promise<void>;
  save(tx: Tx, p: Purchase): Promise<void>;
}

/** Thrown when the vehicle already has a hold (primary key): another request or purchase has it. */
export class VehicleHeld extends Error {
  constructor(readonly vehicleId: string) {
    super(`vehicle ${vehicleId} is held`);
  }
}

export interface VehicleHoldRepository<Tx, Db> {
  /** The vehicle's hold when a purchase holds it (null when free or held by anyone else). */
  byVehicle(tx: Tx, vehicleId: string): Promise<VehicleHold | null>;
  /** Unconfirmed holds past their expiry (requests that died midway). */
  expired(db: Db, now: Date, take: number): Promise<VehicleHold[]>;
  /** Inserts the hold unless the vehicle already has one (false then); one statement, no transaction needed. */
  tryInsert(db: Db, h: VehicleHold): Promise<boolean>;
  /** Inserts the hold; throws VehicleHeld when the vehicle already has one. */
  insert(tx: Tx, h: VehicleHold): Promise<void>;
  /**
   * Deletes the vehicle's hold if this holder still has it: `{ vehicleId, purchaseId }` for a
   * purchase's, `{ vehicleId, kind, holderId }` for any kind; false when it was not there.
   */
  release(tx: Tx, h: Pick<VehicleHold, "vehicleId" | "purchaseId"> | HoldClaim): Promise<boolean>;
  /** The vehicle's hold, whoever holds it, locked until the transaction ends; null when the car is free. */
  lockClaim(tx: Tx, vehicleId: string): Promise<HoldClaim | null>;
  /** The car this holder holds, if any. */
  byHolder(db: Db, kind: HoldKind, holderId: string): Promise<HoldClaim | null>;
  /** Takes a free car for a holder other than a purchase; false when the car or the holder is taken. */
  tryClaim(tx: Tx, c: HoldClaim): Promise<boolean>;
  /** Hands the (locked) hold of the car to another holder. */
  replace(tx: Tx, c: HoldClaim): Promise<void>;
  /** Deletes an unconfirmed hold only (takeover or sweep of an abandoned request). */
  releaseUnconfirmed(tx: Tx, h: Pick<VehicleHold, "vehicleId" | "purchaseId">): Promise<boolean>;
  /** The purchase exists now: the hold no longer expires. False when the hold was lost meanwhile. */
  confirm(tx: Tx, h: Pick<VehicleHold, "vehicleId" | "purchaseId">): Promise<boolean>;
}

/** WITHDRAWN: the seller took the car back (never purchasable again). */
export type VehicleAvailability = "AVAILABLE" | "RESERVED" | "SOLD" | "WITHDRAWN";

export interface ProjectedVehicle {
  id: string;
  make: string;
  model: string;
  year: number;
  priceKrw: number;
  status: VehicleAvailability;
}

/** Purchase's own copy of what it needs to know about stock's vehicles (fed by stock's events). */
export interface VehicleProjectionRepository<Tx, Db> {
  byId(db: Db, id: string): Promise<ProjectedVehicle | null>;
  /** A registration creates the vehicle AVAILABLE; a repeated one refreshes its details but never its status. */
  register(tx: Tx, v: Omit<ProjectedVehicle, "status">): Promise<void>;
  /** False when the vehicle is unknown here. */
  setStatus(tx: Tx, id: string, status: VehicleAvailability): Promise<boolean>;
}
