import type { Prisma } from "@junggo/prisma/dashboard";
import type { SqlTx } from "@junggo/runtime";
import type { PurchaseView } from "../domain/purchase-view.ts";
import type { PurchaseViewRepository } from "../app/ports.ts";

// The plain client is structurally a transaction client too, so one type serves reads and writes.
type Db = Prisma.TransactionClient;

const toView = ({ version: _version, ...view }: { version: number } & PurchaseView): PurchaseView => view;

// The projection's find and save are plain SQL: they run for every projected event inside the
// consumer's raw transaction (no Prisma client there), and on a Prisma client or transaction for
// reads and dead-letter replays. Columns in the order of `values` below.
const COLUMNS = [
  "purchaseId",
  "buyerId",
  "vehicleId",
  "vehicleName",
  "priceKrw",
  "purchaseStatus",
  "paymentStatus",
  "consignmentId",
  "consignmentStatus",
  "driverName",
  "eta",
  "createdAt",
  "updatedAt",
  "returnConsignmentId",
  "returnPickupStatus",
] as const;
const SELECT = `SELECT ${COLUMNS.map((c) => `"${c}"`).join(", ")}, "version" FROM "PurchaseView" WHERE "purchaseId" = $1::uuid`;
const INSERT = `INSERT INTO "PurchaseView" (${COLUMNS.map((c) => `"${c}"`).join(", ")}) VALUES ($1::uuid, $2::uuid, $3::uuid, $4, $5, $6::"PurchaseStatus", $7::"PaymentStatus", $8::uuid, $9::"ConsignmentStatus", $10, $11::timestamp(3), $12::timestamp(3), $13::timestamp(3), $14::uuid, $15::"ConsignmentStatus")`;
const UPDATE = `UPDATE "PurchaseView" SET "buyerId" = $2::uuid, "vehicleId" = $3::uuid, "vehicleName" = $4, "priceKrw" = $5, "purchaseStatus" = $6::"PurchaseStatus", "paymentStatus" = $7::"PaymentStatus", "consignmentId" = $8::uuid, "consignmentStatus" = $9::"ConsignmentStatus", "driverName" = $10, "eta" = $11::timestamp(3), "createdAt" = $12::timestamp(3), "updatedAt" = $13::timestamp(3), "returnConsignmentId" = $14::uuid, "returnPickupStatus" = $15::"ConsignmentStatus", "version" = "version" + 1 WHERE "purchaseId" = $1::uuid AND "version" = $16`;

// Timestamps travel as UTC text: `timestamp(3)` holds UTC wall time, as Prisma writes it.
const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
const date = (v: unknown) =>
  v === null || v === undefined ? null : v instanceof Date ? v : new Date(String(v));
const values = (v: PurchaseView) => [
  v.purchaseId,
  v.buyerId,
  v.vehicleId,
  v.vehicleName,
  v.priceKrw,
  v.purchaseStatus,
  v.paymentStatus,
  v.consignmentId,
  v.consignmentStatus,
  v.driverName,
  iso(v.eta),
  iso(v.createdAt),
  iso(v.updatedAt),
  v.returnConsignmentId,
  v.returnPickupStatus,
];

type RawRow = Record<(typeof COLUMNS)[number] | "version", unknown>;

function fromRow(r: RawRow): PurchaseView {
  return {
    purchaseId: r.purchaseId as string,
    buyerId: r.buyerId as string | null,
    vehicleId: r.vehicleId as string | null,
    vehicleName: r.vehicleName as string | null,
    priceKrw: r.priceKrw === null ? null : Number(r.priceKrw),
    purchaseStatus: r.purchaseStatus as PurchaseView["purchaseStatus"],
    paymentStatus: r.paymentStatus as PurchaseView["paymentStatus"],
    consignmentId: r.consignmentId as string | null,
    consignmentStatus: r.consignmentStatus as PurchaseView["consignmentStatus"],
    driverName: r.driverName as string | null,
    eta: date(r.eta),
    returnConsignmentId: r.returnConsignmentId as string | null,
    returnPickupStatus: r.returnPickupStatus as PurchaseView["returnPickupStatus"],
    createdAt: date(r.createdAt),
    updatedAt: date(r.updatedAt)!,
  };
}

export const prismaPurchaseViewRepository: PurchaseViewRepository<Db> = {
  async find(db: SqlTx, purchaseId) {
    const [row] = await db.$queryRawUnsafe<RawRow[]>(SELECT, purchaseId);
    return row ? { view: fromRow(row), version: Number(row.version) } : null;
  },

  async save(db: SqlTx, view, previousVersion) {
    // A concurrent insert of the same purchase fails on the key and is retried as an update.
    if (previousVersion === null) return (await db.$executeRawUnsafe(INSERT, ...values(view))) === 1;
    return (await db.$executeRawUnsafe(UPDATE, ...values(view), previousVersion)) === 1;
  },

  async listReady(db, filter, first) {
    const rows = await db.purchaseView.findMany({
      where: { ...filter, createdAt: { not: null }, purchaseStatus: { not: null } },
      orderBy: [{ createdAt: "desc" }, { purchaseId: "asc" }],
      take: first,
    });
    return rows.map(toView);
  },
};
