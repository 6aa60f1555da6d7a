import type { EventEnvelope } from "@junggo/events";
import type { SqlTx } from "@junggo/runtime";
import type { AcquisitionDeps } from "./ports.ts";

/**
 * Acquisition's view of stock, from stock's events (never stock's database): the market data of
 * quotes, the VIN-in-stock check. Each handler runs in the consumer's transaction.
 */
export const makeMarketProjection = (deps: Pick<AcquisitionDeps, "repo" | "log">) => ({
  async registered(tx: SqlTx, e: EventEnvelope<"VehicleRegistered">): Promise<void> {
    const p = e.payload;
    await deps.repo.upsertMarketCar(tx, {
      vehicleId: p.vehicleId,
      vin: p.vin,
      make: p.make,
      model: p.model,
      year: p.year,
      mileageKm: p.mileageKm,
      priceKrw: p.priceKrw,
      status: p.status,
      listedAt: new Date(e.occurredAt),
      soldAt: null,
    });
  },
  async status(tx: SqlTx, vehicleId: string, status: string, at?: Date): Promise<void> {
    if (!(await deps.repo.setMarketStatus(tx, vehicleId, status, at)))
      deps.log.warn("stock event for a car acquisition never saw registered; ignored", { vehicleId, status });
  },
});
