import type { PrismaClient } from "@junggo/prisma/dashboard";
import type { PurchaseView } from "../domain/purchase-view.ts";
import type { SaleView } from "../domain/sale-view.ts";
import { toSale } from "./sale-view.repository.ts";
import type { FoldedEvent } from "../domain/rebuild-projection.ts";
import type { DashboardStore } from "../app/rebuild-dashboard.use-case.ts";

/** The live consumer's inbox key: runSubgraphService names the durable after the context. */
export const DASHBOARD_CONSUMER = "dashboard";

const CHUNK = 500;
const chunks = <T>(items: T[]) =>
  Array.from({ length: Math.ceil(items.length / CHUNK) }, (_, i) => items.slice(i * CHUNK, (i + 1) * CHUNK));

const toView = ({ version: _version, ...view }: { version: number } & PurchaseView): PurchaseView => view;

export function prismaDashboardStore(prisma: PrismaClient): DashboardStore {
  return {
    countRows: async () => (await prisma.purchaseView.count()) + (await prisma.saleView.count()),

    async load() {
      const [rows, sales, processed] = await Promise.all([
        prisma.purchaseView.findMany({ orderBy: { purchaseId: "asc" } }),
        prisma.saleView.findMany({ orderBy: { sellRequestId: "asc" } }),
        prisma.$queryRawUnsafe<{ event_id: string }[]>(
          `SELECT event_id FROM messaging.inbox WHERE consumer = $1`,
          DASHBOARD_CONSUMER,
        ),
      ]);
      return {
        views: rows.map(toView),
        sales: sales.map(toSale),
        processed: new Set(processed.map((r) => r.event_id)),
      };
    },

    replace: (views, processed: FoldedEvent[], sales: SaleView[]) =>
      // One transaction: the service, started again, finds either the old model or the whole new
      // one with its processed records, so its redeliveries of folded events are duplicates.
      prisma.$transaction(
        async (tx) => {
          const { count: purchasesRemoved } = await tx.purchaseView.deleteMany({});
          const { count: salesRemoved } = await tx.saleView.deleteMany({});
          const rowsRemoved = purchasesRemoved + salesRemoved;
          const recordsRemoved = await tx.$executeRawUnsafe(
            `DELETE FROM messaging.inbox WHERE consumer = $1`,
            DASHBOARD_CONSUMER,
          );
          for (const part of chunks(views)) await tx.purchaseView.createMany({ data: part });
          for (const part of chunks(sales)) await tx.saleView.createMany({ data: part });
          for (const part of chunks(processed)) {
            const values = part.map((_, i) => `($1, $${2 * i + 2}, $${2 * i + 3})`).join(", ");
            await tx.$executeRawUnsafe(
              `INSERT INTO messaging.inbox (consumer, event_id, type) VALUES ${values}`,
              DASHBOARD_CONSUMER,
              ...part.flatMap((e) => [e.eventId, e.type]),
            );
          }
          return { rowsRemoved, recordsRemoved };
        },
        { timeout: 10 * 60_000, maxWait: 30_000 },
      ),
  };
}
