import { type SqlTx, batchedByKey, iso, toDate, toDateOrNull, utc, type SqlReader } from "@junggo/runtime";
import type { Payment } from "../domain/payment.ts";
import { type PaymentRepository, PurchaseIdTaken } from "../app/ports.ts";

// Payments in billing's own database, in plain SQL (no Prisma client): the charge, the
// compensations, the settlement worker and the resolvers all come through here.

const COLUMNS = `id, "purchaseId", "buyerId", "amountKrw", status::text AS status, "providerRef", ${utc("createdAt")},
  ${utc("refundedAt")}, ${utc("voidedAt")}, "settlementCausationId"`;

type Row = Record<keyof Payment, unknown>;

const toPayment = (r: Row): Payment => ({
  id: r.id as string,
  purchaseId: r.purchaseId as string,
  buyerId: r.buyerId as string,
  amountKrw: Number(r.amountKrw),
  status: r.status as Payment["status"],
  providerRef: (r.providerRef as string | null) ?? null,
  createdAt: toDate(r.createdAt),
  refundedAt: toDateOrNull(r.refundedAt),
  voidedAt: toDateOrNull(r.voidedAt),
  settlementCausationId: (r.settlementCausationId as string | null) ?? null,
});

// A list's reference resolvers (`_entities`, `Purchase.payment`) cost one statement.
const byIds = batchedByKey(
  async (db, ids) =>
    (await db.$queryRawUnsafe<Row[]>(`SELECT ${COLUMNS} FROM "Payment" WHERE id = ANY($1::uuid[])`, ids)).map(
      toPayment,
    ),
  (p) => p.id,
);
const byPurchaseIds = batchedByKey(
  async (db, ids) =>
    (
      await db.$queryRawUnsafe<Row[]>(
        `SELECT ${COLUMNS} FROM "Payment" WHERE "purchaseId" = ANY($1::uuid[])`,
        ids,
      )
    ).map(toPayment),
  (p) => p.purchaseId,
);

export const paymentRepository: PaymentRepository<SqlTx, SqlReader> = {
  /** Batched per tick and connection (or transaction). */
  byId: (db: SqlReader, id: string): Promise<Payment | null> => byIds(db, id),

  /** Batched per tick and connection (or transaction). */
  byPurchaseId: (db: SqlReader, purchaseId: string): Promise<Payment | null> => byPurchaseIds(db, purchaseId),

  /** Newest first; with `after`, the ones that come after that payment in this order. */
  async latest(db: SqlReader, take: number, after?: string): Promise<Payment[]> {
    const rows = after
      ? await db.$queryRawUnsafe<Row[]>(
          `SELECT ${COLUMNS} FROM "Payment" WHERE ("createdAt", id) < (SELECT "createdAt", id FROM "Payment" WHERE id = $2::uuid)
           ORDER BY "createdAt" DESC, id DESC LIMIT $1`,
          take,
          after,
        )
      : await db.$queryRawUnsafe<Row[]>(
          `SELECT ${COLUMNS} FROM "Payment" ORDER BY "createdAt" DESC, id DESC LIMIT $1`,
          take,
        );
    return rows.map(toPayment);
  },

  /** Payments whose refund or void was decided but not yet confirmed by the provider. */
  async pending(db: SqlReader, take: number): Promise<Payment[]> {
    const rows = await db.$queryRawUnsafe<Row[]>(
      `SELECT ${COLUMNS} FROM "Payment" WHERE status IN ('REFUND_PENDING', 'VOID_PENDING') ORDER BY "createdAt" LIMIT $1`,
      take,
    );
    return rows.map(toPayment);
  },

  /** Inserts; throws PurchaseIdTaken when the purchaseId already has a payment (unique index). */
  async insert(tx: SqlTx, p: Payment): Promise<void> {
    const inserted = await tx.$executeRawUnsafe(
      `INSERT INTO "Payment" (id, "purchaseId", "buyerId", "amountKrw", status, "providerRef", "createdAt", "refundedAt", "voidedAt", "settlementCausationId")
       VALUES ($1::uuid, $2::uuid, $3::uuid, $4, $5::"PaymentStatus", $6, $7::timestamp(3), $8::timestamp(3), $9::timestamp(3), $10::uuid)
       ON CONFLICT ("purchaseId") DO NOTHING`,
      p.id,
      p.purchaseId,
      p.buyerId,
      p.amountKrw,
      p.status,
      p.providerRef,
      iso(p.createdAt),
      iso(p.refundedAt),
      iso(p.voidedAt),
      p.settlementCausationId,
    );
    if (inserted !== 1) throw new PurchaseIdTaken(p.purchaseId);
  },

  /**
   * Saves a transition only if the row is still in the state it was loaded in (optimistic
   * concurrency: two replicas completing the same refund change it once). Returns success.
   */
  async update(tx: SqlTx, p: Payment, expectedStatus: Payment["status"]): Promise<boolean> {
    const updated = await tx.$executeRawUnsafe(
      `UPDATE "Payment" SET "purchaseId" = $3::uuid, "buyerId" = $4::uuid, "amountKrw" = $5, status = $6::"PaymentStatus", "providerRef" = $7,
         "createdAt" = $8::timestamp(3), "refundedAt" = $9::timestamp(3), "voidedAt" = $10::timestamp(3), "settlementCausationId" = $11::uuid
       WHERE id = $1::uuid AND status = $2::"PaymentStatus"`,
      p.id,
      expectedStatus,
      p.purchaseId,
      p.buyerId,
      p.amountKrw,
      p.status,
      p.providerRef,
      iso(p.createdAt),
      iso(p.refundedAt),
      iso(p.voidedAt),
      p.settlementCausationId,
    );
    return updated === 1;
  },
};
