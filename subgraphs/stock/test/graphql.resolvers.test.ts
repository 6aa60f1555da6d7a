import { describe, expect, it } from "vitest";
import { DomainError, type RequestContext, type Viewer } from "@junggo/runtime";
import { registerVehicle } from "../src/domain/vehicle.ts";
import { stockResolvers } from "../src/adapters/graphql.resolvers.ts";
import type { VehicleReader } from "../src/app/ports.ts";

const stored = {
  ...registerVehicle(
    "0b5c7a4e-5b2f-4d59-9f55-6d3d5a1c2b10",
    {
      vin: "KMHD341CBKU512734",
      make: "Hyundai",
      model: "Avante",
      year: 2019,
      mileageKm: 1,
      priceKrw: 10_000_000,
    },
    new Date("2025-01-01T00:00:00Z"),
  ).vehicle,
  status: "RESERVED" as const,
  purchaseId: "11111111-1111-4111-8111-111111111111",
};
let registered = 0;
const r = stockResolvers({
  vehicles: {
    findById: async (id: string) => (id === stored.id ? stored : null),
  } as unknown as VehicleReader,
  incoming: async () => null,
  register: async () => {
    registered++;
    return stored;
  },
  search: async () => ({
    edges: [{ cursor: "MQ", node: stored }],
    pageInfo: { hasNextPage: false, endCursor: "MQ" },
    totalCount: 1,
  }),
  summary: async () => [],
}) as unknown as Record<string, Record<string, (...a: unknown[]) => Promise<unknown>>>;

const ctx = (role: Viewer["role"] | null): RequestContext => ({
  viewer: role ? { id: "x", role, name: "x", email: "x@y.z" } : null,
});
const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => "resolved",
    (e) => (e instanceof DomainError ? e.code : String(e)),
  );

describe("stock resolvers", () => {
  it("registerVehicle is for STAFF only", async () => {
    expect(await codeOf(r.Mutation!.registerVehicle!({}, { input: {} }, ctx(null)))).toBe("UNAUTHENTICATED");
    for (const role of ["BUYER", "SELLER", "DRIVER"] as const)
      expect(await codeOf(r.Mutation!.registerVehicle!({}, { input: {} }, ctx(role)))).toBe("FORBIDDEN");
    expect(registered).toBe(0);
    expect(await r.Mutation!.registerVehicle!({}, { input: {} }, ctx("STAFF"))).toMatchObject({
      id: stored.id,
      registeredAt: "2025-01-01T00:00:00.000Z",
    });
  });

  it("never exposes which purchase holds a vehicle", async () => {
    const v = (await r.Query!.vehicle!({}, { id: stored.id }, ctx(null))) as Record<string, unknown>;
    expect(v).not.toHaveProperty("purchaseId");
    const page = (await r.Query!.vehicles!({}, {}, ctx(null))) as {
      edges: { node: Record<string, unknown> }[];
    };
    expect(page.edges[0]!.node).not.toHaveProperty("purchaseId");
  });

  it("vehicle(id): BAD_USER_INPUT for a malformed id, null for an unknown one", async () => {
    expect(await codeOf(r.Query!.vehicle!({}, { id: "123" }, ctx(null)))).toBe("BAD_USER_INPUT");
    expect(await r.Query!.vehicle!({}, { id: "00000000-0000-4000-8000-000000000000" }, ctx(null))).toBeNull();
  });

  it("resolves references for anyone; a malformed id resolves to null", async () => {
    expect(await r.Vehicle!.__resolveReference!({ id: stored.id }, ctx(null))).toMatchObject({
      id: stored.id,
      status: "RESERVED",
    });
    expect(await r.Vehicle!.__resolveReference!({ id: "nope" }, ctx(null))).toBeNull();
  });
});
