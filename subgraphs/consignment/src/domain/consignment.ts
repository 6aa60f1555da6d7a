// The Consignment aggregate: one driver job, as an explicit state machine.
//
//   REQUESTED --accept--> ASSIGNED --pickUp--> PICKED_UP --complete--> DELIVERED
//   REQUESTED | ASSIGNED | PICKED_UP --cancel--> CANCELLED
//   REQUESTED --escalate--> REQUESTED   (nobody accepted within the dispatch timeout; at most 3 times)
//
// Every transition validates, then returns the new state and the event it caused. Nothing here
// knows about storage or transport; refused transitions throw DomainError with a stable code.
import { DomainError } from "@junggo/runtime";
import type { ConsignmentKind, EventPayloads } from "@junggo/events";

export type ConsignmentStatus = "REQUESTED" | "ASSIGNED" | "PICKED_UP" | "DELIVERED" | "CANCELLED";

export interface Consignment {
  id: string;
  kind: ConsignmentKind;
  purchaseId: string;
  vehicleId: string;
  buyerId: string;
  status: ConsignmentStatus;
  driverId: string | null;
  driverName: string | null;
  /** The driver's estimated arrival at the buyer, set on acceptance. */
  eta: Date | null;
  /** A job cancelled after pick-up brings the car back to the lot. */
  returnToLot: boolean;
  /** Null only for a tombstone (see `cancelledBeforeRequest`). */
  requestedAt: Date | null;
  assignedAt: Date | null;
  pickedUpAt: Date | null;
  deliveredAt: Date | null;
  cancelledAt: Date | null;
  /** Last time the job was escalated for want of a driver; the next timeout counts from here. */
  escalatedAt: Date | null;
  escalationCount: number;
  /** Version the state was read at; storage writes are conditional on it (optimistic concurrency). */
  version: number;
}

type EventOf<T extends keyof EventPayloads> = { type: T; payload: EventPayloads[T] };
export type ConsignmentEvent =
  | EventOf<"ConsignmentRequested">
  | EventOf<"ConsignmentAssigned">
  | EventOf<"ConsignmentPickedUp">
  | EventOf<"ConsignmentDelivered">
  | EventOf<"ConsignmentCancelled">
  | EventOf<"ConsignmentEscalated">;

/** Who the job is for, as every consignment event says it (sell-request jobs: see ConsignmentOwner). */
const owner = (c: { kind: ConsignmentKind; purchaseId: string; buyerId: string }) => ({
  kind: c.kind,
  purchaseId: c.purchaseId,
  buyerId: c.buyerId,
  sellRequestId: null,
  sellerId: null,
});

export interface Transition<E extends ConsignmentEvent = ConsignmentEvent> {
  consignment: Consignment;
  event: E;
}

export interface Driver {
  id: string;
  name: string;
}

export interface DeliveryRequest {
  id: string;
  purchaseId: string;
  vehicleId: string;
  buyerId: string;
}

const STATUS_WORDS: Record<ConsignmentStatus, string> = {
  REQUESTED: "waiting for a driver",
  ASSIGNED: "accepted but not picked up yet",
  PICKED_UP: "already on the road",
  DELIVERED: "already delivered",
  CANCELLED: "cancelled",
};

const invalidState = (message: string) => new DomainError("CONSIGNMENT_INVALID_STATE", message);

/** A paid purchase needs its car delivered: the job waits for a driver. */
export function requestDelivery(
  req: DeliveryRequest,
  now: Date,
): Transition<EventOf<"ConsignmentRequested">> {
  const consignment: Consignment = {
    ...req,
    kind: "DELIVERY",
    status: "REQUESTED",
    driverId: null,
    driverName: null,
    eta: null,
    returnToLot: false,
    requestedAt: now,
    assignedAt: null,
    pickedUpAt: null,
    deliveredAt: null,
    cancelledAt: null,
    escalatedAt: null,
    escalationCount: 0,
    version: 0,
  };
  return {
    consignment,
    event: {
      type: "ConsignmentRequested",
      payload: {
        consignmentId: req.id,
        ...owner({ ...req, kind: "DELIVERY" }),
        vehicleId: req.vehicleId,
      },
    },
  };
}

/**
 * The purchase was cancelled before its delivery was ever requested (PurchaseCancelled handled
 * before a PurchasePaid that is being retried). The CANCELLED row occupies the (purchase, kind)
 * slot so the late PurchasePaid cannot open a job for a cancelled purchase. It is announced like
 * any cancellation (previousStatus NONE), so the buyer's views end the same way whichever of the
 * two events came first.
 */
export function cancelledBeforeRequest(
  req: DeliveryRequest,
  now: Date,
): Transition<EventOf<"ConsignmentCancelled">> {
  const consignment: Consignment = {
    ...requestDelivery(req, now).consignment,
    status: "CANCELLED",
    requestedAt: null,
    cancelledAt: now,
  };
  return {
    consignment,
    event: {
      type: "ConsignmentCancelled",
      payload: {
        consignmentId: consignment.id,
        ...owner({ ...req, kind: "DELIVERY" }),
        vehicleId: req.vehicleId,
        previousStatus: "NONE",
        returnToLot: false,
      },
    },
  };
}

/** A driver takes an open job and promises an arrival time. */
export function accept(
  c: Consignment,
  driver: Driver,
  eta: Date,
  now: Date,
): Transition<EventOf<"ConsignmentAssigned">> {
  if (c.status !== "REQUESTED") {
    throw new DomainError(
      "CONSIGNMENT_NOT_OPEN",
      `This job is not open any more: it is ${STATUS_WORDS[c.status]}.`,
    );
  }
  if (eta.getTime() < now.getTime()) {
    throw new DomainError(
      "CONSIGNMENT_INVALID_ETA",
      "The estimated arrival cannot be earlier than the acceptance.",
    );
  }
  const consignment: Consignment = {
    ...c,
    status: "ASSIGNED",
    driverId: driver.id,
    driverName: driver.name,
    eta,
    assignedAt: now,
  };
  return {
    consignment,
    event: {
      type: "ConsignmentAssigned",
      payload: {
        consignmentId: c.id,
        ...owner(c),
        vehicleId: c.vehicleId,
        driverId: driver.id,
        driverName: driver.name,
        eta: eta.toISOString(),
      },
    },
  };
}

/**
 * Only the assigned driver may move a job on. A job nobody accepted yet gets a state error (the
 * driver can see open jobs, so this tells nothing new); a job of someone else is forbidden.
 */
function assertAssignedDriver(c: Consignment, driverId: string, action: string): void {
  if (c.status === "REQUESTED")
    throw invalidState(`This job has not been accepted yet: accept it before you ${action}.`);
  if (c.driverId !== driverId)
    throw new DomainError("FORBIDDEN", `Only the driver assigned to this job can ${action}.`);
}

/** The assigned driver has the car: it leaves the lot. */
export function pickUp(
  c: Consignment,
  driverId: string,
  now: Date,
): Transition<EventOf<"ConsignmentPickedUp">> {
  assertAssignedDriver(c, driverId, "pick the car up");
  if (c.status !== "ASSIGNED")
    throw invalidState(`The car cannot be picked up: the job is ${STATUS_WORDS[c.status]}.`);
  const consignment: Consignment = { ...c, status: "PICKED_UP", pickedUpAt: now };
  return {
    consignment,
    event: {
      type: "ConsignmentPickedUp",
      payload: {
        consignmentId: c.id,
        ...owner(c),
        vehicleId: c.vehicleId,
        driverId,
      },
    },
  };
}

/** The assigned driver handed the car over to the buyer. */
export function complete(
  c: Consignment,
  driverId: string,
  now: Date,
): Transition<EventOf<"ConsignmentDelivered">> {
  assertAssignedDriver(c, driverId, "complete the delivery");
  if (c.status === "ASSIGNED")
    throw invalidState("The delivery cannot be completed before the car has been picked up.");
  if (c.status !== "PICKED_UP")
    throw invalidState(`The delivery cannot be completed: the job is ${STATUS_WORDS[c.status]}.`);
  const consignment: Consignment = { ...c, status: "DELIVERED", deliveredAt: now };
  return {
    consignment,
    event: {
      type: "ConsignmentDelivered",
      payload: {
        consignmentId: c.id,
        ...owner(c),
        vehicleId: c.vehicleId,
        driverId,
      },
    },
  };
}

export const isCancellable = (
  c: Consignment,
): c is Consignment & { status: "REQUESTED" | "ASSIGNED" | "PICKED_UP" } =>
  c.status === "REQUESTED" || c.status === "ASSIGNED" || c.status === "PICKED_UP";

/** The job is called off; a car already on the road is brought back to the lot. */
export function cancel(c: Consignment, now: Date): Transition<EventOf<"ConsignmentCancelled">> {
  if (!isCancellable(c)) throw invalidState(`The job cannot be cancelled: it is ${STATUS_WORDS[c.status]}.`);
  const returnToLot = c.status === "PICKED_UP";
  const consignment: Consignment = { ...c, status: "CANCELLED", returnToLot, cancelledAt: now };
  return {
    consignment,
    event: {
      type: "ConsignmentCancelled",
      payload: {
        consignmentId: c.id,
        ...owner(c),
        vehicleId: c.vehicleId,
        previousStatus: c.status,
        returnToLot,
      },
    },
  };
}

/** How often a job waiting for a driver is escalated before staff are left to handle it. */
export const MAX_ESCALATIONS = 3;

/**
 * Whether an open job has waited for a driver longer than `timeoutMs` since it was requested (or
 * since its last escalation) and may be escalated now.
 */
export function isDispatchOverdue(c: Consignment, timeoutMs: number, now: Date): boolean {
  if (c.status !== "REQUESTED" || !c.requestedAt || c.escalationCount >= MAX_ESCALATIONS) return false;
  const since = c.escalatedAt ?? c.requestedAt;
  return now.getTime() - since.getTime() >= timeoutMs;
}

/**
 * No driver accepted the job in time: staff and the buyer are told and the job is offered to the
 * drivers again. It stays REQUESTED; the escalation is recorded so the next one waits another timeout.
 */
export function escalate(
  c: Consignment,
  timeoutMs: number,
  now: Date,
): Transition<EventOf<"ConsignmentEscalated">> {
  if (c.status !== "REQUESTED" || !c.requestedAt)
    throw invalidState(
      `Only a job waiting for a driver can be escalated: this one is ${STATUS_WORDS[c.status]}.`,
    );
  if (c.escalationCount >= MAX_ESCALATIONS) {
    throw new DomainError(
      "CONSIGNMENT_ESCALATION_LIMIT",
      `This job has already been escalated ${MAX_ESCALATIONS} times.`,
    );
  }
  if (!isDispatchOverdue(c, timeoutMs, now))
    throw invalidState("This job has not waited for a driver long enough to be escalated.");
  const escalation = c.escalationCount + 1;
  const consignment: Consignment = { ...c, escalatedAt: now, escalationCount: escalation };
  return {
    consignment,
    event: {
      type: "ConsignmentEscalated",
      payload: {
        consignmentId: c.id,
        ...owner(c),
        vehicleId: c.vehicleId,
        waitingSinceIso: c.requestedAt.toISOString(),
        escalation,
      },
    },
  };
}
