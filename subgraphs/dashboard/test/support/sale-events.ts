// One sell request's events as acquisition, billing and consignment publish them, one minute
// apart from `t0` in the order of the saga (tests shuffle them).
import { newEvent, type EventEnvelope, type EventPayloads, type EventType } from "@junggo/events";

export const SELLER = "66666666-6666-4666-8666-666666666666";
export const STAFF = "aaaaaaaa-0000-4000-8000-000000000000";
export const DRIVER = "55555555-5555-4555-8555-555555555555";
export const VEHICLE = "33333333-3333-4333-8333-333333333333";

export function saleSaga(
  sellRequestId: string,
  opts: { t0?: number; sellerId?: string; pickupJob?: string; returnJob?: string } = {},
) {
  const t0 = opts.t0 ?? Date.parse("2026-03-01T09:00:00.000Z");
  const sellerId = opts.sellerId ?? SELLER;
  const pickupJob = opts.pickupJob ?? crypto.randomUUID();
  const returnJob = opts.returnJob ?? crypto.randomUUID();
  const payoutId = crypto.randomUUID();
  let minute = 0;
  const ev = <T extends EventType>(type: T, payload: EventPayloads[T]): EventEnvelope<T> =>
    newEvent(type, payload, { producer: "test", now: new Date(t0 + ++minute * 60_000) });
  const ids = { sellRequestId, sellerId };
  const job = (consignmentId: string, kind: "SELLER_PICKUP" | "SELLER_RETURN") => ({
    kind,
    purchaseId: null,
    buyerId: null,
    ...ids,
    consignmentId,
    vehicleId: VEHICLE,
  });
  const vehicle = {
    vin: "KMHD341CBKU000001",
    make: "Hyundai",
    model: "Avante",
    year: 2019,
    mileageKm: 52_000,
  };
  return {
    sellRequestId,
    sellerId,
    pickupJob,
    returnJob,
    submitted: ev("SellRequestSubmitted", {
      ...ids,
      quoteId: crypto.randomUUID(),
      offerKrw: 12_400_000,
      vehicle,
    }),
    accepted: ev("SellRequestAccepted", {
      ...ids,
      offerKrw: 12_400_000,
      vehicleId: VEHICLE,
      listPriceKrw: 14_100_000,
      ...vehicle,
      vehicleName: "2019 Hyundai Avante",
      decidedBy: STAFF,
    }),
    payoutPaid: ev("PayoutPaid", { ...ids, payoutId, amountKrw: 12_400_000 }),
    pickupRequested: ev("ConsignmentRequested", job(pickupJob, "SELLER_PICKUP")),
    pickupAssigned: ev("ConsignmentAssigned", {
      ...job(pickupJob, "SELLER_PICKUP"),
      driverId: DRIVER,
      driverName: "Jung Hyunwoo",
      eta: "2026-03-01T11:30:00.000Z",
    }),
    pickupPickedUp: ev("ConsignmentPickedUp", { ...job(pickupJob, "SELLER_PICKUP"), driverId: DRIVER }),
    pickedUp: ev("SellRequestPickedUp", { ...ids, consignmentId: pickupJob }),
    pickupDelivered: ev("ConsignmentDelivered", { ...job(pickupJob, "SELLER_PICKUP"), driverId: DRIVER }),
    inspection: ev("SellRequestInspectionStarted", { ...ids, vehicleId: VEHICLE }),
    listed: ev("SellRequestListed", { ...ids, vehicleId: VEHICLE }),
    cancelled: ev("SellRequestCancelled", {
      ...ids,
      reason: "sold it to my cousin",
      previousStatus: "LISTED",
      reversePayout: true,
      cancelPickup: false,
      returnVehicleId: VEHICLE,
    }),
    payoutReversed: ev("PayoutReversed", { ...ids, payoutId, amountKrw: 12_400_000 }),
    returnRequested: ev("ConsignmentRequested", job(returnJob, "SELLER_RETURN")),
    returnAssigned: ev("ConsignmentAssigned", {
      ...job(returnJob, "SELLER_RETURN"),
      driverId: DRIVER,
      driverName: "Jung Hyunwoo",
      eta: "2026-03-02T10:00:00.000Z",
    }),
    returnDelivered: ev("ConsignmentDelivered", { ...job(returnJob, "SELLER_RETURN"), driverId: DRIVER }),
    rejected: ev("SellRequestRejected", { ...ids, reason: "salvage title", decidedBy: STAFF }),
  };
}

/** The happy path up to LISTED, in publish order. */
export const listedJourney = (s: ReturnType<typeof saleSaga>) => [
  s.submitted,
  s.accepted,
  s.payoutPaid,
  s.pickupRequested,
  s.pickupAssigned,
  s.pickupPickedUp,
  s.pickedUp,
  s.pickupDelivered,
  s.inspection,
  s.listed,
];
