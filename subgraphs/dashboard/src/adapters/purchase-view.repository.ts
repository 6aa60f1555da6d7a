import type { Prisma } from "@junggo/prisma/dashboard";
import type { PurchaseView } from "../domain/purchase-view.ts";
import type { PurchaseViewRepository } from "../app/ports.ts";

// The plain client is structurally a transaction client too, so one type serves reads and writes.
type Db = Prisma.TransactionClient;

const toView = ({ version: _version, ...view }: { version: number } & PurchaseView): PurchaseView => view;

export const prismaPurchaseViewRepository: PurchaseViewRepository<Db> = {
  async find(db, purchaseId) {
    const row = await db.purchaseView.findUnique({ where: { purchaseId } });
    return row ? { view: toView(row), version: row.version } : null;
  },

  async save(db, view, previousVersion) {
    if (previousVersion === null) {
      // A concurrent insert of the same purchase fails on the key and is retried as an update.
      await db.purchaseView.create({ data: view });
      return true;
    }
    const { purchaseId, ...data } = view;
    const { count } = await db.purchaseView.updateMany({
      where: { purchaseId, version: previousVersion },
      data: { ...data, version: { increment: 1 } },
    });
    return count === 1;
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
