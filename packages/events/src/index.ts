// The event catalogue shared by producers and consumers. schema/events.md documents the same
// catalogue for people; a test keeps the two in step.

export const EVENT_STREAM = "JUNGGO_EVENTS";
/**
 * Subjects the stream captures: `<context>.<aggregate>.<event>`. Every event some context reacts to
 * is here, in one order, so consumers see causes before effects.
 */
export const EVENT_STREAM_SUBJECTS = [
  "identity.>",
  "stock.>",
  "purchase.>",
  "billing.>",
  "consignment.>",
  "acquisition.>",
  "maintenance.>",
];
/**
 * Notification's events (NotificationCreated, a third of a purchase's events) in a stream of their
 * own: no context reacts to them (the live feed reads them with core NATS), and on nats-server 2.9
 * every durable consumer of a stream receives every one of its events, so in the event stream each
 * would be delivered to and acknowledged by every context for nothing.
 */
export const NOTIFICATION_STREAM = "JUNGGO_NOTIFICATIONS";
export const NOTIFICATION_STREAM_SUBJECTS = ["notification.>"];

/** Every stream Junggo's events are stored in; the outbox relay publishes each event into its own. */
export const EVENT_STREAMS: readonly { name: string; subjects: readonly string[] }[] = [
  { name: EVENT_STREAM, subjects: EVENT_STREAM_SUBJECTS },
  { name: NOTIFICATION_STREAM, subjects: NOTIFICATION_STREAM_SUBJECTS },
];

/** The stream that stores an event subject (`<context>.>` patterns); throws for a subject no stream takes. */
export function streamOfSubject(subject: string): string {
  const context = subject.slice(0, subject.indexOf("."));
  const stream = EVENT_STREAMS.find((s) => s.subjects.includes(`${context}.>`));
  if (!stream) throw new Error(`no event stream takes subject ${subject}`);
  return stream.name;
}

export interface EventEnvelope<T extends EventType = EventType> {
  eventId: string;
  type: T;
  version: number;
  occurredAt: string;
  /** Correlation key of the saga the event belongs to, when it belongs to one. */
  purchaseId?: string;
  /** Correlation key of the acquisition saga (seller side). */
  sellRequestId?: string;
  /** The event (or command id) that caused this one; null for user commands without a parent event. */
  causationId: string | null;
  producer: string;
  payload: EventPayloads[T];
}

/**
 * DELIVERY: a bought car to its buyer. RETURN_PICKUP: a returned car from its buyer back to the lot.
 * SELLER_PICKUP: a car bought from a seller, to the lot. SELLER_RETURN: a withdrawn car back to its seller.
 */
export type ConsignmentKind = "DELIVERY" | "RETURN_PICKUP" | "SELLER_PICKUP" | "SELLER_RETURN";

/**
 * Whose job a consignment is: a purchase's (DELIVERY, RETURN_PICKUP: purchaseId and buyerId set,
 * sellRequestId and sellerId null) or a sell request's (SELLER_PICKUP, SELLER_RETURN: the reverse).
 */
export interface ConsignmentOwner {
  kind: ConsignmentKind;
  purchaseId: string | null;
  buyerId: string | null;
  sellRequestId: string | null;
  sellerId: string | null;
}

export interface EventPayloads {
  AccountRegistered: { accountId: string; email: string; name: string; role: string; locale: string };

  VehicleRegistered: {
    vehicleId: string;
    vin: string;
    make: string;
    model: string;
    year: number;
    mileageKm: number;
    priceKrw: number;
    /** IN_REPAIR: a car bought from a seller, on the lot and waiting for its inspection. */
    status: "AVAILABLE" | "IN_REPAIR";
    /** The sell request the car was bought through; absent or null for the dealer's own stock. */
    sellRequestId?: string | null;
  };
  VehicleReserved: { vehicleId: string; purchaseId: string };
  /** Back in stock: AVAILABLE again (stock increases). */
  VehicleReleased: { vehicleId: string; purchaseId: string };
  /** Left the lot with a driver (stock decreases). */
  VehicleSold: { vehicleId: string; purchaseId: string };
  /** A repair order opened: IN_REPAIR, not purchasable (on-lot count unchanged). */
  VehicleSentToRepair: { vehicleId: string; repairOrderId: string; kind: "REPAIR" | "INSPECTION" };
  /** Its repair order completed: AVAILABLE. */
  VehicleRepaired: { vehicleId: string; repairOrderId: string; kind: "REPAIR" | "INSPECTION" };
  /** The seller took the car back: it leaves stock for good (on-lot count falls). */
  VehicleWithdrawn: { vehicleId: string; sellRequestId: string };

  PurchasePaid: {
    purchaseId: string;
    vehicleId: string;
    buyerId: string;
    buyerName: string;
    priceKrw: number;
    paymentId: string;
    vehicle: { make: string; model: string; year: number };
  };
  PurchaseDeliveryStarted: { purchaseId: string; vehicleId: string; buyerId: string };
  PurchaseDelivered: { purchaseId: string; vehicleId: string; buyerId: string };
  PurchaseCancelled: {
    purchaseId: string;
    vehicleId: string;
    buyerId: string;
    reason: string | null;
    previousStatus: "PAID" | "DELIVERING";
  };
  /** The buyer returns a delivered car: consignment offers a RETURN_PICKUP job. */
  PurchaseReturnRequested: {
    purchaseId: string;
    vehicleId: string;
    buyerId: string;
    reason: string;
    paymentId: string;
    priceKrw: number;
  };
  /** The returned car is back on the lot: billing refunds, stock makes it AVAILABLE again. */
  PurchaseReturned: {
    purchaseId: string;
    vehicleId: string;
    buyerId: string;
    paymentId: string;
    amountKrw: number;
  };
  /**
   * A purchase request whose payment outcome is unknown (billing timed out or was unreachable)
   * was given up: no purchase exists, and any payment taken under this purchaseId must be voided.
   */
  PurchaseAbandoned: { purchaseId: string; vehicleId: string; buyerId: string; reason: string };

  PaymentApproved: { paymentId: string; purchaseId: string; buyerId: string; amountKrw: number };
  PaymentRefunded: { paymentId: string; purchaseId: string; buyerId: string; amountKrw: number };
  /** A payment of an abandoned purchase request was voided (or blocked before it could be taken). */
  PaymentVoided: { paymentId: string; purchaseId: string; buyerId: string; amountKrw: number };
  /** The seller was paid for an accepted sell request (one payout per sell request). */
  PayoutPaid: { payoutId: string; sellRequestId: string; sellerId: string; amountKrw: number };
  /** The seller cancelled: the payout was taken back. */
  PayoutReversed: { payoutId: string; sellRequestId: string; sellerId: string; amountKrw: number };

  ConsignmentRequested: ConsignmentOwner & { consignmentId: string; vehicleId: string };
  ConsignmentAssigned: ConsignmentOwner & {
    consignmentId: string;
    vehicleId: string;
    driverId: string;
    driverName: string;
    eta: string;
  };
  ConsignmentPickedUp: ConsignmentOwner & { consignmentId: string; vehicleId: string; driverId: string };
  ConsignmentDelivered: ConsignmentOwner & { consignmentId: string; vehicleId: string; driverId: string };
  ConsignmentCancelled: ConsignmentOwner & {
    consignmentId: string;
    vehicleId: string;
    /** NONE: the purchase was cancelled before its delivery was requested (no job was ever open). */
    previousStatus: "NONE" | "REQUESTED" | "ASSIGNED" | "PICKED_UP";
    /** True when the car was already on the road and is brought back to the lot. */
    returnToLot: boolean;
  };
  /**
   * A job stayed REQUESTED longer than the dispatch timeout: staff and the customer are told, and the
   * job is offered to drivers again (it stays REQUESTED). `escalation` counts 1, 2, 3.
   */
  ConsignmentEscalated: ConsignmentOwner & {
    consignmentId: string;
    vehicleId: string;
    /** When the job started waiting for a driver (ISO-8601). */
    waitingSinceIso: string;
    escalation: number;
  };

  SellRequestSubmitted: {
    sellRequestId: string;
    quoteId: string;
    sellerId: string;
    offerKrw: number;
    vehicle: { vin: string; make: string; model: string; year: number; mileageKm: number };
  };
  /**
   * Staff accepted: billing pays the seller out, consignment offers a SELLER_PICKUP job, stock
   * expects the car under `vehicleId` (allocated here) at `listPriceKrw` (its market value).
   */
  SellRequestAccepted: {
    sellRequestId: string;
    sellerId: string;
    offerKrw: number;
    vehicleId: string;
    listPriceKrw: number;
    vin: string;
    make: string;
    model: string;
    year: number;
    mileageKm: number;
    vehicleName: string;
    decidedBy: string;
  };
  SellRequestRejected: { sellRequestId: string; sellerId: string; reason: string; decidedBy: string };
  SellRequestPickedUp: { sellRequestId: string; sellerId: string; consignmentId: string };
  /** The car reached the lot: in stock as IN_REPAIR under vehicleId, its inspection open. */
  SellRequestInspectionStarted: { sellRequestId: string; sellerId: string; vehicleId: string };
  SellRequestListed: { sellRequestId: string; sellerId: string; vehicleId: string };
  /** The compensations to run: reverse the payout, cancel the pickup, withdraw and return the car. */
  SellRequestCancelled: {
    sellRequestId: string;
    sellerId: string;
    reason: string | null;
    previousStatus: "PENDING" | "ACCEPTED" | "IN_INSPECTION" | "LISTED";
    reversePayout: boolean;
    cancelPickup: boolean;
    returnVehicleId: string | null;
    /**
     * The car allocated on acceptance (null for a PENDING request). Optional, added for consignment:
     * with cancelPickup it lets consignment file a CANCELLED tombstone of a pickup it has not
     * opened yet (its SellRequestAccepted is still being retried).
     */
    vehicleId?: string | null;
  };

  /** A car went to the workshop (REPAIR by staff, or the INSPECTION of a car bought from a seller). */
  RepairOrderOpened: {
    repairOrderId: string;
    vehicleId: string;
    kind: "REPAIR" | "INSPECTION";
    sellRequestId: string | null;
  };
  /** DONE: the car is AVAILABLE again. WITHDRAWN: closed because the seller took the car back. */
  RepairOrderCompleted: {
    repairOrderId: string;
    vehicleId: string;
    kind: "REPAIR" | "INSPECTION";
    sellRequestId: string | null;
    outcome: "DONE" | "WITHDRAWN";
  };

  NotificationCreated: {
    notificationId: string;
    recipientId: string;
    purchaseId: string | null;
    kind: string;
  };
}

export type EventType = keyof EventPayloads;

/** Every step of a sell request (the acquisition saga's own events), in saga order. */
export const SELL_REQUEST_EVENTS = [
  "SellRequestSubmitted",
  "SellRequestAccepted",
  "SellRequestRejected",
  "SellRequestPickedUp",
  "SellRequestInspectionStarted",
  "SellRequestListed",
  "SellRequestCancelled",
] as const satisfies readonly EventType[];

interface EventDefinition {
  subject: string;
  version: number;
  producer: string;
  consumers: string[];
}

export const EVENT_CATALOGUE: { [T in EventType]: EventDefinition } = {
  AccountRegistered: {
    subject: "identity.account.registered",
    version: 1,
    producer: "identity",
    consumers: ["notification"],
  },
  VehicleRegistered: {
    subject: "stock.vehicle.registered",
    version: 1,
    producer: "stock",
    consumers: ["purchase", "acquisition", "maintenance"],
  },
  VehicleReserved: {
    subject: "stock.vehicle.reserved",
    version: 1,
    producer: "stock",
    consumers: ["purchase", "acquisition"],
  },
  VehicleReleased: {
    subject: "stock.vehicle.released",
    version: 1,
    producer: "stock",
    consumers: ["purchase", "acquisition"],
  },
  VehicleSold: {
    subject: "stock.vehicle.sold",
    version: 1,
    producer: "stock",
    consumers: ["purchase", "acquisition"],
  },
  VehicleSentToRepair: {
    subject: "stock.vehicle.sent-to-repair",
    version: 1,
    producer: "stock",
    consumers: ["acquisition"],
  },
  VehicleRepaired: {
    subject: "stock.vehicle.repaired",
    version: 1,
    producer: "stock",
    consumers: ["acquisition"],
  },
  VehicleWithdrawn: {
    subject: "stock.vehicle.withdrawn",
    version: 1,
    producer: "stock",
    consumers: ["purchase", "acquisition"],
  },
  PurchasePaid: {
    subject: "purchase.purchase.paid",
    version: 1,
    producer: "purchase",
    consumers: ["stock", "consignment", "dashboard", "notification"],
  },
  PurchaseDeliveryStarted: {
    subject: "purchase.purchase.delivery-started",
    version: 1,
    producer: "purchase",
    consumers: ["dashboard", "notification"],
  },
  PurchaseDelivered: {
    subject: "purchase.purchase.delivered",
    version: 1,
    producer: "purchase",
    consumers: ["dashboard", "notification"],
  },
  PurchaseCancelled: {
    subject: "purchase.purchase.cancelled",
    version: 1,
    producer: "purchase",
    consumers: ["stock", "billing", "consignment", "dashboard", "notification"],
  },
  PurchaseReturnRequested: {
    subject: "purchase.purchase.return-requested",
    version: 1,
    producer: "purchase",
    consumers: ["consignment", "dashboard", "notification"],
  },
  PurchaseReturned: {
    subject: "purchase.purchase.returned",
    version: 1,
    producer: "purchase",
    consumers: ["stock", "billing", "dashboard", "notification"],
  },
  PurchaseAbandoned: {
    subject: "purchase.purchase.abandoned",
    version: 1,
    producer: "purchase",
    consumers: ["billing"],
  },
  PaymentApproved: {
    subject: "billing.payment.approved",
    version: 1,
    producer: "billing",
    consumers: ["dashboard", "notification"],
  },
  PaymentRefunded: {
    subject: "billing.payment.refunded",
    version: 1,
    producer: "billing",
    consumers: ["dashboard", "notification"],
  },
  PaymentVoided: { subject: "billing.payment.voided", version: 1, producer: "billing", consumers: [] },
  PayoutPaid: {
    subject: "billing.payout.paid",
    version: 1,
    producer: "billing",
    consumers: ["dashboard"],
  },
  PayoutReversed: {
    subject: "billing.payout.reversed",
    version: 1,
    producer: "billing",
    consumers: ["dashboard", "notification"],
  },
  ConsignmentRequested: {
    subject: "consignment.consignment.requested",
    version: 1,
    producer: "consignment",
    consumers: ["dashboard", "notification"],
  },
  ConsignmentAssigned: {
    subject: "consignment.consignment.assigned",
    version: 1,
    producer: "consignment",
    consumers: ["purchase", "dashboard", "notification"],
  },
  ConsignmentPickedUp: {
    subject: "consignment.consignment.picked-up",
    version: 1,
    producer: "consignment",
    consumers: ["stock", "purchase", "acquisition", "dashboard", "notification"],
  },
  ConsignmentDelivered: {
    subject: "consignment.consignment.delivered",
    version: 1,
    producer: "consignment",
    consumers: ["stock", "purchase", "dashboard", "notification"],
  },
  ConsignmentCancelled: {
    subject: "consignment.consignment.cancelled",
    version: 1,
    producer: "consignment",
    consumers: ["dashboard", "notification"],
  },
  ConsignmentEscalated: {
    subject: "consignment.consignment.escalated",
    version: 1,
    producer: "consignment",
    consumers: ["notification"],
  },
  SellRequestSubmitted: {
    subject: "acquisition.sell-request.submitted",
    version: 1,
    producer: "acquisition",
    consumers: ["dashboard", "notification"],
  },
  SellRequestAccepted: {
    subject: "acquisition.sell-request.accepted",
    version: 1,
    producer: "acquisition",
    consumers: ["stock", "billing", "consignment", "dashboard", "notification"],
  },
  SellRequestRejected: {
    subject: "acquisition.sell-request.rejected",
    version: 1,
    producer: "acquisition",
    consumers: ["dashboard", "notification"],
  },
  SellRequestPickedUp: {
    subject: "acquisition.sell-request.picked-up",
    version: 1,
    producer: "acquisition",
    consumers: ["dashboard", "notification"],
  },
  SellRequestInspectionStarted: {
    subject: "acquisition.sell-request.inspection-started",
    version: 1,
    producer: "acquisition",
    consumers: ["dashboard", "notification"],
  },
  SellRequestListed: {
    subject: "acquisition.sell-request.listed",
    version: 1,
    producer: "acquisition",
    consumers: ["dashboard", "notification"],
  },
  SellRequestCancelled: {
    subject: "acquisition.sell-request.cancelled",
    version: 1,
    producer: "acquisition",
    consumers: ["stock", "billing", "consignment", "maintenance", "dashboard", "notification"],
  },
  RepairOrderOpened: {
    subject: "maintenance.repair-order.opened",
    version: 1,
    producer: "maintenance",
    consumers: ["stock"],
  },
  RepairOrderCompleted: {
    subject: "maintenance.repair-order.completed",
    version: 1,
    producer: "maintenance",
    consumers: ["stock", "purchase"],
  },
  NotificationCreated: {
    subject: "notification.notification.created",
    version: 1,
    producer: "notification",
    consumers: [],
  },
};

export interface NewEventOptions {
  producer: string;
  causationId?: string | null;
  purchaseId?: string;
  sellRequestId?: string;
  /** Fixed id, for events whose identity must be stable across retries. */
  eventId?: string;
  now?: Date;
}

/** Builds a full envelope for `type`; the outbox stores it as it is. */
export function newEvent<T extends EventType>(
  type: T,
  payload: EventPayloads[T],
  opts: NewEventOptions,
): EventEnvelope<T> {
  const def = EVENT_CATALOGUE[type];
  const purchaseId = opts.purchaseId ?? (payload as { purchaseId?: string }).purchaseId;
  const sellRequestId = opts.sellRequestId ?? (payload as { sellRequestId?: string }).sellRequestId;
  return {
    eventId: opts.eventId ?? crypto.randomUUID(),
    type,
    version: def.version,
    occurredAt: (opts.now ?? new Date()).toISOString(),
    ...(purchaseId ? { purchaseId } : {}),
    ...(sellRequestId ? { sellRequestId } : {}),
    causationId: opts.causationId ?? null,
    producer: opts.producer,
    payload,
  };
}

export function subjectOf(type: EventType): string {
  return EVENT_CATALOGUE[type].subject;
}
export * from "./error-codes.ts";
