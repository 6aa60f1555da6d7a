import type { Prisma } from "@junggo/prisma/notification";
import type { NotificationRepository, ProjectionStore } from "../app/ports.ts";

// The plain client is structurally a transaction client too, so one type serves reads and writes.
type Db = Prisma.TransactionClient;

export const prismaProjectionStore: ProjectionStore<Db> = {
  async saveRecipient(db, r) {
    const { accountId, ...data } = r;
    await db.recipient.upsert({ where: { accountId }, create: r, update: data });
  },

  recipients: (db, accountIds) => db.recipient.findMany({ where: { accountId: { in: [...accountIds] } } }),

  staffIds: async (db) => (await db.recipient.findMany({ where: { role: "STAFF" }, select: { accountId: true }, orderBy: { accountId: "asc" } })).map((r) => r.accountId),

  async savePurchase(db, p) {
    await db.purchaseInfo.createMany({ data: [p], skipDuplicates: true });
  },

  vehicleNameOf: async (db, purchaseId) => (await db.purchaseInfo.findUnique({ where: { purchaseId }, select: { vehicleName: true } }))?.vehicleName ?? null,

  async saveDriver(db, d) {
    const { consignmentId, ...data } = d;
    await db.consignmentDriver.upsert({ where: { consignmentId }, create: d, update: data });
  },

  driverOf: async (db, consignmentId) => {
    const d = await db.consignmentDriver.findUnique({ where: { consignmentId } });
    return d ? { id: d.driverId, name: d.driverName } : null;
  },
};

// The table mirrors the aggregate column for column, so rows are used as they come.
export const prismaNotificationRepository: NotificationRepository<Db> = {
  async insertIfAbsent(db, n) {
    // INSERT ... ON CONFLICT DO NOTHING on (sourceEventId, recipientId).
    const { count } = await db.notification.createMany({ data: [n], skipDuplicates: true });
    return count === 1;
  },

  findById: (db, id) => db.notification.findUnique({ where: { id } }),

  listForRecipient: (db, recipientId, first) =>
    db.notification.findMany({ where: { recipientId }, orderBy: { seq: "desc" }, take: first }),

  countUnread: (db, recipientId) => db.notification.count({ where: { recipientId, readAt: null } }),

  async saveReadAt(db, id, readAt) {
    // Conditional: the first time it was read wins.
    await db.notification.updateMany({ where: { id, readAt: null }, data: { readAt } });
  },

  markAllRead: async (db, recipientId, now) => (await db.notification.updateMany({ where: { recipientId, readAt: null }, data: { readAt: now } })).count,

  dueEmails: (db, now, first) =>
    db.notification.findMany({
      where: { emailStatus: "PENDING", emailTo: { not: null }, OR: [{ emailNextAttemptAt: null }, { emailNextAttemptAt: { lte: now } }] },
      orderBy: { seq: "asc" },
      take: first,
    }),

  claimEmail: async (db, id, attemptsRead, leaseUntil) =>
    (await db.notification.updateMany({
      where: { id, emailStatus: "PENDING", emailAttempts: attemptsRead },
      data: { emailAttempts: attemptsRead + 1, emailNextAttemptAt: leaseUntil },
    })).count === 1,

  recordEmailOutcome: async (db, id, attempt, outcome) =>
    (await db.notification.updateMany({ where: { id, emailStatus: "PENDING", emailAttempts: attempt }, data: outcome })).count === 1,
};
