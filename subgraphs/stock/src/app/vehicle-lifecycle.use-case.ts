import { newEvent } from "@junggo/events";
import { appendEvents, DomainError, type SqlTx } from "@junggo/runtime";
import { leaveLot, release, reserve, type Vehicle, type VehicleTransition } from "../domain/vehicle.ts";
import type { VehicleStore } from "./ports.ts";

export interface HoldCommand {
  vehicleId: string;
  purchaseId: string;
  /** The event that asked for the change. */
  causationId: string;
}

/**
 * Moves a vehicle along its lifecycle inside the caller's transaction (an event handler's, shared
 * with the inbox row). Refused transitions surface as DomainError from the domain.
 */
export function makeVehicleLifecycle<Tx extends SqlTx>(deps: { vehicles: VehicleStore<Tx> }) {
  const step =
    (transition: (v: Vehicle, purchaseId: string) => VehicleTransition) =>
    async (tx: Tx, cmd: HoldCommand): Promise<Vehicle> => {
      const current = await deps.vehicles.findByIdIn(tx, cmd.vehicleId);
      if (!current) throw new DomainError("VEHICLE_NOT_FOUND", `No vehicle ${cmd.vehicleId}.`);
      const { vehicle, events } = transition(current, cmd.purchaseId);
      // Optimistic check: a competing replica changed the row since we read it. Throwing rolls back
      // (inbox row included) so the event is redelivered and re-evaluated against the new state.
      if (!(await deps.vehicles.update(tx, current, vehicle)))
        throw new Error(`vehicle ${cmd.vehicleId} changed concurrently`);
      await appendEvents(
        tx,
        events.map((e) => newEvent(e.type, e.payload, { producer: "stock", causationId: cmd.causationId })),
      );
      return vehicle;
    };
  return { reserve: step(reserve), leaveLot: step(leaveLot), release: step(release) };
}

export type VehicleLifecycle<Tx extends SqlTx> = ReturnType<typeof makeVehicleLifecycle<Tx>>;
