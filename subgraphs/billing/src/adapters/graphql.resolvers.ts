import type { PaymentQueries, PayoutQueries } from "../app/payments.query.ts";
import { publicStatus } from "../domain/payment.ts";
import type { Resolvers } from "./generated/resolvers.types.ts";

export function billingResolvers(queries: PaymentQueries, payouts: PayoutQueries): Resolvers {
  return {
    Query: {
      payments: (_, args, ctx) => queries.latest(ctx.viewer, args),
    },
    Purchase: {
      __resolveReference: (ref) => ({ id: ref.id }),
      payment: (purchase, _, ctx) => queries.ofPurchase(ctx.viewer, purchase.id),
    },
    Payment: {
      __resolveReference: (ref, ctx) => queries.byId(ctx.viewer, ref.id),
      status: (p) => publicStatus(p),
      createdAt: (p) => p.createdAt.toISOString(),
      refundedAt: (p) => p.refundedAt?.toISOString() ?? null,
      voidedAt: (p) => p.voidedAt?.toISOString() ?? null,
    },
    // Acquisition's sell request, by its id: the payout is billing's (seller or staff only).
    SellRequest: {
      __resolveReference: (ref) => ({ id: ref.id }),
      payout: (sellRequest, _, ctx) => payouts.ofSellRequest(ctx.viewer, sellRequest.id),
    },
    Payout: {
      __resolveReference: (ref, ctx) => payouts.byId(ctx.viewer, ref.id),
    },
  };
}
