import type { SqlTx, SqlReader } from "@junggo/runtime";
import type { ProjectedVehicle, VehicleAvailability, VehicleProjectionRepository } from "../app/ports.ts";

/** Purchase's own copy of what it needs to know about stock's vehicles (fed by stock's events), in plain SQL. */
export const vehicleProjectionRepository = {
  async byId(db: SqlReader, id: string): Promise<ProjectedVehicle | null> {
    const [r] = await db.$queryRawUnsafe<Record<keyof ProjectedVehicle, unknown>[]>(
      `SELECT id, make, model, year, "priceKrw", status::text AS status FROM "VehicleProjection" WHERE id = $1::uuid`,
      id,
    );
    if (!r) return null;
    return {
      id: r.id as string,
      make: r.make as string,
      model: r.model as string,
      year: Number(r.year),
      priceKrw: Number(r.priceKrw),
      status: r.status as VehicleAvailability,
    };
  },

  /** A registration creates the vehicle AVAILABLE; a repeated one refreshes its details but never its status. */
  async register(tx: SqlTx, v: Omit<ProjectedVehicle, "status">): Promise<void> {
    await tx.$executeRawUnsafe(
      `INSERT INTO "VehicleProjection" (id, make, model, year, "priceKrw", status, "updatedAt")
       VALUES ($1::uuid, $2, $3, $4, $5, 'AVAILABLE', $6::timestamp(3))
       ON CONFLICT (id) DO UPDATE SET make = EXCLUDED.make, model = EXCLUDED.model, year = EXCLUDED.year,
         "priceKrw" = EXCLUDED."priceKrw", "updatedAt" = EXCLUDED."updatedAt"`,
      v.id,
      v.make,
      v.model,
      v.year,
      v.priceKrw,
      new Date().toISOString(),
    );
  },

  /** False when the vehicle is unknown here. */
  async setStatus(tx: SqlTx, id: string, status: VehicleAvailability): Promise<boolean> {
    return (
      (await tx.$executeRawUnsafe(
        `UPDATE "VehicleProjection" SET status = $2::"VehicleAvailability", "updatedAt" = $3::timestamp(3) WHERE id = $1::uuid`,
        id,
        status,
        new Date().toISOString(),
      )) === 1
    );
  },
} satisfies VehicleProjectionRepository<SqlTx, SqlReader>;
