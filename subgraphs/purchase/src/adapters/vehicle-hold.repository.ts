import { type SqlTx, iso, toDateOrNull, utc, type SqlReader } from "@junggo/runtime";
import type { VehicleHold } from "../domain/vehicle-hold.ts";
import { VehicleHeld, type VehicleHoldRepository } from "../app/ports.ts";

const COLUMNS = `"vehicleId", "purchaseId", "buyerId", ${utc("expiresAt")}`;

type Row = Record<keyof VehicleHold, unknown>;
const toHold = (r: Row): VehicleHold => ({
  vehicleId: r.vehicleId as string,
  purchaseId: r.purchaseId as string,
  buyerId: r.buyerId as string,
  expiresAt: toDateOrNull(r.expiresAt),
});

// Plain SQL (no Prisma client): every request takes and confirms a hold.
export const vehicleHoldRepository = {
  async byVehicle(tx: SqlTx, vehicleId: string): Promise<VehicleHold | null> {
    const [r] = await tx.$queryRawUnsafe<Row[]>(
      `SELECT ${COLUMNS} FROM "VehicleHold" WHERE "vehicleId" = $1::uuid`,
      vehicleId,
    );
    return r ? toHold(r) : null;
  },

  /** Unconfirmed holds past their expiry (requests that died midway). */
  async expired(db: SqlReader, now: Date, take: number): Promise<VehicleHold[]> {
    const rows = await db.$queryRawUnsafe<Row[]>(
      `SELECT ${COLUMNS} FROM "VehicleHold" WHERE "expiresAt" <= $1::timestamp(3) ORDER BY "expiresAt" LIMIT $2`,
      now.toISOString(),
      take,
    );
    return rows.map(toHold);
  },

  /**
   * Inserts the hold unless the vehicle (or the purchase id) already has one: the primary key on
   * vehicleId is the guarantee that one request wins. One statement, so it needs no transaction.
   */
  async tryInsert(db: SqlReader, h: VehicleHold): Promise<boolean> {
    const rows = await db.$queryRawUnsafe<unknown[]>(
      `INSERT INTO "VehicleHold" ("vehicleId", "purchaseId", "buyerId", "expiresAt", "createdAt")
       VALUES ($1::uuid, $2::uuid, $3::uuid, $4::timestamp(3), now() AT TIME ZONE 'UTC') ON CONFLICT DO NOTHING RETURNING 1 AS ok`,
      h.vehicleId,
      h.purchaseId,
      h.buyerId,
      iso(h.expiresAt),
    );
    return rows.length === 1;
  },

  /** Inserts the hold; throws VehicleHeld when the vehicle already has one. */
  async insert(tx: SqlTx, h: VehicleHold): Promise<void> {
    if (!(await vehicleHoldRepository.tryInsert(tx, h))) throw new VehicleHeld(h.vehicleId);
  },

  /** Deletes the hold of this purchase request if it is still there; false when someone else removed it. */
  async release(tx: SqlTx, h: Pick<VehicleHold, "vehicleId" | "purchaseId">): Promise<boolean> {
    return (
      (await tx.$executeRawUnsafe(
        `DELETE FROM "VehicleHold" WHERE "vehicleId" = $1::uuid AND "purchaseId" = $2::uuid`,
        h.vehicleId,
        h.purchaseId,
      )) === 1
    );
  },

  /** Deletes an unconfirmed hold only (takeover or sweep of an abandoned request). */
  async releaseUnconfirmed(tx: SqlTx, h: Pick<VehicleHold, "vehicleId" | "purchaseId">): Promise<boolean> {
    return (
      (await tx.$executeRawUnsafe(
        `DELETE FROM "VehicleHold" WHERE "vehicleId" = $1::uuid AND "purchaseId" = $2::uuid AND "expiresAt" IS NOT NULL`,
        h.vehicleId,
        h.purchaseId,
      )) === 1
    );
  },

  /** The purchase exists now: the hold no longer expires. False when the hold was lost meanwhile. */
  async confirm(tx: SqlTx, h: Pick<VehicleHold, "vehicleId" | "purchaseId">): Promise<boolean> {
    return (
      (await tx.$executeRawUnsafe(
        `UPDATE "VehicleHold" SET "expiresAt" = NULL WHERE "vehicleId" = $1::uuid AND "purchaseId" = $2::uuid AND "expiresAt" IS NOT NULL`,
        h.vehicleId,
        h.purchaseId,
      )) === 1
    );
  },
} satisfies VehicleHoldRepository<SqlTx, SqlReader>;
