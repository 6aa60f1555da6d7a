import { DomainError, type HandlerMap, type Logger, type SqlTx } from "@junggo/runtime";
import type { Vehicle } from "../domain/vehicle.ts";
import type { HoldCommand, VehicleLifecycle } from "../app/vehicle-lifecycle.use-case.ts";

/**
 * Stock follows the purchase saga: paid → RESERVED, picked up → SOLD (leaves the lot), cancelled →
 * AVAILABLE. A transition the vehicle refuses (another purchase holds it, already moved on, unknown
 * vehicle) means the event does not apply: it is logged and acknowledged, never retried.
 */
export function stockEventHandlers<Tx extends SqlTx>(
  lifecycle: VehicleLifecycle<Tx>,
  log: Logger,
): HandlerMap<Tx> {
  const apply = async (
    step: (tx: Tx, cmd: HoldCommand) => Promise<Vehicle>,
    tx: Tx,
    cmd: HoldCommand,
    eventType: string,
  ) => {
    try {
      const vehicle = await step(tx, cmd);
      log.info("vehicle status changed", {
        eventType,
        vehicleId: cmd.vehicleId,
        purchaseId: cmd.purchaseId,
        status: vehicle.status,
      });
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      log.warn("event does not apply to the vehicle; ignored", {
        eventType,
        eventId: cmd.causationId,
        vehicleId: cmd.vehicleId,
        purchaseId: cmd.purchaseId,
        code: err.code,
        reason: err.message,
      });
    }
  };
  return {
    PurchasePaid: (e, tx) =>
      apply(
        lifecycle.reserve,
        tx,
        { vehicleId: e.payload.vehicleId, purchaseId: e.payload.purchaseId, causationId: e.eventId },
        e.type,
      ),
    // Only a delivery takes a car off the lot; the other kinds are other journeys.
    ConsignmentPickedUp: async (e, tx) => {
      const { kind, purchaseId, vehicleId } = e.payload;
      if (kind === "DELIVERY" && purchaseId !== null)
        await apply(lifecycle.leaveLot, tx, { vehicleId, purchaseId, causationId: e.eventId }, e.type);
    },
    PurchaseCancelled: (e, tx) =>
      apply(
        lifecycle.release,
        tx,
        { vehicleId: e.payload.vehicleId, purchaseId: e.payload.purchaseId, causationId: e.eventId },
        e.type,
      ),
  };
}
