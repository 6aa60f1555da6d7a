import { badInput, isUuid, parsePageSize, requireRole, type Viewer } from "@junggo/runtime";
import type { Payment } from "../domain/payment.ts";
import { canSeePayout, type Payout } from "../domain/payout.ts";
import type { PaymentRepository, PayoutRepository } from "./ports.ts";

/** Largest `payments(first:)` page (a public limit: BAD_USER_INPUT above it). */
export const MAX_PAYMENTS_PAGE = 200;

/** The buyer who paid, and staff. */
const canSee = (viewer: Viewer | null, p: Payment) =>
  !!viewer && (viewer.role === "STAFF" || viewer.id === p.buyerId);

/** Read side. Single lookups return null for what the viewer may not see (no existence leak). */
export function makePaymentQueries<Db>(
  payments: Pick<PaymentRepository<never, Db>, "byId" | "byPurchaseId" | "latest">,
  db: Db,
) {
  const visible = async (viewer: Viewer | null, find: () => Promise<Payment | null>) => {
    if (!viewer) return null;
    const p = await find();
    return p && canSee(viewer, p) ? p : null;
  };
  return {
    /** STAFF: the latest payments, newest first; `after` is the id of the last one of the previous page. */
    latest: async (viewer: Viewer | null, args: { first?: number | null; after?: string | null }) => {
      requireRole(viewer, "STAFF");
      const first = parsePageSize("first", args.first ?? 50, { max: MAX_PAYMENTS_PAGE });
      const after = args.after ?? undefined;
      if (after !== undefined && (!isUuid(after) || !(await payments.byId(db, after)))) {
        throw badInput("after", "after must be the id of a payment from a previous page.");
      }
      return payments.latest(db, first, after);
    },

    /** The payment of a purchase (the `Purchase.payment` field). */
    ofPurchase: (viewer: Viewer | null, purchaseId: string) =>
      isUuid(purchaseId) ? visible(viewer, () => payments.byPurchaseId(db, purchaseId)) : null,

    byId: (viewer: Viewer | null, id: string) =>
      isUuid(id) ? visible(viewer, () => payments.byId(db, id)) : null,
  };
}

export type PaymentQueries = ReturnType<typeof makePaymentQueries>;

/** Payouts: the seller's own, and staff see all; null for anyone else (no existence leak). */
export function makePayoutQueries<Db>(
  payouts: Pick<PayoutRepository<never, Db>, "byId" | "bySellRequestId">,
  db: Db,
) {
  const visible = async (viewer: Viewer | null, find: () => Promise<Payout | null>) => {
    if (!viewer) return null;
    const p = await find();
    return p && canSeePayout(viewer, p) ? p : null;
  };
  return {
    /** The payout of a sell request (the `SellRequest.payout` field). */
    ofSellRequest: (viewer: Viewer | null, sellRequestId: string) =>
      isUuid(sellRequestId) ? visible(viewer, () => payouts.bySellRequestId(db, sellRequestId)) : null,
    byId: (viewer: Viewer | null, id: string) =>
      isUuid(id) ? visible(viewer, () => payouts.byId(db, id)) : null,
  };
}

export type PayoutQueries = ReturnType<typeof makePayoutQueries>;
