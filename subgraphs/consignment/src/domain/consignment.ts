// The Consignment aggregate: one driver job, as an explicit state machine. A job belongs to a
// purchase (DELIVERY to the buyer, RETURN_PICKUP of a returned car) or to a sell request
// (SELLER_PICKUP from the seller, SELLER_RETURN of a car the seller took back); every kind runs
// the same machine, only cancellation differs (see `cancel`).
//
//   REQUESTED --accept--> ASSIGNED --pickUp--> PICKED_UP --complete--> DELIVERED
//   REQUESTED | ASSIGNED | PICKED_UP --cancel--> CANCELLED
//   REQUESTED --escalate--> REQUESTED   (nobody accepted within the dispatch timeout; at most 3 times)
//
// Every transition validates, then returns the new state and the event it caused. Nothing here
// knows about storage or transport; refused transitions throw DomainError with a stable code.
import { DomainError } from "@junggo/runtime";
import type { ConsignmentKind, ConsignmentOwner, EventPayloads } from "@junggo/events";

export type ConsignmentStatus = "REQUESTED" | "ASSIGNED" | "PICKED_UP" | "DELIVERED" | "CANCELLED";

export interface Consignment {
  id: string;
  kind: ConsignmentKind;
  /** Purchase jobs (DELIVERY, RETURN_PICKUP): the purchase and its buyer; null for seller jobs. */
  purchaseId: string | null;
  buyerId: string | null;
  /** Seller jobs (SELLER_PICKUP, SELLER_RETURN): the sell request and its seller; null otherwise. */
  sellRequestId: string | null;
  sellerId: string | null;
  vehicleId: string;
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

/** Who the job is for, as every consignment event says it. */
export const ownerOf = (c: ConsignmentOwner): ConsignmentOwner => ({
  kind: c.kind,
  purchaseId: c.purchaseId,
  buyerId: c.buyerId,
  sellRequestId: c.sellRequestId,
  sellerId: c.sellerId,
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

/** What opens a job of any kind: its owner (a purchase and buyer, or a sell request and seller) and the car. */
export type JobRequest = { id: string; vehicleId: string } & (
  | { kind: "DELIVERY" | "RETURN_PICKUP"; purchaseId: string; buyerId: string }
  | { kind: "SELLER_PICKUP" | "SELLER_RETURN"; sellRequestId: string; sellerId: string }
);

/** A DeliveryRequest (no kind) is a DELIVERY job request; the owner columns of the other side are null. */
function ownerColumns(req: DeliveryRequest | JobRequest): ConsignmentOwner {
  if ("sellRequestId" in req) {
    return {
      kind: req.kind,
      purchaseId: null,
      buyerId: null,
      sellRequestId: req.sellRequestId,
      sellerId: req.sellerId,
    };
  }
  return {
    kind: "kind" in req ? req.kind : "DELIVERY",
    purchaseId: req.purchaseId,
    buyerId: req.buyerId,
    sellRequestId: null,
    sellerId: null,
  };
}

const STATUS_WORDS: Record<ConsignmentStatus, string> = {
  REQUESTED: "waiting for a driver",
  ASSIGNED: "accepted but not picked up yet",
  PICKED_UP: "already on the road",
  DELIVERED: "already delivered",
  CANCELLED: "cancelled",
};

const invalidState = (message: string) => new DomainError("CONSIGNMENT_INVALID_STATE", message);

/** A job is opened and waits for a driver (a paid purchase, a return, an accepted or cancelled sale). */
export function requestJob(
  req: DeliveryRequest | JobRequest,
  now: Date,
): Transition<EventOf<"ConsignmentRequested">> {
  const owner = ownerColumns(req);
  const consignment: Consignment = {
    id: req.id,
    ...owner,
    vehicleId: req.vehicleId,
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
      payload: { consignmentId: req.id, ...owner, vehicleId: req.vehicleId },
    },
  };
}

/** A paid purchase needs its car delivered: the job waits for a driver. */
export const requestDelivery = (
  req: DeliveryRequest,
  now: Date,
): Transition<EventOf<"ConsignmentRequested">> => requestJob(req, now);

/**
 * The job was called off before it was ever requested: the purchase was cancelled before its
 * PurchasePaid (being retried) was handled, or the sell request before its SellRequestAccepted.
 * The CANCELLED row occupies the (purchase, kind) or (sell request, kind) slot so the late event
 * cannot open a job for a cancelled purchase or sale. It is announced like any cancellation
 * (previousStatus NONE), so the customer's views end the same way whichever event came first.
 */
export function cancelledBeforeRequest(
  req: DeliveryRequest | JobRequest,
  now: Date,
): Transition<EventOf<"ConsignmentCancelled">> {
  const consignment: Consignment = {
    ...requestJob(req, now).consignment,
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
        ...ownerOf(consignment),
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
        ...ownerOf(c),
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
        ...ownerOf(c),
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
        ...ownerOf(c),
        vehicleId: c.vehicleId,
        driverId,
      },
    },
  };
}

/**
 * Which kinds are ever called off: a DELIVERY (the purchase was cancelled) and a SELLER_PICKUP
 * (the sale was cancelled). A return job (RETURN_PICKUP, SELLER_RETURN) is never cancelled: the car
 * has to come back whatever happens.
 */
export const CANCELLABLE_KINDS: readonly ConsignmentKind[] = ["DELIVERY", "SELLER_PICKUP"];

export const isCancellable = (
  c: Consignment,
): c is Consignment & { status: "REQUESTED" | "ASSIGNED" | "PICKED_UP" } =>
  CANCELLABLE_KINDS.includes(c.kind) &&
  (c.status === "REQUESTED" || c.status === "ASSIGNED" || c.status === "PICKED_UP");

/**
 * The job is called off. A DELIVERY already on the road brings the car back to the lot
 * (`returnToLot`); a SELLER_PICKUP on the road never reached the lot, so the car goes back to
 * the seller instead: see `cancelSellerPickup`, which opens that SELLER_RETURN job.
 */
export function cancel(c: Consignment, now: Date): Transition<EventOf<"ConsignmentCancelled">> {
  if (!CANCELLABLE_KINDS.includes(c.kind))
    throw invalidState("A return job cannot be cancelled: the car has to come back.");
  if (!isCancellable(c)) throw invalidState(`The job cannot be cancelled: it is ${STATUS_WORDS[c.status]}.`);
  const returnToLot = c.kind === "DELIVERY" && c.status === "PICKED_UP";
  const consignment: Consignment = { ...c, status: "CANCELLED", returnToLot, cancelledAt: now };
  return {
    consignment,
    event: {
      type: "ConsignmentCancelled",
      payload: {
        consignmentId: c.id,
        ...ownerOf(c),
        vehicleId: c.vehicleId,
        previousStatus: c.status,
        returnToLot,
      },
    },
  };
}

/**
 * The seller cancelled the sale before the pickup finished: the SELLER_PICKUP job is cancelled. If
 * the driver had already picked the car up (the cancellation raced the pickup), the car is handed
 * back with a new SELLER_RETURN job (`returnId`) for the same sell request, seller and car.
 */
export function cancelSellerPickup(
  c: Consignment,
  returnId: string,
  now: Date,
): {
  cancelled: Transition<EventOf<"ConsignmentCancelled">>;
  sellerReturn: Transition<EventOf<"ConsignmentRequested">> | null;
} {
  if (c.kind !== "SELLER_PICKUP" || !c.sellRequestId || !c.sellerId)
    throw invalidState("Only the pickup of a sell request is cancelled with its sale.");
  const onTheRoad = c.status === "PICKED_UP";
  const cancelled = cancel(c, now);
  const sellerReturn = onTheRoad
    ? requestJob(
        {
          id: returnId,
          kind: "SELLER_RETURN",
          sellRequestId: c.sellRequestId,
          sellerId: c.sellerId,
          vehicleId: c.vehicleId,
        },
        now,
      )
    : null;
  return { cancelled, sellerReturn };
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
        ...ownerOf(c),
        vehicleId: c.vehicleId,
        waitingSinceIso: c.requestedAt.toISOString(),
        escalation,
      },
    },
  };
}

/** The job events a live update is sent for, with the status each leaves the job in. */
const STATUS_AFTER = {
  ConsignmentRequested: "REQUESTED",
  ConsignmentEscalated: "REQUESTED",
  ConsignmentAssigned: "ASSIGNED",
  ConsignmentPickedUp: "PICKED_UP",
  ConsignmentDelivered: "DELIVERED",
  ConsignmentCancelled: "CANCELLED",
} as const satisfies Record<string, ConsignmentStatus>;
export type JobEvent = { [T in keyof typeof STATUS_AFTER]: EventOf<T> }[keyof typeof STATUS_AFTER];

/**
 * The job as `event` left it, from its current state: a live update describes its own step even when
 * the driver has moved on since (read now, the job would show the later status twice and skip this
 * one). Steps after the event are taken back; the driver and ETA come from the acceptance.
 */
export function asOfEvent(c: Consignment, event: JobEvent): Consignment {
  const status = STATUS_AFTER[event.type];
  if (status === "CANCELLED") return { ...c, status };
  // Not (yet) cancelled, so not brought back to the lot either.
  const open = { returnToLot: false, cancelledAt: null };
  if (event.type === "ConsignmentAssigned") {
    const p = event.payload;
    const driver = { driverId: p.driverId, driverName: p.driverName, eta: new Date(p.eta) };
    return { ...c, ...open, ...driver, status, pickedUpAt: null, deliveredAt: null };
  }
  if (status === "REQUESTED") {
    const noDriver = { driverId: null, driverName: null, eta: null, assignedAt: null };
    return { ...c, ...open, ...noDriver, status, pickedUpAt: null, deliveredAt: null };
  }
  if (status === "PICKED_UP") return { ...c, ...open, status, deliveredAt: null };
  return { ...c, ...open, status };
}
