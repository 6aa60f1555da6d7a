import type { SqlReader } from "@junggo/runtime";
import type { IntakeStore } from "./ports.ts";

/** A car bought from a seller that stock does not hold yet, as the Vehicle it will become. */
export interface IncomingVehicle {
  id: string;
  vin: string;
  make: string;
  model: string;
  year: number;
  mileageKm: number;
  priceKrw: number;
  /** INCOMING on its way to the lot; WITHDRAWN when the seller cancelled before it arrived. */
  status: "INCOMING" | "WITHDRAWN";
  registeredAt: Date;
}

/**
 * The driver of a SELLER_PICKUP job (and its seller) must see which car to fetch before stock
 * registers it: its accepted intake answers for it until the car reaches the lot.
 */
export const makeIncomingVehicle =
  (deps: { intakes: Pick<IntakeStore<unknown>, "findByVehicle">; db: SqlReader }) =>
  async (vehicleId: string): Promise<IncomingVehicle | null> => {
    const i = await deps.intakes.findByVehicle(deps.db, vehicleId);
    if (!i || i.registeredAt) return null;
    return {
      id: i.vehicleId,
      vin: i.vin,
      make: i.make,
      model: i.model,
      year: i.year,
      mileageKm: i.mileageKm,
      priceKrw: i.listPriceKrw,
      status: i.cancelledAt ? "WITHDRAWN" : "INCOMING",
      registeredAt: i.acceptedAt,
    };
  };
export type IncomingVehicleQuery = ReturnType<typeof makeIncomingVehicle>;
