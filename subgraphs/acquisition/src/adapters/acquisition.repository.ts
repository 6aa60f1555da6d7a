import { iso, toDate, toDateOrNull, utc } from "@junggo/runtime";
import type { AcquisitionRepository, MarketCar } from "../app/ports.ts";
import type { Quote } from "../domain/quote.ts";
import type { Comparable } from "../domain/quote-estimator.ts";
import type { SellRequest } from "../domain/sell-request.ts";

// Plain SQL on the driver for every path (no Prisma client in this context at run time; Prisma
// keeps the schema and the migrations). Timestamps are `timestamp(3)` holding UTC wall time.

type Row = Record<string, unknown>;

const QUOTE_COLUMNS = `id, "sellerId", vin, make, model, year, "mileageKm", condition::text AS condition, "offerKrw",
  basis, "comparableCount", ${utc("createdAt")}, ${utc("validUntil")}`;
const toQuote = (r: Row): Quote => ({
  id: r.id as string,
  sellerId: r.sellerId as string,
  vin: r.vin as string,
  make: r.make as string,
  model: r.model as string,
  year: Number(r.year),
  mileageKm: Number(r.mileageKm),
  condition: r.condition as Quote["condition"],
  offerKrw: Number(r.offerKrw),
  basis: r.basis as string,
  comparableCount: Number(r.comparableCount),
  createdAt: toDate(r.createdAt),
  validUntil: toDate(r.validUntil),
});

const SR_COLUMNS = `id, "quoteId", "sellerId", vin, "vehicleName", "offerKrw", status::text AS status, "vehicleId",
  "rejectReason", "cancelReason", ${utc("createdAt")}, ${utc("updatedAt")}`;
const toSellRequest = (r: Row): SellRequest => ({
  id: r.id as string,
  quoteId: r.quoteId as string,
  sellerId: r.sellerId as string,
  vin: r.vin as string,
  vehicleName: r.vehicleName as string,
  offerKrw: Number(r.offerKrw),
  status: r.status as SellRequest["status"],
  vehicleId: (r.vehicleId as string | null) ?? null,
  rejectReason: (r.rejectReason as string | null) ?? null,
  cancelReason: (r.cancelReason as string | null) ?? null,
  createdAt: toDate(r.createdAt),
  updatedAt: toDate(r.updatedAt),
});

const MARKET_COLUMNS = `"vehicleId", vin, make, model, year, "mileageKm", "priceKrw", status, ${utc("listedAt")}, ${utc("soldAt")}`;
const toMarketCar = (r: Row): MarketCar => ({
  vehicleId: r.vehicleId as string,
  vin: r.vin as string,
  make: r.make as string,
  model: r.model as string,
  year: Number(r.year),
  mileageKm: Number(r.mileageKm),
  priceKrw: Number(r.priceKrw),
  status: r.status as string,
  listedAt: toDate(r.listedAt),
  soldAt: toDateOrNull(r.soldAt),
});

export const acquisitionRepository: AcquisitionRepository = {
  async insertQuote(tx, q) {
    await tx.$executeRawUnsafe(
      `INSERT INTO "Quote" (id, "sellerId", vin, make, model, year, "mileageKm", condition, "offerKrw", basis,
         "comparableCount", "createdAt", "validUntil")
       VALUES ($1::uuid, $2::uuid, $3, $4, $5, $6, $7, $8::"VehicleCondition", $9, $10, $11, $12::timestamp(3), $13::timestamp(3))`,
      q.id,
      q.sellerId,
      q.vin,
      q.make,
      q.model,
      q.year,
      q.mileageKm,
      q.condition,
      q.offerKrw,
      q.basis,
      q.comparableCount,
      iso(q.createdAt),
      iso(q.validUntil),
    );
  },

  async quoteById(db, id) {
    const [r] = await db.$queryRawUnsafe<Row[]>(
      `SELECT ${QUOTE_COLUMNS} FROM "Quote" WHERE id = $1::uuid`,
      id,
    );
    return r ? toQuote(r) : null;
  },

  async insertSellRequest(tx, s) {
    const n = await tx.$executeRawUnsafe(
      `INSERT INTO "SellRequest" (id, "quoteId", "sellerId", vin, "vehicleName", "offerKrw", status, "vehicleId",
         "rejectReason", "cancelReason", "createdAt", "updatedAt")
       VALUES ($1::uuid, $2::uuid, $3::uuid, $4, $5, $6, $7::"SellRequestStatus", $8::uuid, $9, $10, $11::timestamp(3), $12::timestamp(3))
       ON CONFLICT ("quoteId") DO NOTHING`,
      s.id,
      s.quoteId,
      s.sellerId,
      s.vin,
      s.vehicleName,
      s.offerKrw,
      s.status,
      s.vehicleId,
      s.rejectReason,
      s.cancelReason,
      iso(s.createdAt),
      iso(s.updatedAt),
    );
    return n === 1;
  },

  async lockSellRequest(tx, id) {
    const [r] = await tx.$queryRawUnsafe<Row[]>(
      `SELECT ${SR_COLUMNS} FROM "SellRequest" WHERE id = $1::uuid FOR UPDATE`,
      id,
    );
    return r ? toSellRequest(r) : null;
  },

  async saveSellRequest(tx, s) {
    await tx.$executeRawUnsafe(
      `UPDATE "SellRequest" SET status = $2::"SellRequestStatus", "vehicleId" = $3::uuid, "rejectReason" = $4,
         "cancelReason" = $5, "updatedAt" = $6::timestamp(3)
       WHERE id = $1::uuid`,
      s.id,
      s.status,
      s.vehicleId,
      s.rejectReason,
      s.cancelReason,
      iso(s.updatedAt),
    );
  },

  async sellRequestById(db, id) {
    const [r] = await db.$queryRawUnsafe<Row[]>(
      `SELECT ${SR_COLUMNS} FROM "SellRequest" WHERE id = $1::uuid`,
      id,
    );
    return r ? toSellRequest(r) : null;
  },

  async sellRequestIdByVehicle(db, vehicleId) {
    const [r] = await db.$queryRawUnsafe<{ id: string }[]>(
      `SELECT id FROM "SellRequest" WHERE "vehicleId" = $1::uuid`,
      vehicleId,
    );
    return r?.id ?? null;
  },

  async listSellRequests(db, filter, first) {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.sellerId) {
      args.push(filter.sellerId);
      where.push(`"sellerId" = $${args.length}::uuid`);
    }
    if (filter.status) {
      args.push(filter.status);
      where.push(`status = $${args.length}::"SellRequestStatus"`);
    }
    args.push(first);
    const rows = await db.$queryRawUnsafe<Row[]>(
      `SELECT ${SR_COLUMNS} FROM "SellRequest" ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
       ORDER BY "createdAt" DESC, id DESC LIMIT $${args.length}`,
      ...args,
    );
    return rows.map(toSellRequest);
  },

  async claimVin(tx, vin, sellRequestId) {
    const n = await tx.$executeRawUnsafe(
      `INSERT INTO "LiveVin" (vin, "sellRequestId") VALUES ($1, $2::uuid) ON CONFLICT DO NOTHING`,
      vin,
      sellRequestId,
    );
    return n === 1;
  },

  async releaseVin(tx, sellRequestId) {
    await tx.$executeRawUnsafe(`DELETE FROM "LiveVin" WHERE "sellRequestId" = $1::uuid`, sellRequestId);
  },

  async comparables(db, make, model, yearFrom, yearTo): Promise<Comparable[]> {
    const rows = await db.$queryRawUnsafe<Row[]>(
      `SELECT make, model, year, "mileageKm", "priceKrw", status FROM "MarketCar"
       WHERE lower(make) = lower($1) AND lower(model) = lower($2) AND year BETWEEN $3 AND $4 AND status <> 'WITHDRAWN'`,
      make.trim(),
      model.trim(),
      yearFrom,
      yearTo,
    );
    return rows.map((r) => ({
      make: r.make as string,
      model: r.model as string,
      year: Number(r.year),
      mileageKm: Number(r.mileageKm),
      priceKrw: Number(r.priceKrw),
      kind: r.status === "SOLD" ? "SALE" : "LISTING",
    }));
  },

  async marketCarByVin(db, vin) {
    const [r] = await db.$queryRawUnsafe<Row[]>(
      `SELECT ${MARKET_COLUMNS} FROM "MarketCar" WHERE vin = $1`,
      vin,
    );
    return r ? toMarketCar(r) : null;
  },

  async marketCarById(db, vehicleId) {
    const [r] = await db.$queryRawUnsafe<Row[]>(
      `SELECT ${MARKET_COLUMNS} FROM "MarketCar" WHERE "vehicleId" = $1::uuid`,
      vehicleId,
    );
    return r ? toMarketCar(r) : null;
  },

  async upsertMarketCar(tx, c) {
    await tx.$executeRawUnsafe(
      `INSERT INTO "MarketCar" ("vehicleId", vin, make, model, year, "mileageKm", "priceKrw", status, "listedAt", "soldAt")
       VALUES ($1::uuid, $2, $3, $4, $5, $6, $7, $8, $9::timestamp(3), $10::timestamp(3))
       ON CONFLICT ("vehicleId") DO UPDATE SET vin = EXCLUDED.vin, make = EXCLUDED.make, model = EXCLUDED.model,
         year = EXCLUDED.year, "mileageKm" = EXCLUDED."mileageKm", "priceKrw" = EXCLUDED."priceKrw"`,
      c.vehicleId,
      c.vin,
      c.make,
      c.model,
      c.year,
      c.mileageKm,
      c.priceKrw,
      c.status,
      iso(c.listedAt),
      iso(c.soldAt),
    );
  },

  async setMarketStatus(tx, vehicleId, status, soldAt) {
    const n = await tx.$executeRawUnsafe(
      `UPDATE "MarketCar" SET status = $2, "soldAt" = COALESCE($3::timestamp(3), "soldAt") WHERE "vehicleId" = $1::uuid`,
      vehicleId,
      status,
      iso(soldAt ?? null),
    );
    return n === 1;
  },
};
