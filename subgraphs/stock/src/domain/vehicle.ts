import type { EventPayloads } from "@junggo/events";
import { DomainError, intBetween, optionalText, parseVin, requiredText } from "@junggo/runtime";

export type VehicleStatus = "AVAILABLE" | "RESERVED" | "SOLD" | "IN_REPAIR" | "WITHDRAWN";

/**
 * The Vehicle aggregate. Lifecycle:
 *   AVAILABLE --reserve(p)--> RESERVED --leaveLot(p)--> SOLD
 *   RESERVED | SOLD --release(p)--> AVAILABLE      (purchase cancelled before or after pickup)
 *   SOLD --takeBack(p)--> AVAILABLE                (the buyer returned it: back on the lot)
 *   (bought from a seller) registerIntake --> IN_REPAIR   (waiting for its inspection)
 *   AVAILABLE --sendToRepair(REPAIR)--> IN_REPAIR --completeRepair--> AVAILABLE
 *   IN_REPAIR | AVAILABLE --withdraw(s)--> WITHDRAWN   (terminal: the seller took it back)
 * `purchaseId` is the purchase holding the car (RESERVED/SOLD) and only that purchase may move it on,
 * so a late or duplicate event of an earlier purchase never disturbs the current one. Likewise
 * `repairOrderId` (the open order of an IN_REPAIR car) and `sellRequestId` (the car's seller).
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
  /** The sell request the dealer bought the car through; null for its own stock. */
  sellRequestId: string | null;
  /** The open repair order of an IN_REPAIR car, once known; null otherwise. */
  repairOrderId: string | null;
  registeredAt: Date;
}

type EventOf<
  T extends
    | "VehicleRegistered"
    | "VehicleReserved"
    | "VehicleSold"
    | "VehicleReleased"
    | "VehicleSentToRepair"
    | "VehicleRepaired"
    | "VehicleWithdrawn",
> = {
  type: T;
  payload: EventPayloads[T];
};
export type VehicleRegistered = EventOf<"VehicleRegistered">;
export type VehicleHoldEvent =
  | EventOf<"VehicleReserved">
  | EventOf<"VehicleSold">
  | EventOf<"VehicleReleased">
  | EventOf<"VehicleSentToRepair">
  | EventOf<"VehicleRepaired">
  | EventOf<"VehicleWithdrawn">;

export interface VehicleTransition {
  vehicle: Vehicle;
  /** Empty when the car already is where the command wants it (an inspection of an IN_REPAIR car). */
  events: VehicleHoldEvent[];
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
  const vehicle: Vehicle = {
    id,
    ...v,
    status: "AVAILABLE",
    purchaseId: null,
    sellRequestId: null,
    repairOrderId: null,
    registeredAt: now,
  };
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
  if (vehicle.status !== "RESERVED" && vehicle.status !== "SOLD") {
    throw new DomainError(
      "VEHICLE_NOT_HELD",
      `Vehicle ${vehicle.id} is ${vehicle.status}, not held by a purchase.`,
    );
  }
  assertHeldBy(vehicle, purchaseId);
  return {
    vehicle: { ...vehicle, status: "AVAILABLE", purchaseId: null },
    events: [{ type: "VehicleReleased", payload: { vehicleId: vehicle.id, purchaseId } }],
  };
}

/** What stock recorded when the dealer accepted a sell request (SellRequestAccepted). */
export interface Intake {
  sellRequestId: string;
  vehicleId: string;
  vin: string;
  make: string;
  model: string;
  year: number;
  mileageKm: number;
  listPriceKrw: number;
}

/**
 * A car bought from a seller reached the lot: in stock under the id acquisition allocated, at its
 * list price, IN_REPAIR until its inspection is done (on the lot, not for sale).
 */
export function registerIntake(intake: Intake, now: Date): { vehicle: Vehicle; events: [VehicleRegistered] } {
  const v = parseRegistration({ ...intake, priceKrw: intake.listPriceKrw }, now);
  const vehicle: Vehicle = {
    id: intake.vehicleId,
    ...v,
    status: "IN_REPAIR",
    purchaseId: null,
    sellRequestId: intake.sellRequestId,
    repairOrderId: null,
    registeredAt: now,
  };
  const { id, vin, make, model, year, mileageKm, priceKrw, sellRequestId } = vehicle;
  return {
    vehicle,
    events: [
      {
        type: "VehicleRegistered",
        payload: {
          vehicleId: id,
          vin,
          make,
          model,
          year,
          mileageKm,
          priceKrw,
          status: "IN_REPAIR",
          sellRequestId,
        },
      },
    ],
  };
}

export interface RepairRef {
  repairOrderId: string;
  kind: "REPAIR" | "INSPECTION";
}

/**
 * A repair order opened. REPAIR: an AVAILABLE car goes to the workshop (a car held by a buyer
 * never gets here: purchase's hold arbiter refuses the order). INSPECTION: the car bought from a
 * seller already is IN_REPAIR; the order is only recorded, nothing changes for the outside. An
 * inspection never moves a car (a late one, after the car was listed, is refused).
 */
export function sendToRepair(vehicle: Vehicle, order: RepairRef): VehicleTransition {
  if (order.kind === "INSPECTION") {
    const ours = vehicle.repairOrderId === null || vehicle.repairOrderId === order.repairOrderId;
    if (vehicle.status !== "IN_REPAIR" || vehicle.sellRequestId === null || !ours) {
      throw new DomainError(
        "VEHICLE_TRANSITION_REFUSED",
        `Vehicle ${vehicle.id} is not a bought car waiting for inspection ${order.repairOrderId}.`,
      );
    }
    return { vehicle: { ...vehicle, repairOrderId: order.repairOrderId }, events: [] };
  }
  if (vehicle.status !== "AVAILABLE") {
    throw new DomainError(
      "VEHICLE_NOT_AVAILABLE",
      `Vehicle ${vehicle.id} is ${vehicle.status}, not AVAILABLE: it cannot go to the workshop.`,
    );
  }
  return {
    vehicle: { ...vehicle, status: "IN_REPAIR", repairOrderId: order.repairOrderId },
    events: [{ type: "VehicleSentToRepair", payload: { vehicleId: vehicle.id, ...order } }],
  };
}

/**
 * Its repair order is done: the car is for sale. Only the order that holds the car moves it on
 * (an inspection not heard of yet is taken as the car's: the car came to the lot IN_REPAIR).
 */
export function completeRepair(vehicle: Vehicle, order: RepairRef): VehicleTransition {
  if (vehicle.status !== "IN_REPAIR") {
    throw new DomainError(
      "VEHICLE_TRANSITION_REFUSED",
      `Vehicle ${vehicle.id} is ${vehicle.status}, not IN_REPAIR.`,
    );
  }
  if (vehicle.repairOrderId !== null && vehicle.repairOrderId !== order.repairOrderId) {
    throw new DomainError(
      "VEHICLE_TRANSITION_REFUSED",
      `Vehicle ${vehicle.id} is in repair order ${vehicle.repairOrderId}, not ${order.repairOrderId}.`,
    );
  }
  return {
    vehicle: { ...vehicle, status: "AVAILABLE", repairOrderId: null },
    events: [{ type: "VehicleRepaired", payload: { vehicleId: vehicle.id, ...order } }],
  };
}

/**
 * The seller cancelled after the car reached the lot and no buyer holds it: it leaves stock for
 * good (WITHDRAWN is terminal). Only the sell request the car was bought through can withdraw it.
 */
export function withdraw(vehicle: Vehicle, sellRequestId: string): VehicleTransition {
  if (vehicle.sellRequestId !== sellRequestId) {
    throw new DomainError(
      "VEHICLE_TRANSITION_REFUSED",
      `Vehicle ${vehicle.id} was not bought through sell request ${sellRequestId}.`,
    );
  }
  if (vehicle.status !== "AVAILABLE" && vehicle.status !== "IN_REPAIR") {
    throw new DomainError(
      "VEHICLE_TRANSITION_REFUSED",
      `Vehicle ${vehicle.id} is ${vehicle.status}: only an AVAILABLE or IN_REPAIR car can be withdrawn.`,
    );
  }
  return {
    vehicle: { ...vehicle, status: "WITHDRAWN", repairOrderId: null },
    events: [{ type: "VehicleWithdrawn", payload: { vehicleId: vehicle.id, sellRequestId } }],
  };
}

/** The buyer returned the car and it is back on the lot: for sale again. */
export function takeBack(vehicle: Vehicle, purchaseId: string): VehicleTransition {
  if (vehicle.status !== "SOLD") {
    throw new DomainError(
      "VEHICLE_TRANSITION_REFUSED",
      `Vehicle ${vehicle.id} is ${vehicle.status}, not SOLD.`,
    );
  }
  assertHeldBy(vehicle, purchaseId);
  return {
    vehicle: { ...vehicle, status: "AVAILABLE", purchaseId: null },
    events: [{ type: "VehicleReleased", payload: { vehicleId: vehicle.id, purchaseId } }],
  };
}
