import { type SqlTx, iso, toDateOrNull, utc, type SqlReader } from "@junggo/runtime";
import type { HoldClaim, HoldKind, VehicleHold } from "../domain/vehicle-hold.ts";
import { VehicleHeld, type VehicleHoldRepository } from "../app/ports.ts";

const COLUMNS = `"vehicleId", "purchaseId", "buyerId", ${utc("expiresAt")}`;
const CLAIM = `"vehicleId", kind::text AS kind, "holderId"`;

type Row = Record<keyof VehicleHold, unknown>;
const toClaim = (r: Record<keyof HoldClaim, unknown>): HoldClaim => ({
  vehicleId: r.vehicleId as string,
  kind: r.kind as HoldKind,
  holderId: r.holderId as string,
});
const toHold = (r: Row): VehicleHold => ({
  vehicleId: r.vehicleId as string,
  purchaseId: r.purchaseId as string,
  buyerId: r.buyerId as string,
  expiresAt: toDateOrNull(r.expiresAt),
});

// Plain SQL (no Prisma client): every request takes and confirms a hold.
export const vehicleHoldRepository = {
  /** The vehicle's hold when a purchase holds it (null when free or held by anyone else). */
  async byVehicle(tx: SqlTx, vehicleId: string): Promise<VehicleHold | null> {
    const [r] = await tx.$queryRawUnsafe<Row[]>(
      `SELECT ${COLUMNS} FROM "VehicleHold" WHERE "vehicleId" = $1::uuid AND kind = 'PURCHASE'`,
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
      `INSERT INTO "VehicleHold" ("vehicleId", kind, "holderId", "purchaseId", "buyerId", "expiresAt", "createdAt")
       VALUES ($1::uuid, 'PURCHASE', $2::uuid, $2::uuid, $3::uuid, $4::timestamp(3), now() AT TIME ZONE 'UTC') ON CONFLICT DO NOTHING RETURNING 1 AS ok`,
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

  /**
   * Deletes the vehicle's hold if this holder still has it: `{ vehicleId, purchaseId }` for a
   * purchase's, `{ vehicleId, kind, holderId }` for any kind. False when it was not there (already
   * released, replaced, or someone else's): releasing twice is harmless.
   */
  async release(tx: SqlTx, h: Pick<VehicleHold, "vehicleId" | "purchaseId"> | HoldClaim): Promise<boolean> {
    const [kind, holderId] = "purchaseId" in h ? ["PURCHASE", h.purchaseId] : [h.kind, h.holderId];
    return (
      (await tx.$executeRawUnsafe(
        `DELETE FROM "VehicleHold" WHERE "vehicleId" = $1::uuid AND kind = $2::"HoldKind" AND "holderId" = $3::uuid`,
        h.vehicleId,
        kind,
        holderId,
      )) === 1
    );
  },

  /** The vehicle's hold, whoever holds it, locked until the transaction ends; null when the car is free. */
  async lockClaim(tx: SqlTx, vehicleId: string): Promise<HoldClaim | null> {
    const [r] = await tx.$queryRawUnsafe<Record<keyof HoldClaim, unknown>[]>(
      `SELECT ${CLAIM} FROM "VehicleHold" WHERE "vehicleId" = $1::uuid FOR UPDATE`,
      vehicleId,
    );
    return r ? toClaim(r) : null;
  },

  /** The car this holder holds, if any (a holder holds at most one car). */
  async byHolder(db: SqlReader, kind: HoldKind, holderId: string): Promise<HoldClaim | null> {
    const [r] = await db.$queryRawUnsafe<Record<keyof HoldClaim, unknown>[]>(
      `SELECT ${CLAIM} FROM "VehicleHold" WHERE kind = $1::"HoldKind" AND "holderId" = $2::uuid`,
      kind,
      holderId,
    );
    return r ? toClaim(r) : null;
  },

  /** Takes a free car for a holder other than a purchase (no expiry); false when the car or holder is taken. */
  async tryClaim(tx: SqlTx, c: HoldClaim): Promise<boolean> {
    const rows = await tx.$queryRawUnsafe<unknown[]>(
      `INSERT INTO "VehicleHold" ("vehicleId", kind, "holderId", "createdAt")
       VALUES ($1::uuid, $2::"HoldKind", $3::uuid, now() AT TIME ZONE 'UTC') ON CONFLICT DO NOTHING RETURNING 1 AS ok`,
      c.vehicleId,
      c.kind,
      c.holderId,
    );
    return rows.length === 1;
  },

  /** Hands the (locked) hold of the car to another holder. */
  async replace(tx: SqlTx, c: HoldClaim): Promise<void> {
    await tx.$executeRawUnsafe(
      `UPDATE "VehicleHold" SET kind = $2::"HoldKind", "holderId" = $3::uuid, "purchaseId" = NULL, "buyerId" = NULL,
         "expiresAt" = NULL, "createdAt" = now() AT TIME ZONE 'UTC' WHERE "vehicleId" = $1::uuid`,
      c.vehicleId,
      c.kind,
      c.holderId,
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
