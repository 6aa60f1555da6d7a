import { isUuid } from "@junggo/runtime";
import type { makeCancelSellRequest } from "../app/cancel-sell-request.use-case.ts";
import type { makeAcceptSellRequest, makeRejectSellRequest } from "../app/decide-sell-request.use-case.ts";
import type { makeRequestQuote } from "../app/request-quote.use-case.ts";
import type { makeSellRequestQueries } from "../app/sell-request.query.ts";
import type { makeSubmitSellRequest } from "../app/submit-sell-request.use-case.ts";
import type { SellRequest } from "../domain/sell-request.ts";
import type { Resolvers, SubscriptionResolvers } from "./generated/resolvers.types.ts";

export interface AcquisitionUseCases {
  requestQuote: ReturnType<typeof makeRequestQuote>;
  submitSellRequest: ReturnType<typeof makeSubmitSellRequest>;
  acceptSellRequest: ReturnType<typeof makeAcceptSellRequest>;
  rejectSellRequest: ReturnType<typeof makeRejectSellRequest>;
  cancelSellRequest: ReturnType<typeof makeCancelSellRequest>;
  queries: ReturnType<typeof makeSellRequestQueries>;
}

/** The car is in stock (a Vehicle of the stock subgraph) from its arrival at the lot until it is sold on. */
const AT_LOT = new Set<SellRequest["status"]>(["IN_INSPECTION", "LISTED"]);

/** Thin: the use cases check roles, owners and input. */
export function acquisitionResolvers(uc: AcquisitionUseCases, live: SubscriptionResolvers): Resolvers {
  return {
    Query: {
      quote: (_, args, ctx) => uc.queries.quote(ctx.viewer, args.id),
      mySellRequests: (_, __, ctx) => uc.queries.mine(ctx.viewer),
      sellRequests: (_, args, ctx) => uc.queries.all(ctx.viewer, args.status),
      sellRequest: (_, args, ctx) => uc.queries.sellRequest(ctx.viewer, args.id),
    },
    Mutation: {
      requestQuote: (_, args, ctx) => uc.requestQuote(ctx.viewer, args.input),
      submitSellRequest: (_, args, ctx) => uc.submitSellRequest(ctx.viewer, args.quoteId),
      acceptSellRequest: (_, args, ctx) => uc.acceptSellRequest(ctx.viewer, args.id),
      rejectSellRequest: (_, args, ctx) => uc.rejectSellRequest(ctx.viewer, args.id, args.reason),
      cancelSellRequest: (_, args, ctx) => uc.cancelSellRequest(ctx.viewer, args.id, args.reason),
    },
    Subscription: live,
    Quote: {
      __resolveReference: (ref, ctx) => (isUuid(ref.id) ? uc.queries.quote(ctx.viewer, ref.id) : null),
      validUntil: (q) => q.validUntil.toISOString(),
      createdAt: (q) => q.createdAt.toISOString(),
    },
    SellRequest: {
      __resolveReference: (ref, ctx) => (isUuid(ref.id) ? uc.queries.sellRequest(ctx.viewer, ref.id) : null),
      // Read only for a sell request its viewer may see; every sell request has its quote.
      quote: async (s) => (await uc.queries.quoteOf(s))!,
      seller: (s) => ({ __typename: "Account", id: s.sellerId }),
      vehicle: (s) =>
        s.vehicleId && AT_LOT.has(s.status) ? { __typename: "Vehicle", id: s.vehicleId } : null,
      createdAt: (s) => s.createdAt.toISOString(),
      updatedAt: (s) => s.updatedAt.toISOString(),
    },
  };
}
