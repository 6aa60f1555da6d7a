import { isUuid, requireRole, type Viewer } from "@junggo/runtime";
import type { RepairOrder } from "../domain/repair-order.ts";
import type { Resolvers } from "./generated/resolvers.types.ts";

export function maintenanceResolvers(deps: {
  open: (viewer: Viewer | null, vehicleId: string, description: string) => Promise<RepairOrder>;
  complete: (viewer: Viewer | null, id: string, notes: string | null | undefined) => Promise<RepairOrder>;
  queries: { list(viewer: Viewer | null, open: boolean | null | undefined): Promise<RepairOrder[]> };
  byId: (id: string) => Promise<RepairOrder | null>;
}): Resolvers {
  return {
    Query: {
      repairOrders: (_, { open }, { viewer }) => deps.queries.list(viewer, open),
    },
    Mutation: {
      openRepairOrder: (_, { vehicleId, description }, { viewer }) =>
        deps.open(viewer, vehicleId, description),
      completeRepairOrder: (_, { id, notes }, { viewer }) => deps.complete(viewer, id, notes),
    },
    RepairOrder: {
      // Repair orders are staff's: a reference from another subgraph resolves for staff only.
      __resolveReference: async ({ id }, { viewer }) => {
        requireRole(viewer, "STAFF");
        return isUuid(id) ? deps.byId(id) : null;
      },
      vehicle: (o) => ({ __typename: "Vehicle", id: o.vehicleId }),
      openedAt: (o) => o.openedAt.toISOString(),
      completedAt: (o) => o.completedAt?.toISOString() ?? null,
    },
  };
}
