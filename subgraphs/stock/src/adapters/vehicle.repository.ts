import type { PrismaClient, Prisma } from "@junggo/prisma/stock";
import type { StatusCount } from "../domain/stock-summary.ts";
import type { Vehicle } from "../domain/vehicle.ts";
import type { VehicleCriteria } from "../domain/vehicle-search.ts";
import { type Database, iso, rowsByIdPerTick, type SqlTx, toDate } from "@junggo/runtime";
import { carOf } from "./car.row.ts";
import type { ListedVehicle, VehicleStore } from "../app/ports.ts";

type Row = Prisma.VehicleGetPayload<object>;

const toVehicle = ({
  id,
  vin,
  make,
  model,
  year,
  mileageKm,
  priceKrw,
  color,
  fuel,
  status,
  purchaseId,
  sellRequestId,
  repairOrderId,
  registeredAt,
}: Row): Vehicle => ({
  id,
  vin,
  make,
  model,
  year,
  mileageKm,
  priceKrw,
  color,
  fuel,
  status,
  purchaseId,
  sellRequestId,
  repairOrderId,
  registeredAt,
});

// Prisma turns `mode: "insensitive"` equality into ILIKE without escaping the pattern characters,
// so "Hy%" would match "Hyundai". Escaping keeps it an equality test.
const sameText = (value: string) => ({
  equals: value.replace(/[\\%_]/g, "\\$&"),
  mode: "insensitive" as const,
});

function toWhere(c: VehicleCriteria): Prisma.VehicleWhereInput {
  return {
    make: c.make === undefined ? undefined : sameText(c.make),
    model: c.model === undefined ? undefined : sameText(c.model),
    year: { gte: c.minYear, lte: c.maxYear },
    priceKrw: { gte: c.minPriceKrw, lte: c.maxPriceKrw },
    mileageKm: { lte: c.maxMileageKm },
    status: c.status,
  };
}

const SELECT = `SELECT id, vin, make, model, year, "mileageKm", "priceKrw", color, fuel, status, "purchaseId", "sellRequestId", "repairOrderId", "registeredAt" FROM "Vehicle"`;
type VehicleRow = Record<keyof Vehicle, unknown>;

/** A row of SELECT as the driver (or a Prisma transaction) returns it. */
function fromRow(r: VehicleRow): Vehicle {
  return {
    id: r.id as string,
    ...carOf(r),
    priceKrw: Number(r.priceKrw),
    color: r.color as string | null,
    fuel: r.fuel as string | null,
    status: r.status as Vehicle["status"],
    purchaseId: r.purchaseId as string | null,
    sellRequestId: r.sellRequestId as string | null,
    repairOrderId: r.repairOrderId as string | null,
    registeredAt: toDate(r.registeredAt),
  };
}

export class VehicleRepository implements VehicleStore<Prisma.TransactionClient> {
  /**
   * Plain SQL, the ids of one tick in one query (`_entities` for a list of purchases is one round
   * trip): vehicle(id) and every reference to a car come here, and the Prisma client's query
   * compiler was ~30% of stock's CPU serving them in the benchmark.
   */
  readonly findById: (id: string) => Promise<Vehicle | null>;

  constructor(
    private readonly prisma: PrismaClient,
    db: Pick<Database, "query">,
  ) {
    this.findById = rowsByIdPerTick<VehicleRow & { id: string }, Vehicle>(
      (sql, params) => db.query(sql, params),
      `${SELECT} WHERE id = ANY($1::uuid[])`,
      fromRow,
    );
  }

  async findByVin(vin: string): Promise<Vehicle | null> {
    const row = await this.prisma.vehicle.findUnique({ where: { vin } });
    return row && toVehicle(row);
  }

  async search(criteria: VehicleCriteria, afterSeq: number, take: number): Promise<ListedVehicle[]> {
    const rows = await this.prisma.vehicle.findMany({
      where: { ...toWhere(criteria), seq: { gt: afterSeq } },
      orderBy: { seq: "asc" },
      take,
    });
    return rows.map((row) => ({ ...toVehicle(row), seq: row.seq }));
  }

  count(criteria: VehicleCriteria): Promise<number> {
    return this.prisma.vehicle.count({ where: toWhere(criteria) });
  }

  async countByModelAndStatus(): Promise<StatusCount[]> {
    const groups = await this.prisma.vehicle.groupBy({
      by: ["make", "model", "status"],
      _count: { _all: true },
    });
    return groups.map(({ make, model, status, _count }) => ({ make, model, status, count: _count._all }));
  }

  async insert(tx: Prisma.TransactionClient, vehicle: Vehicle): Promise<boolean> {
    // ON CONFLICT DO NOTHING: a taken VIN yields 0 rows instead of an error that would abort the
    // transaction (and whose shape differs between the PGlite and pg adapters).
    const { count } = await tx.vehicle.createMany({ data: [vehicle], skipDuplicates: true });
    return count === 1;
  }

  // findByIdIn and update run for every saga event in the consumer's raw transaction (plain SQL,
  // no Prisma client there; see stock.module.ts), and on Prisma transactions for replays.
  async findByIdIn(tx: SqlTx, id: string): Promise<Vehicle | null> {
    const [r] = await tx.$queryRawUnsafe<VehicleRow[]>(`${SELECT} WHERE id = $1::uuid`, id);
    return r ? fromRow(r) : null;
  }

  async insertIn(tx: SqlTx, v: Vehicle): Promise<boolean> {
    // ON CONFLICT DO NOTHING (id or VIN taken): 0 rows instead of an error that aborts the transaction.
    const count = await tx.$executeRawUnsafe(
      `INSERT INTO "Vehicle" (id, vin, make, model, year, "mileageKm", "priceKrw", color, fuel, status, "purchaseId", "sellRequestId", "repairOrderId", "registeredAt", "updatedAt")
       VALUES ($1::uuid, $2, $3, $4, $5, $6, $7, $8, $9, $10::"VehicleStatus", $11::uuid, $12::uuid, $13::uuid, $14::timestamp(3), $14::timestamp(3))
       ON CONFLICT DO NOTHING`,
      v.id,
      v.vin,
      v.make,
      v.model,
      v.year,
      v.mileageKm,
      v.priceKrw,
      v.color,
      v.fuel,
      v.status,
      v.purchaseId,
      v.sellRequestId,
      v.repairOrderId,
      iso(v.registeredAt),
    );
    return count === 1;
  }

  async update(tx: SqlTx, previous: Vehicle, next: Vehicle): Promise<boolean> {
    // Conditional on the row as read (IS NOT DISTINCT FROM: null matches null, as Prisma's
    // `purchaseId: null` does); "updatedAt" in UTC like Prisma's @updatedAt.
    const count = await tx.$executeRawUnsafe(
      `UPDATE "Vehicle" SET status = $5::"VehicleStatus", "purchaseId" = $6::uuid, "repairOrderId" = $7::uuid, "updatedAt" = $8::timestamp(3)
       WHERE id = $1::uuid AND status = $2::"VehicleStatus" AND "purchaseId" IS NOT DISTINCT FROM $3::uuid
         AND "repairOrderId" IS NOT DISTINCT FROM $4::uuid`,
      previous.id,
      previous.status,
      previous.purchaseId,
      previous.repairOrderId,
      next.status,
      next.purchaseId,
      next.repairOrderId,
      new Date().toISOString(),
    );
    return count === 1;
  }
}
