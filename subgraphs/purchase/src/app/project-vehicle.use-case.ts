import type { Logger } from "@junggo/runtime";
import type { EventEnvelope } from "@junggo/events";
import { vehicleProjectionRepository as vehicles, type VehicleAvailability } from "../adapters/vehicle-projection.repository.ts";
import type { PurchaseTx } from "./purchase.infra.ts";

// Purchase's projection of stock's vehicles, fed only by stock's events: it never reads stock's
// database nor calls stock, so purchases are accepted while stock is down.

export async function projectRegistered(tx: PurchaseTx, event: EventEnvelope<"VehicleRegistered">): Promise<void> {
  const { vehicleId, make, model, year, priceKrw } = event.payload;
  await vehicles.register(tx, { id: vehicleId, make, model, year, priceKrw });
}

export async function projectStatus(
  tx: PurchaseTx,
  event: EventEnvelope<"VehicleReserved" | "VehicleReleased" | "VehicleSold">,
  status: VehicleAvailability,
  log: Logger,
): Promise<void> {
  if (!(await vehicles.setStatus(tx, event.payload.vehicleId, status))) {
    log.warn("status of an unknown vehicle ignored", { type: event.type, vehicleId: event.payload.vehicleId });
  }
}
