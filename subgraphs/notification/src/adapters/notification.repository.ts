import type { Prisma } from "@junggo/prisma/notification";
import type { SqlTx } from "@junggo/runtime";
import type { NotificationRepository, ProjectionStore, Recipient } from "../app/ports.ts";

// The plain client is structurally a transaction client too, so one type serves reads and writes.
type Db = Prisma.TransactionClient;

// Everything the event handlers call (the projections and insertIfAbsent) is plain SQL: it runs in
// the consumer's raw transaction (no Prisma client there; see notification.module.ts) as well as
// on Prisma transactions (replays). Reads and the mailer stay on the Prisma client.
export const prismaProjectionStore: ProjectionStore<Db> = {
  async saveRecipient(db: SqlTx, r) {
    await db.$executeRawUnsafe(
      `INSERT INTO "Recipient" ("accountId", email, name, role, locale) VALUES ($1::uuid, $2, $3, $4, $5::"Locale")
       ON CONFLICT ("accountId") DO UPDATE SET email = EXCLUDED.email, name = EXCLUDED.name, role = EXCLUDED.role, locale = EXCLUDED.locale`,
      r.accountId,
      r.email,
      r.name,
      r.role,
      r.locale,
    );
  },

  recipients: async (db: SqlTx, accountIds) =>
    accountIds.length === 0
      ? []
      : db.$queryRawUnsafe<Recipient[]>(
          `SELECT "accountId", email, name, role, locale::text AS locale FROM "Recipient" WHERE "accountId" = ANY($1::uuid[])`,
          [...accountIds],
        ),

  staffIds: async (db: SqlTx) =>
    (
      await db.$queryRawUnsafe<{ accountId: string }[]>(
        `SELECT "accountId" FROM "Recipient" WHERE role = 'STAFF' ORDER BY "accountId"`,
      )
    ).map((r) => r.accountId),

  async savePurchase(db: SqlTx, p) {
    await db.$executeRawUnsafe(
      `INSERT INTO "PurchaseInfo" ("purchaseId", "buyerId", "vehicleName", "priceKrw") VALUES ($1::uuid, $2::uuid, $3, $4) ON CONFLICT DO NOTHING`,
      p.purchaseId,
      p.buyerId,
      p.vehicleName,
      p.priceKrw,
    );
  },

  vehicleNameOf: async (db: SqlTx, purchaseId) =>
    (
      await db.$queryRawUnsafe<{ vehicleName: string }[]>(
        `SELECT "vehicleName" FROM "PurchaseInfo" WHERE "purchaseId" = $1::uuid`,
        purchaseId,
      )
    )[0]?.vehicleName ?? null,

  async saveSellRequest(db: SqlTx, s) {
    await db.$executeRawUnsafe(
      `INSERT INTO "SellRequestInfo" ("sellRequestId", "sellerId", "vehicleName", "offerKrw") VALUES ($1::uuid, $2::uuid, $3, $4) ON CONFLICT DO NOTHING`,
      s.sellRequestId,
      s.sellerId,
      s.vehicleName,
      s.offerKrw,
    );
  },

  sellRequestVehicleNameOf: async (db: SqlTx, sellRequestId) =>
    (
      await db.$queryRawUnsafe<{ vehicleName: string }[]>(
        `SELECT "vehicleName" FROM "SellRequestInfo" WHERE "sellRequestId" = $1::uuid`,
        sellRequestId,
      )
    )[0]?.vehicleName ?? null,

  async saveDriver(db: SqlTx, d) {
    await db.$executeRawUnsafe(
      `INSERT INTO "ConsignmentDriver" ("consignmentId", "driverId", "driverName") VALUES ($1::uuid, $2::uuid, $3)
       ON CONFLICT ("consignmentId") DO UPDATE SET "driverId" = EXCLUDED."driverId", "driverName" = EXCLUDED."driverName"`,
      d.consignmentId,
      d.driverId,
      d.driverName,
    );
  },

  driverOf: async (db: SqlTx, consignmentId) => {
    const [d] = await db.$queryRawUnsafe<{ driverId: string; driverName: string }[]>(
      `SELECT "driverId", "driverName" FROM "ConsignmentDriver" WHERE "consignmentId" = $1::uuid`,
      consignmentId,
    );
    return d ? { id: d.driverId, name: d.driverName } : null;
  },
};

const iso = (d: Date | null) => (d ? d.toISOString() : null);

// The table mirrors the aggregate column for column, so rows are used as they come.
export const prismaNotificationRepository: NotificationRepository<Db> = {
  async insertIfAbsent(db: SqlTx, n) {
    // ON CONFLICT DO NOTHING on (sourceEventId, recipientId).
    const count = await db.$executeRawUnsafe(
      `INSERT INTO "Notification" (id, "recipientId", "purchaseId", kind, locale, title, message, "createdAt", "readAt", "sourceEventId",
         "emailTo", "emailStatus", "emailAttempts", "emailNextAttemptAt", "emailSentAt", "emailError", "sellRequestId")
       VALUES ($1::uuid, $2::uuid, $3::uuid, $4, $5::"Locale", $6, $7, $8::timestamp(3), $9::timestamp(3), $10::uuid,
         $11, $12::"EmailStatus", $13, $14::timestamp(3), $15::timestamp(3), $16, $17::uuid)
       ON CONFLICT DO NOTHING`,
      n.id,
      n.recipientId,
      n.purchaseId,
      n.kind,
      n.locale,
      n.title,
      n.message,
      iso(n.createdAt),
      iso(n.readAt),
      n.sourceEventId,
      n.emailTo,
      n.emailStatus,
      n.emailAttempts,
      iso(n.emailNextAttemptAt),
      iso(n.emailSentAt),
      n.emailError,
      n.sellRequestId,
    );
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

  markAllRead: async (db, recipientId, now) =>
    (await db.notification.updateMany({ where: { recipientId, readAt: null }, data: { readAt: now } })).count,

  dueEmails: (db, now, first) =>
    db.notification.findMany({
      where: {
        emailStatus: "PENDING",
        emailTo: { not: null },
        OR: [{ emailNextAttemptAt: null }, { emailNextAttemptAt: { lte: now } }],
      },
      orderBy: { seq: "asc" },
      take: first,
    }),

  claimEmail: async (db, id, attemptsRead, leaseUntil) =>
    (
      await db.notification.updateMany({
        where: { id, emailStatus: "PENDING", emailAttempts: attemptsRead },
        data: { emailAttempts: attemptsRead + 1, emailNextAttemptAt: leaseUntil },
      })
    ).count === 1,

  recordEmailOutcome: async (db, id, attempt, outcome) =>
    (
      await db.notification.updateMany({
        where: { id, emailStatus: "PENDING", emailAttempts: attempt },
        data: outcome,
      })
    ).count === 1,
};
