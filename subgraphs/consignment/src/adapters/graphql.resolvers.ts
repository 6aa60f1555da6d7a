import { isUuid, parsePageSize, parseUuid, type Viewer } from "@junggo/runtime";
import type { Consignment } from "../domain/consignment.ts";
import type { ConsignmentQueries } from "../app/consignments.query.ts";
import type { Consignment as ConsignmentNode, Resolvers } from "./generated/resolvers.types.ts";

const MAX_PAGE = 500;

const BAD_ID = "id must be a consignment id (a UUID).";

const parseFirst = (first: unknown) => parsePageSize("first", first, { max: MAX_PAGE });

const iso = (d: Date | null) => d?.toISOString() ?? null;

/** GraphQL shape: dates as ISO strings, other contexts' entities as references. */
export function toNode(c: Consignment): ConsignmentNode {
  return {
    id: c.id,
    purchaseId: c.purchaseId,
    sellRequestId: c.sellRequestId,
    status: c.status,
    kind: c.kind,
    vehicleId: c.vehicleId,
    driverName: c.driverName,
    returnToLot: c.returnToLot,
    eta: iso(c.eta),
    requestedAt: iso(c.requestedAt),
    assignedAt: iso(c.assignedAt),
    pickedUpAt: iso(c.pickedUpAt),
    deliveredAt: iso(c.deliveredAt),
    cancelledAt: iso(c.cancelledAt),
    escalationCount: c.escalationCount,
    escalatedAt: iso(c.escalatedAt),
    driver: c.driverId ? { __typename: "Account", id: c.driverId } : null,
    // A Purchase reference only for purchase jobs (DELIVERY, RETURN_PICKUP).
    purchase: c.purchaseId ? { __typename: "Purchase", id: c.purchaseId } : null,
    vehicle: { __typename: "Vehicle", id: c.vehicleId },
  };
}
const toNullableNode = (c: Consignment | null) => (c ? toNode(c) : null);

export interface ConsignmentCommands {
  accept(viewer: Viewer | null, id: string): Promise<Consignment>;
  pickUp(viewer: Viewer | null, id: string): Promise<Consignment>;
  complete(viewer: Viewer | null, id: string): Promise<Consignment>;
}

export function consignmentResolvers(queries: ConsignmentQueries, commands: ConsignmentCommands): Resolvers {
  return {
    Query: {
      consignment: async (_, args, { viewer }) =>
        toNullableNode(await queries.byId(viewer, parseUuid("id", args.id, BAD_ID))),
      openConsignments: async (_, args, { viewer }) =>
        (await queries.open(viewer, parseFirst(args.first))).map(toNode),
      myConsignments: async (_, args, { viewer }) =>
        (await queries.mine(viewer, parseFirst(args.first))).map(toNode),
    },
    Mutation: {
      acceptConsignment: async (_, args, { viewer }) =>
        toNode(await commands.accept(viewer, parseUuid("id", args.id, BAD_ID))),
      pickUpConsignment: async (_, args, { viewer }) =>
        toNode(await commands.pickUp(viewer, parseUuid("id", args.id, BAD_ID))),
      completeConsignment: async (_, args, { viewer }) =>
        toNode(await commands.complete(viewer, parseUuid("id", args.id, BAD_ID))),
    },
    Consignment: {
      // Same rule as Query.consignment: null when the viewer may not see it.
      __resolveReference: async (ref, { viewer }) =>
        isUuid(ref.id) ? toNullableNode(await queries.byId(viewer, ref.id.toLowerCase())) : null,
    },
    Purchase: {
      __resolveReference: (ref) => ({ id: ref.id }),
      consignment: async (purchase, _, { viewer }) =>
        isUuid(purchase.id)
          ? toNullableNode(await queries.deliveryOf(viewer, purchase.id.toLowerCase()))
          : null,
    },
    SellRequest: {
      __resolveReference: (ref) => ({ id: ref.id }),
      pickup: async (sellRequest, _, { viewer }) =>
        isUuid(sellRequest.id)
          ? toNullableNode(await queries.pickupOf(viewer, sellRequest.id.toLowerCase()))
          : null,
    },
  };
}
