import type { EventEnvelope } from "@junggo/events";
import type { VehicleAvailability } from "./ports.ts";
import type { PurchaseDeps, PurchaseTx } from "./purchase.infra.ts";

// Purchase's projection of stock's vehicles, fed only by stock's events: it never reads stock's
// database nor calls stock, so purchases are accepted while stock is down.

export async function projectRegistered(
  tx: PurchaseTx,
  event: EventEnvelope<"VehicleRegistered">,
  { vehicles }: Pick<PurchaseDeps, "vehicles">,
): Promise<void> {
  const { vehicleId, make, model, year, priceKrw } = event.payload;
  await vehicles.register(tx, { id: vehicleId, make, model, year, priceKrw });
}

export async function projectStatus(
  tx: PurchaseTx,
  event: EventEnvelope<"VehicleReserved" | "VehicleReleased" | "VehicleSold" | "VehicleWithdrawn">,
  status: VehicleAvailability,
  { vehicles, log }: Pick<PurchaseDeps, "vehicles" | "log">,
): Promise<void> {
  if (!(await vehicles.setStatus(tx, event.payload.vehicleId, status))) {
    log.warn("status of an unknown vehicle ignored", {
      type: event.type,
      vehicleId: event.payload.vehicleId,
    });
  }
}
