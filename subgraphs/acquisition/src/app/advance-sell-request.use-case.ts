import type { EventEnvelope } from "@junggo/events";
import { DomainError, isUuid, type SqlTx } from "@junggo/runtime";
import { arrivedAtLot, listed, pickedUp, type SellRequestTransition } from "../domain/sell-request.ts";
import { changeSellRequest } from "./decide-sell-request.use-case.ts";
import type { AcquisitionDeps } from "./ports.ts";

/**
 * The acquisition saga's steps driven by the other contexts' events, each in the consumer's
 * transaction (inbox row, sell request, outbox event commit together). An event that does not apply
 * (unknown sell request, cancelled, already past that step: a redelivery with another event id)
 * changes nothing: it is logged and acknowledged, never retried.
 */
export const makeAdvanceSellRequest = (deps: AcquisitionDeps) => {
  const step = async (
    tx: SqlTx,
    e: EventEnvelope,
    sellRequestId: string,
    transition: Parameters<typeof changeSellRequest>[3],
  ): Promise<SellRequestTransition | null> => {
    if (!isUuid(sellRequestId)) {
      deps.log.warn("event names no valid sell request; ignored", { eventType: e.type, eventId: e.eventId });
      return null;
    }
    try {
      return await changeSellRequest(deps, tx, sellRequestId.toLowerCase(), transition, e.eventId);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      deps.log.warn("event does not apply to the sell request; ignored", {
        eventType: e.type,
        eventId: e.eventId,
        sellRequestId,
        code: err.code,
        reason: err.message,
      });
      return null;
    }
  };
  return {
    /** The driver has the seller's car: PICKED_UP. */
    pickedUp: (tx: SqlTx, e: EventEnvelope<"ConsignmentPickedUp">) =>
      step(tx, e, e.payload.sellRequestId!, (s) => pickedUp(s, e.payload.consignmentId, deps.clock())),
    /** Stock registered the car (IN_REPAIR) under the allocated vehicle: IN_INSPECTION. */
    arrivedAtLot: (tx: SqlTx, e: EventEnvelope<"VehicleRegistered">) =>
      step(tx, e, e.payload.sellRequestId!, (s) => arrivedAtLot(s, e.payload.vehicleId, deps.clock())),
    /**
     * Stock put the inspected car up for sale: LISTED. The car is known by its vehicle id, which
     * the sell request allocated when staff accepted it; any other car's inspection is not ours.
     */
    listed: async (tx: SqlTx, e: EventEnvelope<"VehicleRepaired">) => {
      const sellRequestId = await deps.repo.sellRequestIdByVehicle(tx, e.payload.vehicleId);
      if (!sellRequestId) return null;
      return step(tx, e, sellRequestId, (s) => listed(s, deps.clock()));
    },
  };
};
