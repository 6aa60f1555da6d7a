import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper/index.js";
import { isUuid, parsePageSize, parseUuid, type RequestContext } from "@junggo/runtime";
import type { PurchaseView } from "../domain/purchase-view.ts";
import type { DashboardQueries } from "../app/dashboard.query.ts";

const MAX_PAGE = 500;

const parseFirst = (first: unknown) => parsePageSize("first", first, { max: MAX_PAGE });

/** GraphQL shape: dates as ISO strings. Only ready rows get here, so the purchase part is set. */
const toNode = (v: PurchaseView) => ({
  ...v,
  eta: v.eta?.toISOString() ?? null,
  createdAt: v.createdAt?.toISOString() ?? null,
  updatedAt: v.updatedAt.toISOString(),
});

export function dashboardResolvers(queries: DashboardQueries): GraphQLResolverMap<RequestContext> {
  return {
    Query: {
      myDashboard: async (_: unknown, args: { first: number }, { viewer }: RequestContext) =>
        (await queries.mine(viewer, parseFirst(args.first))).map(toNode),
      purchaseView: async (_: unknown, args: { purchaseId: string }, { viewer }: RequestContext) => {
        const view = await queries.byPurchase(
          viewer,
          parseUuid("purchaseId", args.purchaseId, "purchaseId must be a purchase id (a UUID)."),
        );
        return view ? toNode(view) : null;
      },
    },
    PurchaseView: {
      __resolveReference: async (ref: { purchaseId: string }, { viewer }: RequestContext) => {
        if (!isUuid(ref.purchaseId)) return null;
        const view = await queries.visible(viewer, ref.purchaseId.toLowerCase());
        return view ? toNode(view) : null;
      },
    },
  };
}
