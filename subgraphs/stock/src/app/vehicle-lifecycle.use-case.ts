import { newEvent } from "@junggo/events";
import { appendEvents, DomainError, type SqlTx } from "@junggo/runtime";
import {
  completeRepair,
  leaveLot,
  type RepairRef,
  release,
  reserve,
  sendToRepair,
  takeBack,
  type Vehicle,
  type VehicleTransition,
  withdraw,
} from "../domain/vehicle.ts";
import type { VehicleStore } from "./ports.ts";

/** A command about one vehicle: which one, what the transition needs (`by`), and its cause. */
export interface VehicleCommand<A> {
  vehicleId: string;
  by: A;
  /** The event that asked for the change. */
  causationId: string;
}

/**
 * Moves a vehicle along its lifecycle inside the caller's transaction (an event handler's, shared
 * with the inbox row). Refused transitions surface as DomainError from the domain.
 */
export function makeVehicleLifecycle<Tx extends SqlTx>(deps: { vehicles: VehicleStore<Tx> }) {
  const move =
    <A>(transition: (v: Vehicle, by: A) => VehicleTransition) =>
    async (tx: Tx, cmd: VehicleCommand<A>): Promise<Vehicle> => {
      const current = await deps.vehicles.findByIdIn(tx, cmd.vehicleId);
      if (!current) throw new DomainError("VEHICLE_NOT_FOUND", `No vehicle ${cmd.vehicleId}.`);
      const { vehicle, events } = transition(current, cmd.by);
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
  return {
    // `by`: the purchase.
    reserve: move<string>(reserve),
    leaveLot: move<string>(leaveLot),
    release: move<string>(release),
    takeBack: move<string>(takeBack),
    // `by`: the repair order.
    sendToRepair: move<RepairRef>(sendToRepair),
    completeRepair: move<RepairRef>(completeRepair),
    // `by`: the sell request.
    withdraw: move<string>(withdraw),
  };
}

export type VehicleLifecycle<Tx extends SqlTx> = ReturnType<typeof makeVehicleLifecycle<Tx>>;
