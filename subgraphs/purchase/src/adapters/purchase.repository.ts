import type { Prisma, PrismaClient } from "@junggo/prisma/purchase";
import type { Purchase } from "../domain/purchase.ts";

type Db = PrismaClient | Prisma.TransactionClient;

const fields = {
  id: true, vehicleId: true, buyerId: true, buyerName: true, status: true, priceKrw: true, paymentId: true,
  vehicleMake: true, vehicleModel: true, vehicleYear: true, driverId: true, createdAt: true,
  deliveryStartedAt: true, deliveredAt: true, cancelledAt: true, cancelReason: true,
} as const;

export const purchaseRepository = {
  byId(db: Db, id: string): Promise<Purchase | null> {
    return db.purchase.findUnique({ where: { id }, select: fields });
  },

  /**
   * Loads the purchase for a change, locking its row until the transaction ends so that a
   * cancellation and a delivery event never both apply to the same state.
   */
  async lockById(tx: Prisma.TransactionClient, id: string): Promise<Purchase | null> {
    await tx.$queryRaw`SELECT 1 FROM "Purchase" WHERE id = ${id}::uuid FOR UPDATE`;
    return tx.purchase.findUnique({ where: { id }, select: fields });
  },

  /** Newest first; all purchases when buyerId is omitted (staff). */
  list(db: Db, buyerId?: string): Promise<Purchase[]> {
    return db.purchase.findMany({ where: buyerId ? { buyerId } : {}, orderBy: [{ createdAt: "desc" }, { id: "desc" }], select: fields });
  },

  async insert(tx: Prisma.TransactionClient, p: Purchase): Promise<void> {
    await tx.purchase.create({ data: p });
  },

  async save(tx: Prisma.TransactionClient, p: Purchase): Promise<void> {
    const { id, ...data } = p;
    await tx.purchase.update({ where: { id }, data });
  },

  /** Records who drives the delivery (authorization only); false when the purchase is unknown. */
  async setDriver(tx: Prisma.TransactionClient, id: string, driverId: string): Promise<boolean> {
    return (await tx.purchase.updateMany({ where: { id }, data: { driverId } })).count === 1;
  },
};
