import { DomainError, requireViewer, type Viewer } from "@junggo/runtime";
import { canSeeView, isReady, type PurchaseView } from "../domain/purchase-view.ts";
import type { SaleView } from "../domain/sale-view.ts";
import type { PurchaseViewRepository, SaleViewRepository } from "./ports.ts";

/** Answers only from the read model: no other context is asked, so it works with all of them down. */
export function makeDashboardQueries<Db>(
  repo: PurchaseViewRepository<Db>,
  sales: SaleViewRepository<Db>,
  db: Db,
) {
  const readyView = async (purchaseId: string) => {
    const stored = await repo.find(db, purchaseId);
    return stored && isReady(stored.view) ? stored.view : null;
  };
  return {
    /** The viewer's own purchases (staff: all), newest first. */
    mine: async (viewer: Viewer | null, first: number): Promise<PurchaseView[]> => {
      const v = requireViewer(viewer);
      return repo.listReady(db, v.role === "STAFF" ? {} : { buyerId: v.id }, first);
    },

    /** Owner or staff; FORBIDDEN for others; null when the purchase is not (yet) known. */
    byPurchase: async (viewer: Viewer | null, purchaseId: string): Promise<PurchaseView | null> => {
      const v = requireViewer(viewer);
      const view = await readyView(purchaseId);
      if (view && !canSeeView(view, v))
        throw new DomainError("FORBIDDEN", "You can only see the dashboard of your own purchases.");
      return view;
    },

    /** The viewer's own sell requests (staff: all; anyone else who never sold a car: none). */
    mySales: async (viewer: Viewer | null, first: number): Promise<SaleView[]> => {
      const v = requireViewer(viewer);
      return sales.listReady(db, v.role === "STAFF" ? {} : { sellerId: v.id }, first);
    },

    /** Same rule for entity references, which answer null instead of an error. */
    visible: async (viewer: Viewer | null, purchaseId: string): Promise<PurchaseView | null> => {
      if (!viewer) return null;
      const view = await readyView(purchaseId);
      return view && canSeeView(view, viewer) ? view : null;
    },
  };
}

export type DashboardQueries = ReturnType<typeof makeDashboardQueries>;
