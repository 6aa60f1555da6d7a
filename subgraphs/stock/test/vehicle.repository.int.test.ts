import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase, type TestDatabase } from "@junggo/runtime/testing";
import { migrationsDir } from "@junggo/prisma";
import { PrismaClient } from "@junggo/prisma/stock";
import { registerVehicle, type RegistrationInput, type Vehicle } from "../src/domain/vehicle.ts";
import type { VehicleCriteria } from "../src/domain/vehicle-search.ts";
import { VehicleRepository } from "../src/adapters/vehicle.repository.ts";

// Runs the Prisma repository against a real (embedded PGlite) Postgres with the context's migrations.
let testDb: TestDatabase;
let prisma: PrismaClient;
let repo: VehicleRepository;
const NOW = new Date("2025-01-01T00:00:00Z");

const car = (vin: string, make: string, model: string, extra: Partial<RegistrationInput> = {}) =>
  registerVehicle(
    crypto.randomUUID(),
    { vin, make, model, year: 2020, mileageKm: 50_000, priceKrw: 20_000_000, ...extra },
    NOW,
  ).vehicle;

beforeAll(async () => {
  testDb = await openTestDatabase(migrationsDir("stock"));
  prisma = new PrismaClient({ adapter: testDb.db.adapter });
  repo = new VehicleRepository(prisma, testDb.db);
  const cars = [
    car("KMHD341CBKU000001", "Hyundai", "Avante", { year: 2019, priceKrw: 13_000_000, mileageKm: 60_000 }),
    car("KMHD341CBKU000002", "Hy%", "Test"), // a make that looks like a LIKE pattern
    car("KMHD341CBKU000003", "Hyundai", "Sonata", { year: 2022, priceKrw: 25_000_000, mileageKm: 10_000 }),
    car("KNAG541CBM5000004", "Kia", "K5", { year: 2021 }),
    car("KNAG541CBM5000005", "kia", "k5", { year: 2023, priceKrw: 30_000_000 }),
  ];
  for (const c of cars) expect(await prisma.$transaction((tx) => repo.insert(tx, c))).toBe(true);
  inserted = cars;
}, 60_000);

afterAll(async () => {
  await prisma?.$disconnect();
  await testDb?.close();
});

let inserted: Vehicle[] = [];
const vins = async (c: VehicleCriteria, after = 0, take = 100) =>
  (await repo.search(c, after, take)).map((v) => v.vin.slice(-1));

describe("VehicleRepository (PGlite)", () => {
  it("finds cars by id as written, those of one tick in one answer, an unknown or malformed id as null", async () => {
    const asked = [
      ...inserted.map((v) => v.id),
      crypto.randomUUID(),
      "not-a-uuid",
      inserted[0]!.id.toUpperCase(),
    ];
    expect(await Promise.all(asked.map((id) => repo.findById(id)))).toEqual([
      ...inserted,
      null,
      null,
      inserted[0],
    ]);
  });

  it("refuses a second vehicle with the same VIN without aborting the transaction", async () => {
    const again = car("KMHD341CBKU000001", "Hyundai", "Avante");
    const result = await prisma.$transaction(async (tx) => [
      await repo.insert(tx, again),
      await tx.vehicle.count(),
    ]);
    expect(result).toEqual([false, 5]);
  });

  it("matches make and model case-insensitively and literally (no LIKE wildcards)", async () => {
    expect(await vins({ make: "HYUNDAI" })).toEqual(["1", "3"]);
    expect(await vins({ make: "kia", model: "K5" })).toEqual(["4", "5"]);
    expect(await vins({ make: "Hy%" })).toEqual(["2"]);
    expect(await vins({ make: "Hy_ndai" })).toEqual([]);
  });

  it("filters by year, price and mileage ranges and status", async () => {
    expect(await vins({ minYear: 2021, maxYear: 2022 })).toEqual(["3", "4"]);
    expect(await vins({ minPriceKrw: 20_000_001 })).toEqual(["3", "5"]);
    expect(await vins({ maxPriceKrw: 13_000_000 })).toEqual(["1"]);
    expect(await vins({ maxMileageKm: 10_000 })).toEqual(["3"]);
    expect(await vins({ status: "RESERVED" })).toEqual([]);
    expect(await repo.count({ make: "hyundai" })).toBe(2);
  });

  it("pages by seq after a cursor position", async () => {
    const all = await repo.search({}, 0, 100);
    expect(all.map((v) => v.seq)).toEqual([...all.map((v) => v.seq)].sort((a, b) => a - b));
    expect(await vins({}, all[1]!.seq, 2)).toEqual(["3", "4"]);
  });

  it("updates only when the row is still as read (optimistic check)", async () => {
    const v = (await repo.findByVin("KNAG541CBM5000004"))!;
    const purchaseId = crypto.randomUUID();
    const reserved = { ...v, status: "RESERVED" as const, purchaseId };
    expect(await prisma.$transaction((tx) => repo.update(tx, v, reserved))).toBe(true);
    expect(await prisma.$transaction((tx) => repo.update(tx, v, reserved))).toBe(false); // stale `previous`
    expect((await repo.findById(v.id))?.status).toBe("RESERVED");
    expect(await repo.countByModelAndStatus()).toEqual(
      expect.arrayContaining([
        { make: "Kia", model: "K5", status: "RESERVED", count: 1 },
        { make: "Hyundai", model: "Avante", status: "AVAILABLE", count: 1 },
      ]),
    );
  });
});
