import { requireRole, requireViewer, type Viewer } from "@junggo/runtime";
import type { Consignment } from "../domain/consignment.ts";
import { canSeeConsignment } from "../domain/visibility.ts";
import type { ConsignmentRepository } from "./ports.ts";

/** Read side. Single lookups return null for what the viewer may not see (no existence leak). */
export function makeConsignmentQueries<Db>(repo: ConsignmentRepository<Db>, db: Db) {
  const visible = (c: Consignment | null, viewer: Viewer | null) =>
    c && canSeeConsignment(c, viewer) ? c : null;
  return {
    byId: async (viewer: Viewer | null, id: string) => visible(await repo.findById(db, id), viewer),

    /** The delivery job of a purchase (the `Purchase.consignment` field). */
    deliveryOf: async (viewer: Viewer | null, purchaseId: string) =>
      visible(await repo.findByPurchase(db, purchaseId, "DELIVERY"), viewer),

    /** The pickup job of a sell request (the `SellRequest.pickup` field). */
    pickupOf: async (viewer: Viewer | null, sellRequestId: string) =>
      visible(await repo.findBySellRequest(db, sellRequestId, "SELLER_PICKUP"), viewer),

    /** Jobs waiting for a driver, oldest first: drivers pick from here, staff watch it. */
    open: async (viewer: Viewer | null, first: number) => {
      requireRole(viewer, "DRIVER", "STAFF");
      return repo.listOpen(db, first);
    },

    /**
     * Staff: every job; a driver: the jobs they took; anyone else: the jobs done for them (a
     * buyer's deliveries and return pickups, a seller's pickups and returns).
     */
    mine: async (viewer: Viewer | null, first: number) => {
      const v = requireViewer(viewer);
      if (v.role === "STAFF") return repo.list(db, {}, first);
      return repo.list(db, v.role === "DRIVER" ? { driverId: v.id } : { customerId: v.id }, first);
    },
  };
}

export type ConsignmentQueries = ReturnType<typeof makeConsignmentQueries>;
