import { randomUUID } from "node:crypto";
import { newEvent } from "@junggo/events";
import { appendEvents, DomainError, type SqlTx } from "@junggo/runtime";
import { registerVehicle, type RegistrationInput, type Vehicle } from "../domain/vehicle.ts";
import type { UnitOfWork, VehicleStore } from "./ports.ts";

export type RegisterVehicle = (input: RegistrationInput) => Promise<Vehicle>;

/** Adds a vehicle to stock as AVAILABLE. Authorisation (STAFF) is the caller's job. */
export function makeRegisterVehicle<Tx extends SqlTx>(deps: {
  vehicles: VehicleStore<Tx>;
  uow: UnitOfWork<Tx>;
  now?: () => Date;
}): RegisterVehicle {
  return async (input) => {
    const { vehicle, events } = registerVehicle(randomUUID(), input, deps.now?.() ?? new Date());
    await deps.uow.transact(async (tx) => {
      if (!(await deps.vehicles.insert(tx, vehicle))) {
        throw new DomainError("DUPLICATE_VIN", `A vehicle with VIN ${vehicle.vin} is already registered.`, {
          field: "vin",
        });
      }
      await appendEvents(
        tx,
        events.map((e) => newEvent(e.type, e.payload, { producer: "stock" })),
      );
    });
    return vehicle;
  };
}
