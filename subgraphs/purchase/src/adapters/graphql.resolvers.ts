import { isUuid, parseUuid, requireRole, type RequestContext } from "@junggo/runtime";
import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper/index.js";
import { normalizeCancelReason, type Purchase } from "../domain/purchase.ts";
import type { makeCancelPurchase } from "../app/cancel-purchase.use-case.ts";
import type { makePurchaseQueries } from "../app/purchases.query.ts";
import type { makeRequestPurchase } from "../app/request-purchase.use-case.ts";

export interface PurchaseUseCases {
  requestPurchase: ReturnType<typeof makeRequestPurchase>;
  cancelPurchase: ReturnType<typeof makeCancelPurchase>;
  queries: ReturnType<typeof makePurchaseQueries>;
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

export function purchaseResolvers(uc: PurchaseUseCases): GraphQLResolverMap<RequestContext> {
  return {
    Query: {
      purchase: (_: unknown, args: { id: string }, ctx: RequestContext) =>
        uc.queries.purchase(ctx.viewer, parseUuid("id", args.id)),
      myPurchases: (_: unknown, __: unknown, ctx: RequestContext) => uc.queries.myPurchases(ctx.viewer),
    },
    Mutation: {
      requestPurchase: (_: unknown, args: { input: { vehicleId: string } }, ctx: RequestContext) => {
        const buyer = requireRole(ctx.viewer, "BUYER");
        return uc.requestPurchase(buyer, parseUuid("vehicleId", args.input.vehicleId));
      },
      cancelPurchase: (_: unknown, args: { id: string; reason?: string | null }, ctx: RequestContext) => {
        const viewer = requireRole(ctx.viewer, "BUYER", "STAFF");
        return uc.cancelPurchase(viewer, parseUuid("id", args.id), normalizeCancelReason(args.reason));
      },
    },
    Purchase: {
      __resolveReference: (ref: { id: string }, ctx: RequestContext) =>
        isUuid(ref.id) ? uc.queries.visible(ctx.viewer, ref.id.toLowerCase()) : null,
      buyer: (p: Purchase) => ({ __typename: "Account", id: p.buyerId }),
      vehicle: (p: Purchase) => ({ __typename: "Vehicle", id: p.vehicleId }),
      createdAt: (p: Purchase) => p.createdAt.toISOString(),
      cancelledAt: (p: Purchase) => iso(p.cancelledAt),
      deliveryStartedAt: (p: Purchase) => iso(p.deliveryStartedAt),
      deliveredAt: (p: Purchase) => iso(p.deliveredAt),
    },
  };
}
