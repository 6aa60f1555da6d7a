import { encodeCursor } from "../domain/cursor.ts";
import { parsePageRequest, type VehicleFilterInput } from "../domain/vehicle-search.ts";
import type { Vehicle } from "../domain/vehicle.ts";
import type { VehicleReader } from "./ports.ts";

export interface VehiclePage {
  edges: { cursor: string; node: Vehicle }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}

export type SearchVehicles = (args: {
  filter?: VehicleFilterInput | null;
  first?: number | null;
  after?: string | null;
}) => Promise<VehiclePage>;

export function makeSearchVehicles(deps: { vehicles: VehicleReader }): SearchVehicles {
  return async (args) => {
    const { criteria, first, afterSeq } = parsePageRequest(args);
    // One extra row tells whether another page exists without a second query.
    const [rows, totalCount] = await Promise.all([
      deps.vehicles.search(criteria, afterSeq, first + 1),
      deps.vehicles.count(criteria),
    ]);
    const edges = rows.slice(0, first).map(({ seq, ...node }) => ({ cursor: encodeCursor(seq), node }));
    return {
      edges,
      pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null },
      totalCount,
    };
  };
}
