import type { Prisma } from "@junggo/prisma/consignment";
import { isUuid, type SqlTx } from "@junggo/runtime";
import type { Consignment } from "../domain/consignment.ts";
import type { ConsignmentRepository } from "../app/ports.ts";

// The plain client is structurally a transaction client too, so one type serves reads and writes.
type Db = Prisma.TransactionClient;

// What the event handlers and live updates use (findById, findByPurchase, findBySellRequest, insertIfAbsent, update) is plain SQL: it runs in the
// consumer's raw transaction (no Prisma client there; see consignment.module.ts) as well as on
// Prisma transactions (driver commands, replays). The rest stays on the Prisma client.
const DATES = [
  "eta",
  "requestedAt",
  "assignedAt",
  "pickedUpAt",
  "deliveredAt",
  "cancelledAt",
  "escalatedAt",
] as const;
const COLS: readonly [keyof Consignment, string][] = [
  ["id", "uuid"],
  ["kind", `"ConsignmentKind"`],
  ["purchaseId", "uuid"],
  ["vehicleId", "uuid"],
  ["buyerId", "uuid"],
  ["sellRequestId", "uuid"],
  ["sellerId", "uuid"],
  ["status", `"ConsignmentStatus"`],
  ["driverId", "uuid"],
  ["driverName", "text"],
  ["returnToLot", "boolean"],
  ...DATES.map((d) => [d, "timestamp(3)"] as [keyof Consignment, string]),
  ["escalationCount", "integer"],
];
const SELECT = `SELECT ${COLS.map(([c]) => `"${c}"`).join(", ")}, "version" FROM "Consignment"`;
const INSERT = `INSERT INTO "Consignment" (${COLS.map(([c]) => `"${c}"`).join(", ")}, "version") VALUES (${COLS.map(([, t], i) => `$${i + 1}::${t}`).join(", ")}, $${COLS.length + 1}) ON CONFLICT DO NOTHING`;
const UPDATE = `UPDATE "Consignment" SET ${COLS.slice(1)
  .map(([c, t], i) => `"${c}" = $${i + 2}::${t}`)
  .join(", ")}, "version" = "version" + 1 WHERE "id" = $1::uuid AND "version" = $${COLS.length + 1}`;

// Timestamps travel as UTC text: `timestamp(3)` holds UTC wall time, as Prisma writes it.
const param = (c: Consignment, k: keyof Consignment) => {
  const v = c[k];
  return v instanceof Date ? v.toISOString() : v;
};
const params = (c: Consignment) => [...COLS.map(([k]) => param(c, k)), c.version];

function fromRow(r: Record<string, unknown>): Consignment {
  const out = { ...r, escalationCount: Number(r.escalationCount), version: Number(r.version) } as Record<
    string,
    unknown
  >;
  for (const d of DATES)
    out[d] =
      r[d] === null || r[d] === undefined || r[d] instanceof Date ? (r[d] ?? null) : new Date(String(r[d]));
  return out as unknown as Consignment;
}

export const prismaConsignmentRepository: ConsignmentRepository<Db> = {
  // Plain SQL too: every live update of a job reads it (deliveryStatusChanged), and the Prisma
  // client's query compiler was ~10% of consignment's CPU in the benchmark.
  async findById(db: SqlTx, id) {
    if (!isUuid(id)) return null;
    const [row] = await db.$queryRawUnsafe<Record<string, unknown>[]>(`${SELECT} WHERE "id" = $1::uuid`, id);
    return row ? fromRow(row) : null;
  },

  async findByPurchase(db: SqlTx, purchaseId, kind) {
    const [row] = await db.$queryRawUnsafe<Record<string, unknown>[]>(
      `${SELECT} WHERE "purchaseId" = $1::uuid AND "kind" = $2::"ConsignmentKind"`,
      purchaseId,
      kind,
    );
    return row ? fromRow(row) : null;
  },

  async findBySellRequest(db: SqlTx, sellRequestId, kind) {
    const [row] = await db.$queryRawUnsafe<Record<string, unknown>[]>(
      `${SELECT} WHERE "sellRequestId" = $1::uuid AND "kind" = $2::"ConsignmentKind"`,
      sellRequestId,
      kind,
    );
    return row ? fromRow(row) : null;
  },

  async insertIfAbsent(db: SqlTx, c) {
    // ON CONFLICT DO NOTHING (any unique key: (purchase, kind), (sell request, kind)): concurrent
    // replicas cannot both create the job.
    return (await db.$executeRawUnsafe(INSERT, ...params(c))) === 1;
  },

  async update(db: SqlTx, c) {
    return (await db.$executeRawUnsafe(UPDATE, ...params(c))) === 1;
  },

  listOpen: (db, first) =>
    db.consignment.findMany({
      where: { status: "REQUESTED" },
      orderBy: [{ requestedAt: "asc" }, { id: "asc" }],
      take: first,
    }),

  listAwaitingEscalation: (db, cutoff, maxEscalations, first) =>
    db.consignment.findMany({
      where: {
        status: "REQUESTED",
        escalationCount: { lt: maxEscalations },
        OR: [{ escalatedAt: null, requestedAt: { lte: cutoff } }, { escalatedAt: { lte: cutoff } }],
      },
      orderBy: [{ requestedAt: "asc" }, { id: "asc" }],
      take: first,
    }),

  list: (db, { driverId, customerId }, first) =>
    db.consignment.findMany({
      where: {
        ...(driverId ? { driverId } : {}),
        ...(customerId ? { OR: [{ buyerId: customerId }, { sellerId: customerId }] } : {}),
      },
      orderBy: [{ requestedAt: { sort: "desc", nulls: "last" } }, { id: "asc" }],
      take: first,
    }),
};
