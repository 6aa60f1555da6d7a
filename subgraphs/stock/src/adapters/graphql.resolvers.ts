import { isUuid, parseUuid, requireRole } from "@junggo/runtime";
import type { Vehicle } from "../domain/vehicle.ts";
import type { VehicleReader } from "../app/ports.ts";
import type { RegisterVehicle } from "../app/register-vehicle.use-case.ts";
import type { SearchVehicles } from "../app/search-vehicles.query.ts";
import type { StockLine } from "../domain/stock-summary.ts";
import type { Resolvers, Vehicle as VehicleNode } from "./generated/resolvers.types.ts";

/** GraphQL shape; which purchase, repair order or sell request holds the car stays internal. */
const present = ({
  purchaseId: _holder,
  sellRequestId: _seller,
  repairOrderId: _order,
  registeredAt,
  ...v
}: Vehicle): VehicleNode => ({
  ...v,
  registeredAt: registeredAt.toISOString(),
});

export function stockResolvers(deps: {
  vehicles: VehicleReader;
  register: RegisterVehicle;
  search: SearchVehicles;
  summary: () => Promise<StockLine[]>;
}): Resolvers {
  return {
    Query: {
      vehicles: async (_, args) => {
        const page = await deps.search(args);
        return { ...page, edges: page.edges.map(({ cursor, node }) => ({ cursor, node: present(node) })) };
      },
      vehicle: async (_, { id }) => {
        const vehicle = await deps.vehicles.findById(parseUuid("id", id, "The vehicle id is not valid."));
        return vehicle && present(vehicle);
      },
      stockSummary: () => deps.summary(),
    },
    Mutation: {
      registerVehicle: async (_, { input }, { viewer }) => {
        requireRole(viewer, "STAFF");
        return present(await deps.register(input));
      },
    },
    Vehicle: {
      // Stock is public, like the vehicles query: anyone may resolve a referenced vehicle.
      __resolveReference: async ({ id }) => {
        if (!isUuid(id)) return null;
        const vehicle = await deps.vehicles.findById(id);
        return vehicle && present(vehicle);
      },
    },
  };
}
