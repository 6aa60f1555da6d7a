import { DomainError, type HandlerMap, type Logger, type SqlTx } from "@junggo/runtime";
import type { Vehicle } from "../domain/vehicle.ts";
import type { VehicleCommand, VehicleLifecycle } from "../app/vehicle-lifecycle.use-case.ts";
import type { VehicleIntake } from "../app/vehicle-intake.use-case.ts";

/**
 * Stock follows the purchase saga (paid → RESERVED, picked up → SOLD, cancelled → AVAILABLE,
 * returned → AVAILABLE), the acquisition saga (accepted → intake expected, delivered to the lot →
 * registered IN_REPAIR, cancelled → WITHDRAWN) and the workshop (repair opened → IN_REPAIR,
 * completed → AVAILABLE). A transition the vehicle refuses (another purchase or order holds it,
 * already moved on, unknown vehicle) means the event does not apply: it is logged and
 * acknowledged, never retried. Plain errors (an intake not recorded yet) are retried.
 */
export function stockEventHandlers<Tx extends SqlTx>(
  lifecycle: VehicleLifecycle<Tx>,
  intake: VehicleIntake<Tx>,
  log: Logger,
): HandlerMap<Tx> {
  const ignored = (err: unknown, eventType: string, context: Record<string, unknown>) => {
    if (!(err instanceof DomainError)) throw err;
    // A bought car whose VIN another stock row holds cannot be registered: staff must look at it.
    log[err.code === "DUPLICATE_VIN" ? "error" : "warn"]("event does not apply to the vehicle; ignored", {
      eventType,
      ...context,
      code: err.code,
      reason: err.message,
    });
  };
  const apply = async <A>(
    step: (tx: Tx, cmd: VehicleCommand<A>) => Promise<Vehicle>,
    tx: Tx,
    cmd: VehicleCommand<A>,
    eventType: string,
  ) => {
    try {
      const vehicle = await step(tx, cmd);
      log.info("vehicle status changed", {
        eventType,
        vehicleId: cmd.vehicleId,
        by: cmd.by,
        status: vehicle.status,
      });
    } catch (err) {
      ignored(err, eventType, { eventId: cmd.causationId, vehicleId: cmd.vehicleId, by: cmd.by });
    }
  };
  const hold = (e: { eventId: string; payload: { vehicleId: string; purchaseId: string } }) => ({
    vehicleId: e.payload.vehicleId,
    by: e.payload.purchaseId,
    causationId: e.eventId,
  });
  return {
    PurchasePaid: (e, tx) => apply(lifecycle.reserve, tx, hold(e), e.type),
    // Only a delivery takes a car off the lot; the other kinds are other journeys.
    ConsignmentPickedUp: async (e, tx) => {
      const { kind, purchaseId, vehicleId } = e.payload;
      if (kind === "DELIVERY" && purchaseId !== null)
        await apply(lifecycle.leaveLot, tx, { vehicleId, by: purchaseId, causationId: e.eventId }, e.type);
    },
    PurchaseCancelled: (e, tx) => apply(lifecycle.release, tx, hold(e), e.type),
    PurchaseReturned: (e, tx) => apply(lifecycle.takeBack, tx, hold(e), e.type),

    SellRequestAccepted: (e, tx) => {
      const p = e.payload;
      return intake.expect(tx, {
        sellRequestId: p.sellRequestId,
        vehicleId: p.vehicleId,
        sellerId: p.sellerId,
        vin: p.vin,
        make: p.make,
        model: p.model,
        year: p.year,
        mileageKm: p.mileageKm,
        listPriceKrw: p.listPriceKrw,
        acceptedAt: new Date(e.occurredAt),
      });
    },
    // A car bought from a seller reached the lot. The other kinds are handled above or elsewhere.
    ConsignmentDelivered: async (e, tx) => {
      const { kind, sellRequestId, vehicleId } = e.payload;
      if (kind !== "SELLER_PICKUP" || sellRequestId === null) return;
      try {
        const vehicle = await intake.register(tx, sellRequestId, e.eventId);
        log.info(vehicle ? "vehicle registered from a sell request" : "vehicle already registered", {
          sellRequestId,
          vehicleId,
        });
      } catch (err) {
        ignored(err, e.type, { eventId: e.eventId, vehicleId, sellRequestId });
      }
    },
    SellRequestCancelled: async (e, tx) => {
      const { sellRequestId, returnVehicleId, cancelPickup } = e.payload;
      if (returnVehicleId !== null) {
        await apply(
          lifecycle.withdraw,
          tx,
          { vehicleId: returnVehicleId, by: sellRequestId, causationId: e.eventId },
          e.type,
        );
      } else if (cancelPickup) {
        const outcome = await intake.cancel(tx, sellRequestId);
        // "registered": the car reached the lot before acquisition heard of it; the cancellation
        // named no car to withdraw, so stock keeps it (reported, for staff to sort out).
        if (outcome === "registered")
          log.error("sell request cancelled without withdrawing its car, which is in stock", {
            sellRequestId,
            eventId: e.eventId,
          });
        else log.info("expected intake cancelled", { sellRequestId, outcome });
      }
    },

    RepairOrderOpened: (e, tx) => {
      const { vehicleId, repairOrderId, kind } = e.payload;
      return apply(
        lifecycle.sendToRepair,
        tx,
        { vehicleId, by: { repairOrderId, kind }, causationId: e.eventId },
        e.type,
      );
    },
    // WITHDRAWN: the order was closed because the seller took the car back (stock withdrew it on
    // SellRequestCancelled); nothing to do here.
    RepairOrderCompleted: async (e, tx) => {
      const { vehicleId, repairOrderId, kind, outcome } = e.payload;
      if (outcome !== "DONE") return;
      await apply(
        lifecycle.completeRepair,
        tx,
        { vehicleId, by: { repairOrderId, kind }, causationId: e.eventId },
        e.type,
      );
    },
  };
}
