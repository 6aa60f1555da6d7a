import { isUuid, parseUuid, requireRole } from "@junggo/runtime";
import { normalizeCancelReason, parseReturnReason } from "../domain/purchase.ts";
import type { makeCancelPurchase } from "../app/cancel-purchase.use-case.ts";
import type { makePurchaseQueries } from "../app/purchases.query.ts";
import type { makeRequestPurchase } from "../app/request-purchase.use-case.ts";
import type { makeRequestReturn } from "../app/request-return.use-case.ts";
import type { Resolvers } from "./generated/resolvers.types.ts";

export interface PurchaseUseCases {
  requestPurchase: ReturnType<typeof makeRequestPurchase>;
  cancelPurchase: ReturnType<typeof makeCancelPurchase>;
  requestReturn: ReturnType<typeof makeRequestReturn>;
  queries: ReturnType<typeof makePurchaseQueries>;
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

export function purchaseResolvers(uc: PurchaseUseCases): Resolvers {
  return {
    Query: {
      purchase: (_, args, ctx) => uc.queries.purchase(ctx.viewer, parseUuid("id", args.id)),
      myPurchases: (_, __, ctx) => uc.queries.myPurchases(ctx.viewer),
    },
    Mutation: {
      requestPurchase: (_, args, ctx) => {
        const buyer = requireRole(ctx.viewer, "BUYER");
        return uc.requestPurchase(buyer, parseUuid("vehicleId", args.input.vehicleId));
      },
      cancelPurchase: (_, args, ctx) => {
        const viewer = requireRole(ctx.viewer, "BUYER", "STAFF");
        return uc.cancelPurchase(viewer, parseUuid("id", args.id), normalizeCancelReason(args.reason));
      },
      requestReturn: (_, args, ctx) => {
        const buyer = requireRole(ctx.viewer, "BUYER");
        return uc.requestReturn(
          buyer,
          parseUuid("purchaseId", args.purchaseId),
          parseReturnReason(args.reason),
        );
      },
    },
    Purchase: {
      __resolveReference: (ref, ctx) =>
        isUuid(ref.id) ? uc.queries.visible(ctx.viewer, ref.id.toLowerCase()) : null,
      buyer: (p) => ({ __typename: "Account", id: p.buyerId }),
      vehicle: (p) => ({ __typename: "Vehicle", id: p.vehicleId }),
      createdAt: (p) => p.createdAt.toISOString(),
      cancelledAt: (p) => iso(p.cancelledAt),
      deliveryStartedAt: (p) => iso(p.deliveryStartedAt),
      deliveredAt: (p) => iso(p.deliveredAt),
      returnRequestedAt: (p) => iso(p.returnRequestedAt),
      returnedAt: (p) => iso(p.returnedAt),
    },
  };
}
