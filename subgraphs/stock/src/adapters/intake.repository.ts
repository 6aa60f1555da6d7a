import { iso, type SqlTx, toDate, toDateOrNull, utc } from "@junggo/runtime";
import type { ExpectedIntake, IntakeStore } from "../app/ports.ts";
import { carOf } from "./car.row.ts";

// Expected intakes in plain SQL: they are read and written only by event handlers, in the
// consumer's raw transaction (and in Prisma transactions for dead-letter replays).

const COLUMNS = `"sellRequestId", "vehicleId", "sellerId", vin, make, model, year, "mileageKm", "listPriceKrw",
  ${utc("acceptedAt")}, ${utc("registeredAt")}, ${utc("cancelledAt")}`;

const toIntake = (r: Record<keyof ExpectedIntake, unknown>): ExpectedIntake => ({
  sellRequestId: r.sellRequestId as string,
  vehicleId: r.vehicleId as string,
  sellerId: r.sellerId as string,
  ...carOf(r),
  listPriceKrw: Number(r.listPriceKrw),
  acceptedAt: toDate(r.acceptedAt),
  registeredAt: toDateOrNull(r.registeredAt),
  cancelledAt: toDateOrNull(r.cancelledAt),
});

export const intakeRepository: IntakeStore<SqlTx> = {
  async record(tx, i: ExpectedIntake): Promise<boolean> {
    const count = await tx.$executeRawUnsafe(
      `INSERT INTO "ExpectedIntake" ("sellRequestId", "vehicleId", "sellerId", vin, make, model, year, "mileageKm", "listPriceKrw", "acceptedAt", "registeredAt", "cancelledAt")
       VALUES ($1::uuid, $2::uuid, $3::uuid, $4, $5, $6, $7, $8, $9, $10::timestamp(3), $11::timestamp(3), $12::timestamp(3))
       ON CONFLICT DO NOTHING`,
      i.sellRequestId,
      i.vehicleId,
      i.sellerId,
      i.vin,
      i.make,
      i.model,
      i.year,
      i.mileageKm,
      i.listPriceKrw,
      iso(i.acceptedAt),
      iso(i.registeredAt),
      iso(i.cancelledAt),
    );
    return count === 1;
  },

  async findIn(tx, sellRequestId): Promise<ExpectedIntake | null> {
    const [r] = await tx.$queryRawUnsafe<Record<keyof ExpectedIntake, unknown>[]>(
      `SELECT ${COLUMNS} FROM "ExpectedIntake" WHERE "sellRequestId" = $1::uuid`,
      sellRequestId,
    );
    return r ? toIntake(r) : null;
  },

  async findByVehicle(db, vehicleId): Promise<ExpectedIntake | null> {
    const [r] = await db.$queryRawUnsafe<Record<keyof ExpectedIntake, unknown>[]>(
      `SELECT ${COLUMNS} FROM "ExpectedIntake" WHERE "vehicleId" = $1::uuid`,
      vehicleId,
    );
    return r ? toIntake(r) : null;
  },

  async mark(tx, sellRequestId, what, at): Promise<void> {
    // The column name comes from the closed union of the port, never from input.
    const column = what === "registeredAt" ? `"registeredAt"` : `"cancelledAt"`;
    await tx.$executeRawUnsafe(
      `UPDATE "ExpectedIntake" SET ${column} = COALESCE(${column}, $2::timestamp(3)) WHERE "sellRequestId" = $1::uuid`,
      sellRequestId,
      iso(at),
    );
  },
};
