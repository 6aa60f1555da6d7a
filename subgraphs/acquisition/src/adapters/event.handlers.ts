import type { HandlerMap, Logger, SqlTx } from "@junggo/runtime";
import type { makeAdvanceSellRequest } from "../app/advance-sell-request.use-case.ts";
import type { makeMarketProjection } from "../app/project-market.use-case.ts";

/**
 * What acquisition consumes (each in its inbox transaction):
 *  - stock's events → its own market projection (quotes' comparables, the VIN-in-stock check);
 *  - the saga's steps: a SELLER_PICKUP picked up → PICKED_UP; the car registered by stock for a sell
 *    request → IN_INSPECTION; that car's INSPECTION completed (DONE) → LISTED.
 * Other journeys' events (deliveries, return pickups, repairs of the dealer's own cars) are ignored.
 */
export function acquisitionHandlers(
  market: ReturnType<typeof makeMarketProjection>,
  saga: ReturnType<typeof makeAdvanceSellRequest>,
  log: Logger,
): HandlerMap<SqlTx> {
  return {
    VehicleRegistered: async (e, tx) => {
      await market.registered(tx, e);
      if (e.payload.sellRequestId) await saga.arrivedAtLot(tx, e);
    },
    VehicleReserved: (e, tx) => market.status(tx, e.payload.vehicleId, "RESERVED"),
    VehicleReleased: (e, tx) => market.status(tx, e.payload.vehicleId, "AVAILABLE"),
    VehicleSold: (e, tx) => market.status(tx, e.payload.vehicleId, "SOLD", new Date(e.occurredAt)),
    VehicleSentToRepair: (e, tx) => market.status(tx, e.payload.vehicleId, "IN_REPAIR"),
    VehicleRepaired: async (e, tx) => {
      await market.status(tx, e.payload.vehicleId, "AVAILABLE");
      // Listed once stock has the car for sale (not when maintenance closes the order): the
      // seller's live update then shows the car AVAILABLE, never still "in repair".
      if (e.payload.kind === "INSPECTION") await saga.listed(tx, e);
    },
    VehicleWithdrawn: (e, tx) => market.status(tx, e.payload.vehicleId, "WITHDRAWN"),
    ConsignmentPickedUp: async (e, tx) => {
      if (e.payload.kind !== "SELLER_PICKUP") return;
      if (!e.payload.sellRequestId) {
        log.warn("SELLER_PICKUP without a sell request; ignored", { eventId: e.eventId });
        return;
      }
      await saga.pickedUp(tx, e);
    },
  };
}
