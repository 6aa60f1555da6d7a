import type { Prisma } from "@junggo/prisma/dashboard";
import type { SqlTx } from "@junggo/runtime";
import type { SaleView } from "../domain/sale-view.ts";
import type { SaleViewRepository } from "../app/ports.ts";

type Db = Prisma.TransactionClient;

// Plain SQL like purchase-view.repository.ts: the projection runs in the consumer's raw transaction.
const COLUMNS = [
  "sellRequestId",
  "sellerId",
  "vehicleName",
  "offerKrw",
  "status",
  "payoutStatus",
  "pickupConsignmentId",
  "pickupStatus",
  "createdAt",
  "updatedAt",
] as const;
const SELECT = `SELECT ${COLUMNS.map((c) => `"${c}"`).join(", ")}, "version" FROM "SaleView" WHERE "sellRequestId" = $1::uuid`;
const INSERT = `INSERT INTO "SaleView" (${COLUMNS.map((c) => `"${c}"`).join(", ")}) VALUES ($1::uuid, $2::uuid, $3, $4, $5::"SellRequestStatus", $6::"PayoutStatus", $7::uuid, $8::"ConsignmentStatus", $9::timestamp(3), $10::timestamp(3))`;
const UPDATE = `UPDATE "SaleView" SET "sellerId" = $2::uuid, "vehicleName" = $3, "offerKrw" = $4, "status" = $5::"SellRequestStatus", "payoutStatus" = $6::"PayoutStatus", "pickupConsignmentId" = $7::uuid, "pickupStatus" = $8::"ConsignmentStatus", "createdAt" = $9::timestamp(3), "updatedAt" = $10::timestamp(3), "version" = "version" + 1 WHERE "sellRequestId" = $1::uuid AND "version" = $11`;

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
const date = (v: unknown) =>
  v === null || v === undefined ? null : v instanceof Date ? v : new Date(String(v));
const values = (v: SaleView) => [
  v.sellRequestId,
  v.sellerId,
  v.vehicleName,
  v.offerKrw,
  v.status,
  v.payoutStatus,
  v.pickupConsignmentId,
  v.pickupStatus,
  iso(v.createdAt),
  iso(v.updatedAt),
];

type RawRow = Record<(typeof COLUMNS)[number] | "version", unknown>;

function fromRow(r: RawRow): SaleView {
  return {
    sellRequestId: r.sellRequestId as string,
    sellerId: r.sellerId as string | null,
    vehicleName: r.vehicleName as string | null,
    offerKrw: r.offerKrw === null ? null : Number(r.offerKrw),
    status: r.status as SaleView["status"],
    payoutStatus: r.payoutStatus as SaleView["payoutStatus"],
    pickupConsignmentId: r.pickupConsignmentId as string | null,
    pickupStatus: r.pickupStatus as SaleView["pickupStatus"],
    createdAt: date(r.createdAt),
    updatedAt: date(r.updatedAt)!,
  };
}

/** A stored row without its write counter. */
export const toSale = ({ version: _version, ...view }: { version: number } & SaleView): SaleView => view;

export const prismaSaleViewRepository: SaleViewRepository<Db> = {
  async find(db: SqlTx, sellRequestId) {
    const [row] = await db.$queryRawUnsafe<RawRow[]>(SELECT, sellRequestId);
    return row ? { view: fromRow(row), version: Number(row.version) } : null;
  },

  async save(db: SqlTx, view, previousVersion) {
    // A concurrent insert of the same sell request fails on the key and is retried as an update.
    if (previousVersion === null) return (await db.$executeRawUnsafe(INSERT, ...values(view))) === 1;
    return (await db.$executeRawUnsafe(UPDATE, ...values(view), previousVersion)) === 1;
  },

  async listReady(db, filter, first) {
    const rows = await db.saleView.findMany({
      where: {
        ...filter,
        sellerId: filter.sellerId ?? { not: null },
        vehicleName: { not: null },
        offerKrw: { not: null },
        status: { not: null },
      },
      orderBy: [{ updatedAt: "desc" }, { sellRequestId: "asc" }],
      take: first,
    });
    return rows.map(toSale);
  },
};
