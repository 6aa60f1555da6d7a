import { DomainError, requireViewer, type Viewer } from "@junggo/runtime";
import { canView, type Purchase } from "../domain/purchase.ts";
import type { PurchaseDeps } from "./purchase.infra.ts";

export function makePurchaseQueries(infra: PurchaseDeps) {
  const { purchases } = infra;
  return {
    /** Null when unknown; FORBIDDEN when it is someone else's. */
    async purchase(viewer: Viewer | null, id: string): Promise<Purchase | null> {
      const v = requireViewer(viewer);
      const p = await purchases.byId(infra.db, id);
      if (p && !canView(v, p)) throw new DomainError("FORBIDDEN", "This purchase belongs to someone else.");
      return p;
    },

    async myPurchases(viewer: Viewer | null): Promise<Purchase[]> {
      const v = requireViewer(viewer);
      if (v.role === "STAFF") return purchases.list(infra.db);
      if (v.role === "BUYER") return purchases.list(infra.db, v.id);
      return [];
    },

    /** For federation: the same visibility as `purchase`, but null instead of an error. */
    async visible(viewer: Viewer | null, id: string): Promise<Purchase | null> {
      if (!viewer) return null;
      const p = await purchases.byId(infra.db, id);
      return p && canView(viewer, p) ? p : null;
    },
  };
}
