import { iso, toDate, toDateOrNull, utc } from "@junggo/runtime";
import type { RepairOrderRepository } from "../app/ports.ts";
import type { RepairOrder } from "../domain/repair-order.ts";

// Plain SQL on the driver (Prisma keeps the schema and migrations). timestamp(3) holds UTC wall time.
type Row = Record<string, unknown>;
const COLUMNS = `id, kind::text AS kind, status::text AS status, "vehicleId", "sellRequestId", description, notes,
  "openedBy", ${utc("openedAt")}, ${utc("completedAt")}`;
const toOrder = (r: Row): RepairOrder => ({
  id: r.id as string,
  kind: r.kind as RepairOrder["kind"],
  status: r.status as RepairOrder["status"],
  vehicleId: r.vehicleId as string,
  sellRequestId: (r.sellRequestId as string | null) ?? null,
  description: r.description as string,
  notes: (r.notes as string | null) ?? null,
  openedBy: (r.openedBy as string | null) ?? null,
  openedAt: toDate(r.openedAt),
  completedAt: toDateOrNull(r.completedAt),
});

export const repairOrderRepository: RepairOrderRepository = {
  async insertOpen(tx, o) {
    // The slot first: a second open order for the car inserts nothing and leaves the transaction usable.
    const slot = await tx.$executeRawUnsafe(
      `INSERT INTO "OpenRepair" ("vehicleId", "repairOrderId") VALUES ($1::uuid, $2::uuid) ON CONFLICT DO NOTHING`,
      o.vehicleId,
      o.id,
    );
    if (slot !== 1) return false;
    await tx.$executeRawUnsafe(
      `INSERT INTO "RepairOrder" (id, kind, status, "vehicleId", "sellRequestId", description, notes, "openedBy", "openedAt", "completedAt")
       VALUES ($1::uuid, $2::"RepairKind", $3::"RepairOrderStatus", $4::uuid, $5::uuid, $6, $7, $8::uuid, $9::timestamp(3), $10::timestamp(3))`,
      o.id,
      o.kind,
      o.status,
      o.vehicleId,
      o.sellRequestId,
      o.description,
      o.notes,
      o.openedBy,
      iso(o.openedAt),
      iso(o.completedAt),
    );
    return true;
  },

  async lockById(tx, id) {
    const [r] = await tx.$queryRawUnsafe<Row[]>(
      `SELECT ${COLUMNS} FROM "RepairOrder" WHERE id = $1::uuid FOR UPDATE`,
      id,
    );
    return r ? toOrder(r) : null;
  },

  async saveCompleted(tx, o) {
    await tx.$executeRawUnsafe(
      `UPDATE "RepairOrder" SET status = $2::"RepairOrderStatus", notes = $3, "completedAt" = $4::timestamp(3) WHERE id = $1::uuid`,
      o.id,
      o.status,
      o.notes,
      iso(o.completedAt),
    );
    await tx.$executeRawUnsafe(`DELETE FROM "OpenRepair" WHERE "repairOrderId" = $1::uuid`, o.id);
  },

  async bySellRequest(db, sellRequestId) {
    const [r] = await db.$queryRawUnsafe<Row[]>(
      `SELECT ${COLUMNS} FROM "RepairOrder" WHERE "sellRequestId" = $1::uuid`,
      sellRequestId,
    );
    return r ? toOrder(r) : null;
  },

  async byId(db, id) {
    const [r] = await db.$queryRawUnsafe<Row[]>(
      `SELECT ${COLUMNS} FROM "RepairOrder" WHERE id = $1::uuid`,
      id,
    );
    return r ? toOrder(r) : null;
  },

  async lockOpenByVehicle(tx, vehicleId) {
    const [r] = await tx.$queryRawUnsafe<Row[]>(
      `SELECT ${COLUMNS} FROM "RepairOrder" WHERE id = (SELECT "repairOrderId" FROM "OpenRepair" WHERE "vehicleId" = $1::uuid) FOR UPDATE`,
      vehicleId,
    );
    return r ? toOrder(r) : null;
  },

  async list(db, open, first) {
    const where = open === undefined ? "" : `WHERE status = '${open ? "OPEN" : "COMPLETED"}'`;
    const rows = await db.$queryRawUnsafe<Row[]>(
      `SELECT ${COLUMNS} FROM "RepairOrder" ${where} ORDER BY "openedAt" DESC, id DESC LIMIT $1`,
      first,
    );
    return rows.map(toOrder);
  },
};
