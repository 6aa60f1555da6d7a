import { isUniqueViolation } from "@junggo/runtime";
import type { Prisma, PrismaClient } from "@junggo/prisma/billing";
import type { Payment } from "../domain/payment.ts";
import { PurchaseIdTaken } from "../app/ports.ts";

type Db = PrismaClient | Prisma.TransactionClient;

/** Payments in billing's own database. Every method takes the client to use (plain or a transaction). */
export const paymentRepository = {
  byId(db: Db, id: string): Promise<Payment | null> {
    return db.payment.findUnique({ where: { id } });
  },

  byPurchaseId(db: Db, purchaseId: string): Promise<Payment | null> {
    return db.payment.findUnique({ where: { purchaseId } });
  },

  /** Newest first; with `after`, the ones that come after that payment in this order. */
  latest(db: Db, take: number, after?: string): Promise<Payment[]> {
    return db.payment.findMany({
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take,
      ...(after ? { cursor: { id: after }, skip: 1 } : {}),
    });
  },

  /** Payments whose refund or void was decided but not yet confirmed by the provider. */
  pending(db: Db, take: number): Promise<Payment[]> {
    return db.payment.findMany({ where: { status: { in: ["REFUND_PENDING", "VOID_PENDING"] } }, orderBy: { createdAt: "asc" }, take });
  },

  /**
   * Inserts; throws PurchaseIdTaken when the purchaseId already has a payment (unique index).
   * In PostgreSQL that error aborts the transaction, so callers let it end the transaction.
   */
  async insert(db: Db, p: Payment): Promise<void> {
    try {
      await db.payment.create({ data: p });
    } catch (err) {
      if (isUniqueViolation(err)) throw new PurchaseIdTaken(p.purchaseId);
      throw err;
    }
  },

  /**
   * Saves a transition only if the row is still in the state it was loaded in (optimistic
   * concurrency: two replicas completing the same refund change it once). Returns success.
   */
  async update(db: Db, p: Payment, expectedStatus: Payment["status"]): Promise<boolean> {
    const { id, ...data } = p;
    const res = await db.payment.updateMany({ where: { id, status: expectedStatus }, data });
    return res.count === 1;
  },
};
