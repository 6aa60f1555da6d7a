import type { Prisma } from "@junggo/prisma/consignment";
import type { Consignment } from "../domain/consignment.ts";
import type { ConsignmentRepository } from "../app/ports.ts";

// The plain client is structurally a transaction client too, so one type serves reads and writes.
type Db = Prisma.TransactionClient;

// The table mirrors the aggregate column for column, so rows are used as they come.
export const prismaConsignmentRepository: ConsignmentRepository<Db> = {
  findById: (db, id) => db.consignment.findUnique({ where: { id } }),

  findByPurchase: (db, purchaseId, kind) => db.consignment.findUnique({ where: { purchaseId_kind: { purchaseId, kind } } }),

  async insertIfAbsent(db, c) {
    // INSERT ... ON CONFLICT DO NOTHING: concurrent replicas cannot both create the job.
    const { count } = await db.consignment.createMany({ data: [c], skipDuplicates: true });
    return count === 1;
  },

  async update(db, c) {
    const { id, version, ...data } = c;
    const { count } = await db.consignment.updateMany({ where: { id, version }, data: { ...data, version: { increment: 1 } } });
    return count === 1;
  },

  listOpen: (db, first) =>
    db.consignment.findMany({ where: { status: "REQUESTED" }, orderBy: [{ requestedAt: "asc" }, { id: "asc" }], take: first }),

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

  list: (db, filter, first) =>
    db.consignment.findMany({
      where: filter,
      orderBy: [{ requestedAt: { sort: "desc", nulls: "last" } }, { id: "asc" }],
      take: first,
    }),
};
