import { newEvent } from "@junggo/events";
import { appendEvents, DomainError, type Logger, type SqlTx } from "@junggo/runtime";
import { registerIntake, type Vehicle } from "../domain/vehicle.ts";
import type { ExpectedIntake, IntakeStore, VehicleStore } from "./ports.ts";

/**
 * Cars bought from sellers (the acquisition saga). Acceptance records what will arrive; the
 * delivery of its SELLER_PICKUP consignment registers it (IN_REPAIR, waiting for its inspection).
 * Everything runs inside the event handler's transaction (inbox row, effects and outbox together).
 */
export function makeVehicleIntake<Tx extends SqlTx>(deps: {
  vehicles: VehicleStore<Tx>;
  intakes: IntakeStore<Tx>;
  log: Logger;
  now?: () => Date;
}) {
  const now = () => deps.now?.() ?? new Date();
  return {
    /** SellRequestAccepted: the car is expected under the vehicleId acquisition allocated. */
    async expect(tx: Tx, intake: Omit<ExpectedIntake, "registeredAt" | "cancelledAt">): Promise<void> {
      const fresh = await deps.intakes.record(tx, { ...intake, registeredAt: null, cancelledAt: null });
      deps.log.info(fresh ? "intake expected" : "intake already expected", {
        sellRequestId: intake.sellRequestId,
        vehicleId: intake.vehicleId,
      });
    },

    /**
     * The SELLER_PICKUP consignment delivered the car: register it. Throws a plain Error when the
     * intake is not recorded yet (the acceptance is still on its way: the event is retried);
     * DomainError for a delivery that does not apply (cancelled, VIN already in stock).
     */
    async register(tx: Tx, sellRequestId: string, causationId: string): Promise<Vehicle | null> {
      const intake = await deps.intakes.findIn(tx, sellRequestId);
      if (!intake) throw new Error(`no intake recorded yet for sell request ${sellRequestId}`);
      if (intake.cancelledAt) {
        throw new DomainError(
          "VEHICLE_TRANSITION_REFUSED",
          `Sell request ${sellRequestId} was cancelled before its car arrived.`,
        );
      }
      // A redelivered or repeated delivery: the car is in stock already.
      if (await deps.vehicles.findByIdIn(tx, intake.vehicleId)) return null;
      const { vehicle, events } = registerIntake(intake, now());
      if (!(await deps.vehicles.insertIn(tx, vehicle))) {
        throw new DomainError("DUPLICATE_VIN", `A vehicle with VIN ${vehicle.vin} is already registered.`, {
          field: "vin",
        });
      }
      await deps.intakes.mark(tx, sellRequestId, "registeredAt", vehicle.registeredAt);
      await appendEvents(
        tx,
        events.map((e) => newEvent(e.type, e.payload, { producer: "stock", causationId })),
      );
      return vehicle;
    },

    /** The sell request was cancelled before its car arrived: a late delivery registers nothing. */
    async cancel(tx: Tx, sellRequestId: string): Promise<"cancelled" | "registered" | "unknown"> {
      const intake = await deps.intakes.findIn(tx, sellRequestId);
      if (!intake) return "unknown";
      if (intake.registeredAt) return "registered";
      await deps.intakes.mark(tx, sellRequestId, "cancelledAt", now());
      return "cancelled";
    },
  };
}

export type VehicleIntake<Tx extends SqlTx> = ReturnType<typeof makeVehicleIntake<Tx>>;
