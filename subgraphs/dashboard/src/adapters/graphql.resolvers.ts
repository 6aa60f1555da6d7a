import { isUuid, parsePageSize, parseUuid } from "@junggo/runtime";
import type { PurchaseView } from "../domain/purchase-view.ts";
import type { SaleView } from "../domain/sale-view.ts";
import type { DashboardQueries } from "../app/dashboard.query.ts";
import type { Resolvers } from "./generated/resolvers.types.ts";

const MAX_PAGE = 500;

const parseFirst = (first: unknown) => parsePageSize("first", first, { max: MAX_PAGE });

/** GraphQL shape: dates as ISO strings. Only ready rows get here, so the purchase part is set. */
const toNode = (v: PurchaseView) => ({
  ...v,
  eta: v.eta?.toISOString() ?? null,
  createdAt: v.createdAt?.toISOString() ?? null,
  updatedAt: v.updatedAt.toISOString(),
});

/**
 * What PurchaseView's fields are read from (the codegen mapper): the read-model row, whose purchase
 * part is nullable in the table though set on every row that gets here.
 */
export type PurchaseViewNode = ReturnType<typeof toNode>;

/** Only ready rows get here: the car, the offer and the status are set. */
const toSaleNode = (v: SaleView) => ({
  sellRequestId: v.sellRequestId,
  vehicleName: v.vehicleName ?? "",
  offerKrw: v.offerKrw ?? 0,
  status: v.status ?? "PENDING",
  payoutStatus: v.payoutStatus,
  pickupStatus: v.pickupStatus,
  updatedAt: v.updatedAt.toISOString(),
});

export function dashboardResolvers(queries: DashboardQueries): Resolvers {
  return {
    Query: {
      myDashboard: async (_, args, { viewer }) =>
        (await queries.mine(viewer, parseFirst(args.first))).map(toNode),
      purchaseView: async (_, args, { viewer }) => {
        const view = await queries.byPurchase(
          viewer,
          parseUuid("purchaseId", args.purchaseId, "purchaseId must be a purchase id (a UUID)."),
        );
        return view ? toNode(view) : null;
      },
      mySales: async (_, args, { viewer }) =>
        (await queries.mySales(viewer, parseFirst(args.first))).map(toSaleNode),
    },
    PurchaseView: {
      __resolveReference: async (ref, { viewer }) => {
        if (!isUuid(ref.purchaseId)) return null;
        const view = await queries.visible(viewer, ref.purchaseId.toLowerCase());
        return view ? toNode(view) : null;
      },
    },
  };
}
