import { type SqlTx, batchedByKey, iso, toDate, toDateOrNull, utc, type SqlReader } from "@junggo/runtime";
import type { Payout } from "../domain/payout.ts";
import type { PayoutRepository } from "../app/ports.ts";

// Payouts in billing's own database, in plain SQL like the payments (payment.repository.ts).

const COLUMNS = `id, "sellRequestId", "sellerId", "amountKrw", status::text AS status, "providerRef", ${utc("createdAt")},
  ${utc("paidAt")}, ${utc("reversedAt")}`;

type Row = Record<keyof Payout, unknown>;

const toPayout = (r: Row): Payout => ({
  id: r.id as string,
  sellRequestId: r.sellRequestId as string,
  sellerId: r.sellerId as string,
  amountKrw: Number(r.amountKrw),
  status: r.status as Payout["status"],
  providerRef: (r.providerRef as string | null) ?? null,
  createdAt: toDate(r.createdAt),
  paidAt: toDateOrNull(r.paidAt),
  reversedAt: toDateOrNull(r.reversedAt),
});

// A list's reference resolvers (`_entities` of several sell requests) cost one statement.
const byIds = batchedByKey(
  async (db, ids) =>
    (await db.$queryRawUnsafe<Row[]>(`SELECT ${COLUMNS} FROM "Payout" WHERE id = ANY($1::uuid[])`, ids)).map(
      toPayout,
    ),
  (p) => p.id,
);
const bySellRequestIds = batchedByKey(
  async (db, ids) =>
    (
      await db.$queryRawUnsafe<Row[]>(
        `SELECT ${COLUMNS} FROM "Payout" WHERE "sellRequestId" = ANY($1::uuid[])`,
        ids,
      )
    ).map(toPayout),
  (p) => p.sellRequestId,
);

export const payoutRepository: PayoutRepository<SqlTx, SqlReader> = {
  byId: (db: SqlReader, id: string) => byIds(db, id),
  bySellRequestId: (db: SqlReader, sellRequestId: string) => bySellRequestIds(db, sellRequestId),

  async insert(tx: SqlTx, p: Payout): Promise<boolean> {
    const inserted = await tx.$executeRawUnsafe(
      `INSERT INTO "Payout" (id, "sellRequestId", "sellerId", "amountKrw", status, "providerRef", "createdAt", "paidAt", "reversedAt")
       VALUES ($1::uuid, $2::uuid, $3::uuid, $4, $5::"PayoutStatus", $6, $7::timestamp(3), $8::timestamp(3), $9::timestamp(3))
       ON CONFLICT ("sellRequestId") DO NOTHING`,
      p.id,
      p.sellRequestId,
      p.sellerId,
      p.amountKrw,
      p.status,
      p.providerRef,
      iso(p.createdAt),
      iso(p.paidAt),
      iso(p.reversedAt),
    );
    return inserted === 1;
  },

  async update(tx: SqlTx, p: Payout, expectedStatus: Payout["status"]): Promise<boolean> {
    const updated = await tx.$executeRawUnsafe(
      `UPDATE "Payout" SET status = $3::"PayoutStatus", "amountKrw" = $4, "reversedAt" = $5::timestamp(3)
       WHERE id = $1::uuid AND status = $2::"PayoutStatus"`,
      p.id,
      expectedStatus,
      p.status,
      p.amountKrw,
      iso(p.reversedAt),
    );
    return updated === 1;
  },
};
