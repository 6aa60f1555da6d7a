import { isUuid, parseUuid, requireRole, type RequestContext } from "@junggo/runtime";
import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper/index.js";
import type { RegistrationInput, Vehicle } from "../domain/vehicle.ts";
import type { VehicleFilterInput } from "../domain/vehicle-search.ts";
import type { VehicleReader } from "../app/ports.ts";
import type { RegisterVehicle } from "../app/register-vehicle.use-case.ts";
import type { SearchVehicles } from "../app/search-vehicles.query.ts";
import type { StockLine } from "../domain/stock-summary.ts";

/** GraphQL shape; which purchase holds the car stays internal. */
const present = ({ purchaseId: _holder, registeredAt, ...v }: Vehicle) => ({
  ...v,
  registeredAt: registeredAt.toISOString(),
});

export function stockResolvers(deps: {
  vehicles: VehicleReader;
  register: RegisterVehicle;
  search: SearchVehicles;
  summary: () => Promise<StockLine[]>;
}): GraphQLResolverMap<RequestContext> {
  return {
    Query: {
      vehicles: async (
        _: unknown,
        args: { filter?: VehicleFilterInput | null; first?: number | null; after?: string | null },
      ) => {
        const page = await deps.search(args);
        return { ...page, edges: page.edges.map(({ cursor, node }) => ({ cursor, node: present(node) })) };
      },
      vehicle: async (_: unknown, { id }: { id: string }) => {
        const vehicle = await deps.vehicles.findById(parseUuid("id", id, "The vehicle id is not valid."));
        return vehicle && present(vehicle);
      },
      stockSummary: () => deps.summary(),
    },
    Mutation: {
      registerVehicle: async (
        _: unknown,
        { input }: { input: RegistrationInput },
        { viewer }: RequestContext,
      ) => {
        requireRole(viewer, "STAFF");
        return present(await deps.register(input));
      },
    },
    Vehicle: {
      // Stock is public, like the vehicles query: anyone may resolve a referenced vehicle.
      __resolveReference: async ({ id }: { id: string }) => {
        if (!isUuid(id)) return null;
        const vehicle = await deps.vehicles.findById(id);
        return vehicle && present(vehicle);
      },
    },
  };
}
