import { isUniqueViolation } from "@junggo/runtime";
import type { Prisma, PrismaClient } from "@junggo/prisma/purchase";
import type { VehicleHold } from "../domain/vehicle-hold.ts";
import { VehicleHeld } from "../app/ports.ts";

type Tx = Prisma.TransactionClient;

const fields = { vehicleId: true, purchaseId: true, buyerId: true, expiresAt: true } as const;

export const vehicleHoldRepository = {
  byVehicle(tx: Tx, vehicleId: string): Promise<VehicleHold | null> {
    return tx.vehicleHold.findUnique({ where: { vehicleId }, select: fields });
  },

  /** Unconfirmed holds past their expiry (requests that died midway). */
  expired(db: PrismaClient | Tx, now: Date, take: number): Promise<VehicleHold[]> {
    return db.vehicleHold.findMany({ where: { expiresAt: { lte: now } }, orderBy: { expiresAt: "asc" }, take, select: fields });
  },

  /**
   * Inserts the hold. The primary key on vehicleId is the guarantee that one request wins;
   * a violation (it aborts a PostgreSQL transaction) is thrown as VehicleHeld.
   */
  async insert(tx: Tx, h: VehicleHold): Promise<void> {
    try {
      await tx.vehicleHold.create({ data: h });
    } catch (err) {
      if (isUniqueViolation(err)) throw new VehicleHeld(h.vehicleId);
      throw err;
    }
  },

  /** Deletes the hold of this purchase request if it is still there; false when someone else removed it. */
  async release(tx: Tx, h: Pick<VehicleHold, "vehicleId" | "purchaseId">): Promise<boolean> {
    return (await tx.vehicleHold.deleteMany({ where: { vehicleId: h.vehicleId, purchaseId: h.purchaseId } })).count === 1;
  },

  /** Deletes an unconfirmed hold only (takeover or sweep of an abandoned request). */
  async releaseUnconfirmed(tx: Tx, h: Pick<VehicleHold, "vehicleId" | "purchaseId">): Promise<boolean> {
    return (await tx.vehicleHold.deleteMany({ where: { vehicleId: h.vehicleId, purchaseId: h.purchaseId, expiresAt: { not: null } } })).count === 1;
  },

  /** The purchase exists now: the hold no longer expires. False when the hold was lost meanwhile. */
  async confirm(tx: Tx, h: Pick<VehicleHold, "vehicleId" | "purchaseId">): Promise<boolean> {
    return (await tx.vehicleHold.updateMany({ where: { vehicleId: h.vehicleId, purchaseId: h.purchaseId, expiresAt: { not: null } }, data: { expiresAt: null } })).count === 1;
  },
};
