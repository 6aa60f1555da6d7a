import type { EventPayloads } from "@junggo/events";
import { DomainError, intBetween, optionalText, parseVin, requiredText } from "@junggo/runtime";

export type VehicleStatus = "AVAILABLE" | "RESERVED" | "SOLD";

/**
 * The Vehicle aggregate. Lifecycle:
 *   AVAILABLE --reserve(p)--> RESERVED --leaveLot(p)--> SOLD
 *   RESERVED | SOLD --release(p)--> AVAILABLE      (purchase cancelled before or after pickup)
 * `purchaseId` is the purchase holding the car (RESERVED/SOLD) and only that purchase may move it on,
 * so a late or duplicate event of an earlier purchase never disturbs the current one.
 */
export interface Vehicle {
  id: string;
  vin: string;
  make: string;
  model: string;
  year: number;
  mileageKm: number;
  priceKrw: number;
  color: string | null;
  fuel: string | null;
  status: VehicleStatus;
  purchaseId: string | null;
  registeredAt: Date;
}

type EventOf<T extends "VehicleRegistered" | "VehicleReserved" | "VehicleSold" | "VehicleReleased"> = {
  type: T;
  payload: EventPayloads[T];
};
export type VehicleRegistered = EventOf<"VehicleRegistered">;
export type VehicleHoldEvent =
  | EventOf<"VehicleReserved">
  | EventOf<"VehicleSold">
  | EventOf<"VehicleReleased">;

export interface VehicleTransition {
  vehicle: Vehicle;
  events: [VehicleHoldEvent];
}

export interface RegistrationInput {
  vin: string;
  make: string;
  model: string;
  year: number;
  mileageKm: number;
  priceKrw: number;
  color?: string | null;
  fuel?: string | null;
}

export const LIMITS = {
  nameMax: 40,
  detailMax: 30,
  firstYear: 1980,
  mileageMax: 2_000_000,
  priceMin: 100_000,
  priceMax: 2_000_000_000,
} as const;

/** Validates and normalises a registration; throws BAD_USER_INPUT naming the first wrong field. */
export function parseRegistration(input: RegistrationInput, now: Date): Required<RegistrationInput> {
  return {
    vin: parseVin(input.vin),
    make: requiredText("make", input.make, LIMITS.nameMax),
    model: requiredText("model", input.model, LIMITS.nameMax),
    // Next year's models are sold from the autumn before.
    year: intBetween("year", input.year, LIMITS.firstYear, now.getUTCFullYear() + 1, "year", false),
    mileageKm: intBetween("mileageKm", input.mileageKm, 0, LIMITS.mileageMax, "mileage (km)"),
    priceKrw: intBetween("priceKrw", input.priceKrw, LIMITS.priceMin, LIMITS.priceMax, "price (KRW)"),
    color: optionalText("color", input.color, LIMITS.detailMax),
    fuel: optionalText("fuel", input.fuel, LIMITS.detailMax),
  };
}

export function registerVehicle(
  id: string,
  input: RegistrationInput,
  now: Date,
): { vehicle: Vehicle; events: [VehicleRegistered] } {
  const v = parseRegistration(input, now);
  const vehicle: Vehicle = { id, ...v, status: "AVAILABLE", purchaseId: null, registeredAt: now };
  const { vin, make, model, year, mileageKm, priceKrw } = vehicle;
  return {
    vehicle,
    events: [
      {
        type: "VehicleRegistered",
        payload: { vehicleId: id, vin, make, model, year, mileageKm, priceKrw, status: "AVAILABLE" },
      },
    ],
  };
}

function assertHeldBy(vehicle: Vehicle, purchaseId: string): void {
  if (vehicle.purchaseId !== purchaseId) {
    throw new DomainError(
      "VEHICLE_HELD_BY_OTHER_PURCHASE",
      `Vehicle ${vehicle.id} is not held by purchase ${purchaseId}.`,
    );
  }
}

/** A paid purchase takes the car off the market. */
export function reserve(vehicle: Vehicle, purchaseId: string): VehicleTransition {
  if (vehicle.status !== "AVAILABLE") {
    throw new DomainError(
      "VEHICLE_NOT_AVAILABLE",
      `Vehicle ${vehicle.id} is ${vehicle.status}, not AVAILABLE.`,
    );
  }
  return {
    vehicle: { ...vehicle, status: "RESERVED", purchaseId },
    events: [{ type: "VehicleReserved", payload: { vehicleId: vehicle.id, purchaseId } }],
  };
}

/** The driver picked the car up: it has left the lot (stock decreases). */
export function leaveLot(vehicle: Vehicle, purchaseId: string): VehicleTransition {
  if (vehicle.status !== "RESERVED") {
    throw new DomainError(
      "VEHICLE_NOT_RESERVED",
      `Vehicle ${vehicle.id} is ${vehicle.status}, not RESERVED.`,
    );
  }
  assertHeldBy(vehicle, purchaseId);
  return {
    vehicle: { ...vehicle, status: "SOLD" },
    events: [{ type: "VehicleSold", payload: { vehicleId: vehicle.id, purchaseId } }],
  };
}

/** The purchase was cancelled, before or after pickup: the car is (back) on the lot and for sale. */
export function release(vehicle: Vehicle, purchaseId: string): VehicleTransition {
  if (vehicle.status === "AVAILABLE") {
    throw new DomainError("VEHICLE_NOT_HELD", `Vehicle ${vehicle.id} is already AVAILABLE.`);
  }
  assertHeldBy(vehicle, purchaseId);
  return {
    vehicle: { ...vehicle, status: "AVAILABLE", purchaseId: null },
    events: [{ type: "VehicleReleased", payload: { vehicleId: vehicle.id, purchaseId } }],
  };
}
