import type { RequestContext } from "@junggo/runtime";
import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper/index.js";
import { publicStatus, type Payment } from "../domain/payment.ts";
import type { PaymentQueries } from "../app/payments.query.ts";

export function billingResolvers(queries: PaymentQueries): GraphQLResolverMap<RequestContext> {
  return {
    Query: {
      payments: (_: unknown, args: { first?: number | null; after?: string | null }, ctx: RequestContext) =>
        queries.latest(ctx.viewer, args),
    },
    Purchase: {
      __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
      payment: (purchase: { id: string }, _: unknown, ctx: RequestContext) =>
        queries.ofPurchase(ctx.viewer, purchase.id),
    },
    Payment: {
      __resolveReference: (ref: { id: string }, ctx: RequestContext) => queries.byId(ctx.viewer, ref.id),
      status: (p: Payment) => publicStatus(p),
      createdAt: (p: Payment) => p.createdAt.toISOString(),
      refundedAt: (p: Payment) => p.refundedAt?.toISOString() ?? null,
      voidedAt: (p: Payment) => p.voidedAt?.toISOString() ?? null,
    },
  };
}
