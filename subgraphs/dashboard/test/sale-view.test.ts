import { describe, expect, it } from "vitest";
import fc from "fast-check";
import type { EventEnvelope } from "@junggo/events";
import { DELIVERY_JOB } from "@junggo/runtime/testing";
import {
  applySaleEvent,
  canSeeSale,
  isSaleEvent,
  isSaleReady,
  type SaleView,
} from "../src/domain/sale-view.ts";
import { listedJourney, saleSaga, SELLER } from "./support/sale-events.ts";

const SR = "12121212-1212-4212-8212-121212121212";
const fold = (events: EventEnvelope[], start: SaleView | null = null) =>
  events.reduce<SaleView | null>((v, e) => applySaleEvent(v, e), start);

describe("SaleView fold", () => {
  it("follows the saga to LISTED with the payout and the pickup job", () => {
    const s = saleSaga(SR);
    const v = fold(listedJourney(s))!;
    expect(v).toEqual({
      sellRequestId: SR,
      sellerId: SELLER,
      vehicleName: "2019 Hyundai Avante",
      offerKrw: 12_400_000,
      status: "LISTED",
      payoutStatus: "PAID",
      pickupConsignmentId: s.pickupJob,
      pickupStatus: "DELIVERED",
      createdAt: new Date(s.submitted.occurredAt),
      updatedAt: new Date(s.listed.occurredAt),
    });
    expect(isSaleReady(v)).toBe(true);
  });

  it("a cancellation after listing: CANCELLED, payout REVERSED; the SELLER_RETURN job is not the pickup", () => {
    const s = saleSaga(SR);
    const v = fold([
      ...listedJourney(s),
      s.cancelled,
      s.payoutReversed,
      s.returnRequested,
      s.returnAssigned,
      s.returnDelivered,
    ])!;
    expect(v).toMatchObject({ status: "CANCELLED", payoutStatus: "REVERSED", pickupStatus: "DELIVERED" });
    expect(v.pickupConsignmentId).toBe(s.pickupJob);
    expect(v.updatedAt).toEqual(new Date(s.payoutReversed.occurredAt));
    expect(isSaleEvent(s.returnRequested)).toBe(false);
  });

  it("rejected: REJECTED, and nothing later replaces it", () => {
    const s = saleSaga(SR);
    expect(fold([s.submitted, s.rejected, s.accepted])).toMatchObject({ status: "REJECTED" });
  });

  it("any order of the events and any redelivery give the same row", () => {
    const s = saleSaga(SR);
    const events = [...listedJourney(s), s.cancelled, s.payoutReversed];
    const expected = fold(events);
    fc.assert(
      fc.property(
        fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }),
        fc.array(fc.nat({ max: events.length - 1 }), { maxLength: 5 }),
        (order, repeats) => {
          const withCopies = [...order, ...repeats.map((i) => order[i]!)];
          expect(fold(withCopies)).toEqual(expected);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("an older event never overwrites a newer status (late PickedUp after LISTED, late PAID after REVERSED)", () => {
    const s = saleSaga(SR);
    const listed = fold([s.submitted, s.accepted, s.listed, s.payoutReversed])!;
    expect(applySaleEvent(listed, s.pickedUp)).toBe(listed);
    expect(applySaleEvent(listed, s.inspection)).toBe(listed);
    expect(applySaleEvent(listed, s.payoutPaid)).toBe(listed);
    expect(listed).toMatchObject({ status: "LISTED", payoutStatus: "REVERSED" });
  });

  it("returns the same object for an event that changes nothing (the caller skips the write)", () => {
    const s = saleSaga(SR);
    const v = fold([s.submitted, s.accepted])!;
    expect(applySaleEvent(v, s.accepted)).toBe(v);
    expect(applySaleEvent(v, s.submitted)).toBe(v);
  });

  it("not ready before the car and offer are known; ready from Accepted alone", () => {
    const s = saleSaga(SR);
    const payoutOnly = fold([s.payoutPaid])!;
    expect(isSaleReady(payoutOnly)).toBe(false);
    expect(isSaleReady(applySaleEvent(payoutOnly, s.accepted)!)).toBe(true);
  });

  it("ignores purchase jobs and other events; refuses an event of another sell request", () => {
    const s = saleSaga(SR);
    const delivery = { ...s.pickupRequested, payload: { ...s.pickupRequested.payload, ...DELIVERY_JOB } };
    expect(isSaleEvent(delivery as EventEnvelope)).toBe(false);
    const v = fold([s.submitted])!;
    expect(applySaleEvent(v, delivery as EventEnvelope)).toBe(v);
    const other = saleSaga("13131313-1313-4313-8313-131313131313");
    expect(() => applySaleEvent(v, other.accepted)).toThrow(/not 12121212/);
  });

  it("a second pickup job does not take the row over", () => {
    const s = saleSaga(SR);
    const stray = saleSaga(SR, { pickupJob: "14141414-1414-4414-8414-141414141414" });
    const v = fold([s.submitted, s.pickupRequested, s.pickupAssigned])!;
    expect(applySaleEvent(v, stray.pickupDelivered)).toBe(v);
  });

  it("the seller and staff can see a row; nobody else", () => {
    expect(canSeeSale({ sellerId: SELLER }, { id: SELLER, role: "SELLER" })).toBe(true);
    expect(canSeeSale({ sellerId: SELLER }, { id: "x", role: "STAFF" })).toBe(true);
    expect(canSeeSale({ sellerId: SELLER }, { id: "x", role: "SELLER" })).toBe(false);
    expect(canSeeSale({ sellerId: null }, { id: "x", role: "BUYER" })).toBe(false);
  });
});
