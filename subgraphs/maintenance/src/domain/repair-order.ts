import type { EventPayloads } from "@junggo/events";
import { DomainError, optionalText, requiredText } from "@junggo/runtime";

/**
 * The RepairOrder aggregate: a car in the workshop.
 *
 *   open (REPAIR: staff, on an AVAILABLE car | INSPECTION: a car bought from a seller reached the lot)
 *     --> OPEN --complete--> COMPLETED
 *
 * While an order is open the car is IN_REPAIR in stock (not purchasable); completing it makes the
 * car AVAILABLE again. Stock owns the car's status; the order only records the work.
 */
export type RepairKind = "REPAIR" | "INSPECTION";
export type RepairOrderStatus = "OPEN" | "COMPLETED";

export interface RepairOrder {
  id: string;
  kind: RepairKind;
  status: RepairOrderStatus;
  vehicleId: string;
  /** Set for the inspection of a car bought from a seller. */
  sellRequestId: string | null;
  description: string;
  notes: string | null;
  openedBy: string | null;
  openedAt: Date;
  completedAt: Date | null;
}

export type RepairOrderEvent =
  | { type: "RepairOrderOpened"; payload: EventPayloads["RepairOrderOpened"] }
  | { type: "RepairOrderCompleted"; payload: EventPayloads["RepairOrderCompleted"] };

export interface RepairOrderTransition {
  repairOrder: RepairOrder;
  event: RepairOrderEvent;
}

export const REPAIR_LIMITS = { descriptionMax: 1000, notesMax: 2000 } as const;

const ref = (o: RepairOrder) => ({
  repairOrderId: o.id,
  vehicleId: o.vehicleId,
  kind: o.kind,
  sellRequestId: o.sellRequestId,
});

/** 1 to 1000 characters, trimmed; BAD_USER_INPUT on field `description` otherwise. */
export const parseRepairDescription = (raw: string) =>
  requiredText("description", raw, REPAIR_LIMITS.descriptionMax);

/**
 * Opens an order. `vehicleStatus` is the car's status as stock has it: a REPAIR needs an AVAILABLE
 * car (a car held by a buyer or already in the workshop cannot be sent there).
 */
export function open(input: {
  id: string;
  kind: RepairKind;
  vehicleId: string;
  vehicleStatus: string;
  description: string;
  sellRequestId?: string | null;
  openedBy?: string | null;
  now: Date;
}): RepairOrderTransition {
  const description = parseRepairDescription(input.description);
  if (input.kind === "REPAIR" && input.vehicleStatus !== "AVAILABLE")
    throw new DomainError(
      "VEHICLE_NOT_AVAILABLE",
      input.vehicleStatus === "IN_REPAIR"
        ? "This car is already in the workshop."
        : input.vehicleStatus === "WITHDRAWN"
          ? "The seller is taking this car back; it cannot be sent to repair."
          : "This car is held by a buyer and cannot be sent to repair.",
      { vehicleId: input.vehicleId, status: input.vehicleStatus },
    );
  const repairOrder: RepairOrder = {
    id: input.id,
    kind: input.kind,
    status: "OPEN",
    vehicleId: input.vehicleId,
    sellRequestId: input.sellRequestId ?? null,
    description,
    notes: null,
    openedBy: input.openedBy ?? null,
    openedAt: input.now,
    completedAt: null,
  };
  return { repairOrder, event: { type: "RepairOrderOpened", payload: ref(repairOrder) } };
}

/**
 * Staff closes the order, optionally with notes; the car is for sale again. WITHDRAWN: closed
 * because the seller took the car back (it stays out of stock).
 */
export function complete(
  o: RepairOrder,
  rawNotes: string | null | undefined,
  now: Date,
  outcome: "DONE" | "WITHDRAWN" = "DONE",
): RepairOrderTransition {
  if (o.status !== "OPEN")
    throw new DomainError("REPAIR_ORDER_NOT_OPEN", "This repair order is already completed.", {
      repairOrderId: o.id,
      status: o.status,
    });
  const notes = optionalText("notes", rawNotes, REPAIR_LIMITS.notesMax);
  const repairOrder: RepairOrder = { ...o, status: "COMPLETED", notes, completedAt: now };
  return { repairOrder, event: { type: "RepairOrderCompleted", payload: { ...ref(repairOrder), outcome } } };
}
