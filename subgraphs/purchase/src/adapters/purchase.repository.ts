import { type SqlTx, batchedByKey, iso, toDate, toDateOrNull, utc, type SqlReader } from "@junggo/runtime";
import type { Purchase } from "../domain/purchase.ts";
import type { PurchaseRepository } from "../app/ports.ts";

// Plain SQL (no Prisma client): the request path, the reference resolvers and the delivery
// handlers all come through here.

const COLUMNS = `id, "vehicleId", "buyerId", "buyerName", status::text AS status, "priceKrw", "paymentId", "vehicleMake",
  "vehicleModel", "vehicleYear", "driverId", ${utc("createdAt")}, ${utc("deliveryStartedAt")}, ${utc("deliveredAt")},
  ${utc("cancelledAt")}, "cancelReason", ${utc("returnRequestedAt")}, "returnReason", ${utc("returnedAt")}`;

type Row = Record<keyof Purchase, unknown>;

const toPurchase = (r: Row): Purchase => ({
  id: r.id as string,
  vehicleId: r.vehicleId as string,
  buyerId: r.buyerId as string,
  buyerName: r.buyerName as string,
  status: r.status as Purchase["status"],
  priceKrw: Number(r.priceKrw),
  paymentId: r.paymentId as string,
  vehicleMake: r.vehicleMake as string,
  vehicleModel: r.vehicleModel as string,
  vehicleYear: Number(r.vehicleYear),
  driverId: (r.driverId as string | null) ?? null,
  createdAt: toDate(r.createdAt),
  deliveryStartedAt: toDateOrNull(r.deliveryStartedAt),
  deliveredAt: toDateOrNull(r.deliveredAt),
  cancelledAt: toDateOrNull(r.cancelledAt),
  cancelReason: (r.cancelReason as string | null) ?? null,
  returnRequestedAt: toDateOrNull(r.returnRequestedAt),
  returnReason: (r.returnReason as string | null) ?? null,
  returnedAt: toDateOrNull(r.returnedAt),
});

// `_entities` for a list of purchases costs one statement.
const byIds = batchedByKey(
  async (db, ids) =>
    (
      await db.$queryRawUnsafe<Row[]>(`SELECT ${COLUMNS} FROM "Purchase" WHERE id = ANY($1::uuid[])`, ids)
    ).map(toPurchase),
  (p) => p.id,
);

/** A purchase's values in the order of $1..$20 of both the INSERT and the UPDATE (updatedAt: now). */
const row = (p: Purchase): unknown[] => [
  p.id,
  p.vehicleId,
  p.buyerId,
  p.buyerName,
  p.status,
  p.priceKrw,
  p.paymentId,
  p.vehicleMake,
  p.vehicleModel,
  p.vehicleYear,
  p.driverId,
  iso(p.createdAt),
  new Date().toISOString(),
  iso(p.deliveryStartedAt),
  iso(p.deliveredAt),
  iso(p.cancelledAt),
  p.cancelReason,
  iso(p.returnRequestedAt),
  p.returnReason,
  iso(p.returnedAt),
];

export const purchaseRepository = {
  byId: (db: SqlReader, id: string): Promise<Purchase | null> => byIds(db, id),

  /**
   * Loads the purchase for a change, locking its row until the transaction ends so that a
   * cancellation and a delivery event never both apply to the same state.
   */
  async lockById(tx: SqlTx, id: string): Promise<Purchase | null> {
    const [r] = await tx.$queryRawUnsafe<Row[]>(
      `SELECT ${COLUMNS} FROM "Purchase" WHERE id = $1::uuid FOR UPDATE`,
      id,
    );
    return r ? toPurchase(r) : null;
  },

  /** Newest first; all purchases when buyerId is omitted (staff). */
  async list(db: SqlReader, buyerId?: string): Promise<Purchase[]> {
    const rows = buyerId
      ? await db.$queryRawUnsafe<Row[]>(
          `SELECT ${COLUMNS} FROM "Purchase" WHERE "buyerId" = $1::uuid ORDER BY "createdAt" DESC, id DESC`,
          buyerId,
        )
      : await db.$queryRawUnsafe<Row[]>(
          `SELECT ${COLUMNS} FROM "Purchase" ORDER BY "createdAt" DESC, id DESC`,
        );
    return rows.map(toPurchase);
  },

  async insert(tx: SqlTx, p: Purchase): Promise<void> {
    await tx.$executeRawUnsafe(
      `INSERT INTO "Purchase" (id, "vehicleId", "buyerId", "buyerName", status, "priceKrw", "paymentId", "vehicleMake", "vehicleModel",
         "vehicleYear", "driverId", "createdAt", "updatedAt", "deliveryStartedAt", "deliveredAt", "cancelledAt", "cancelReason",
         "returnRequestedAt", "returnReason", "returnedAt")
       VALUES ($1::uuid, $2::uuid, $3::uuid, $4, $5::"PurchaseStatus", $6, $7::uuid, $8, $9, $10, $11::uuid, $12::timestamp(3),
         $13::timestamp(3), $14::timestamp(3), $15::timestamp(3), $16::timestamp(3), $17, $18::timestamp(3), $19, $20::timestamp(3))`,
      ...row(p),
    );
  },

  async save(tx: SqlTx, p: Purchase): Promise<void> {
    await tx.$executeRawUnsafe(
      `UPDATE "Purchase" SET "vehicleId" = $2::uuid, "buyerId" = $3::uuid, "buyerName" = $4, status = $5::"PurchaseStatus", "priceKrw" = $6,
         "paymentId" = $7::uuid, "vehicleMake" = $8, "vehicleModel" = $9, "vehicleYear" = $10, "driverId" = $11::uuid,
         "createdAt" = $12::timestamp(3), "updatedAt" = $13::timestamp(3), "deliveryStartedAt" = $14::timestamp(3),
         "deliveredAt" = $15::timestamp(3), "cancelledAt" = $16::timestamp(3), "cancelReason" = $17,
         "returnRequestedAt" = $18::timestamp(3), "returnReason" = $19, "returnedAt" = $20::timestamp(3)
       WHERE id = $1::uuid`,
      ...row(p),
    );
  },
} satisfies PurchaseRepository<SqlTx, SqlReader>;
