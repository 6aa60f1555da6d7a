import { badInput, isUuid, requireRole, type Viewer, type SqlReader } from "@junggo/runtime";
import { publicStatus, type Payment } from "../domain/payment.ts";
import type { Resolvers } from "./generated/resolvers.types.ts";
import { paymentRepository as payments } from "./payment.repository.ts";

/** The buyer who paid, and staff. */
const canSee = (viewer: Viewer | null, p: Payment) =>
  !!viewer && (viewer.role === "STAFF" || viewer.id === p.buyerId);

export function billingResolvers(db: SqlReader): Resolvers {
  const visible = async (viewer: Viewer | null, find: () => Promise<Payment | null>) => {
    if (!viewer) return null;
    const p = await find();
    return p && canSee(viewer, p) ? p : null;
  };

  return {
    Query: {
      payments: async (_, args, ctx) => {
        requireRole(ctx.viewer, "STAFF");
        const first = args.first ?? 50;
        if (!Number.isInteger(first) || first < 1 || first > 200)
          throw badInput("first", "first must be between 1 and 200.");
        const after = args.after ?? undefined;
        if (after !== undefined && (!isUuid(after) || !(await payments.byId(db, after)))) {
          throw badInput("after", "after must be the id of a payment from a previous page.");
        }
        return payments.latest(db, first, after);
      },
    },
    Purchase: {
      __resolveReference: (ref) => ({ id: ref.id }),
      payment: (purchase, _, ctx) =>
        isUuid(purchase.id) ? visible(ctx.viewer, () => payments.byPurchaseId(db, purchase.id)) : null,
    },
    Payment: {
      __resolveReference: (ref, ctx) =>
        isUuid(ref.id) ? visible(ctx.viewer, () => payments.byId(db, ref.id)) : null,
      status: (p) => publicStatus(p),
      createdAt: (p) => p.createdAt.toISOString(),
      refundedAt: (p) => p.refundedAt?.toISOString() ?? null,
      voidedAt: (p) => p.voidedAt?.toISOString() ?? null,
    },
  };
}
