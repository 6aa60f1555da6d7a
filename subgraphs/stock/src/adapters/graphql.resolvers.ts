import { DomainError, isUuid, parseUuid, requireRole } from "@junggo/runtime";
import type { Vehicle } from "../domain/vehicle.ts";
import type { VehicleReader } from "../app/ports.ts";
import type { IncomingVehicle, IncomingVehicleQuery } from "../app/incoming-vehicle.query.ts";
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

const presentIncoming = ({ registeredAt, ...v }: IncomingVehicle): VehicleNode => ({
  ...v,
  color: null,
  fuel: null,
  registeredAt: registeredAt.toISOString(),
});

export function stockResolvers(deps: {
  vehicles: VehicleReader;
  incoming: IncomingVehicleQuery;
  register: RegisterVehicle;
  search: SearchVehicles;
  summary: () => Promise<StockLine[]>;
}): Resolvers {
  return {
    Query: {
      vehicles: async (_, args) => {
        const { filter } = args;
        const status = filter?.status;
        if (status === "INCOMING")
          throw new DomainError(
            "BAD_USER_INPUT",
            "Incoming cars are not in stock yet: they cannot be searched.",
            {
              field: "filter.status",
            },
          );
        const page = await deps.search({ ...args, filter: filter && { ...filter, status } });
        return { ...page, edges: page.edges.map(({ cursor, node }) => ({ cursor, node: present(node) })) };
      },
      vehicle: async (_, { id }) => {
        const vehicleId = parseUuid("id", id, "The vehicle id is not valid.");
        const vehicle = await deps.vehicles.findById(vehicleId);
        if (vehicle) return present(vehicle);
        const incoming = await deps.incoming(vehicleId);
        return incoming && presentIncoming(incoming);
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
        if (vehicle) return present(vehicle);
        // A seller's car on its way to the lot: a pickup job refers to it already.
        const incoming = await deps.incoming(id);
        return incoming && presentIncoming(incoming);
      },
    },
  };
}
