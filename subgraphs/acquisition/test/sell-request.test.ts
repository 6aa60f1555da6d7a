import { refusalOf } from "@junggo/runtime/testing";
import { describe, expect, it } from "vitest";
import { makeQuote, parseQuoteInput, type Quote } from "../src/domain/quote.ts";
import {
  accept,
  arrivedAtLot,
  cancel,
  listed,
  normalizeReason,
  pickedUp,
  reject,
  type SellRequest,
  submit,
} from "../src/domain/sell-request.ts";

const now = new Date("2026-12-03T10:00:00Z");
const later = (days: number) => new Date(now.getTime() + days * 86_400_000);
const input = {
  vin: "kmhe341dbmf000001",
  make: " Hyundai ",
  model: "Sonata",
  year: 2021,
  mileageKm: 52_000,
  condition: "GOOD",
};
const quote: Quote = makeQuote(
  "q1",
  "seller-1",
  parseQuoteInput(input, now),
  { offerKrw: 18_890_000, basis: "b", comparableCount: 5 },
  now,
);
const pending = () => submit("s1", quote, "seller-1", now).sellRequest;
const code = (f: () => unknown) => refusalOf(f).code;
const intake = {
  vehicleId: "v1",
  listPriceKrw: 20_000_000,
  make: "Hyundai",
  model: "Avante",
  year: 2020,
  mileageKm: 52_000,
};

describe("quote", () => {
  it("normalises the car and is valid 7 days", () => {
    expect(quote).toMatchObject({ vin: "KMHE341DBMF000001", make: "Hyundai", year: 2021 });
    expect(quote.validUntil.toISOString()).toBe("2026-12-10T10:00:00.000Z");
  });

  it.each([
    [{ vin: "KMHE341DBMF00000I" }, "vin"],
    [{ make: "" }, "make"],
    [{ model: "x".repeat(41) }, "model"],
    [{ year: 1979 }, "year"],
    [{ year: 2028 }, "year"],
    [{ year: 2020.5 }, "year"],
    [{ mileageKm: -1 }, "mileageKm"],
    [{ condition: "MINT" }, "condition"],
  ])("refuses %o with BAD_USER_INPUT on %s", (patch, field) => {
    try {
      parseQuoteInput({ ...input, ...patch }, now);
      expect.unreachable();
    } catch (e) {
      expect(e).toMatchObject({ code: "BAD_USER_INPUT", details: { field } });
    }
  });
});

describe("sell request", () => {
  it("runs PENDING → ACCEPTED → PICKED_UP → IN_INSPECTION → LISTED with one event per step", () => {
    const s0 = submit("s1", quote, "seller-1", later(1));
    expect(s0.sellRequest).toMatchObject({
      status: "PENDING",
      vehicleName: "2021 Hyundai Sonata",
      offerKrw: 18_890_000,
    });
    expect(s0.event).toMatchObject({
      type: "SellRequestSubmitted",
      payload: { sellRequestId: "s1", quoteId: "q1" },
    });
    const s1 = accept(s0.sellRequest, "staff-1", intake, now);
    expect(s1.event).toMatchObject({
      type: "SellRequestAccepted",
      payload: { offerKrw: 18_890_000, decidedBy: "staff-1" },
    });
    const s2 = pickedUp(s1.sellRequest, "c1", now);
    expect(s2.event.type).toBe("SellRequestPickedUp");
    const s3 = arrivedAtLot(s2.sellRequest, "v1", now);
    expect(s3.sellRequest).toMatchObject({ status: "IN_INSPECTION", vehicleId: "v1" });
    const s4 = listed(s3.sellRequest, now);
    expect(s4.sellRequest.status).toBe("LISTED");
    expect(s4.event).toMatchObject({ type: "SellRequestListed", payload: { vehicleId: "v1" } });
  });

  it("refuses an expired quote and someone else's quote", () => {
    expect(code(() => submit("s1", quote, "seller-1", later(7.01)))).toBe("QUOTE_EXPIRED");
    expect(code(() => submit("s1", quote, "seller-2", now))).toBe("FORBIDDEN");
  });

  it("decides only once: SELL_REQUEST_NOT_PENDING", () => {
    const accepted = accept(pending(), "staff-1", intake, now).sellRequest;
    expect(code(() => accept(accepted, "staff-1", intake, now))).toBe("SELL_REQUEST_NOT_PENDING");
    expect(code(() => reject(accepted, "no", "staff-1", now))).toBe("SELL_REQUEST_NOT_PENDING");
    const rejected = reject(pending(), "Flood damage", "staff-1", now);
    expect(rejected.sellRequest).toMatchObject({ status: "REJECTED", rejectReason: "Flood damage" });
    expect(code(() => accept(rejected.sellRequest, "staff-1", intake, now))).toBe("SELL_REQUEST_NOT_PENDING");
  });

  it("refuses steps out of order", () => {
    expect(code(() => pickedUp(pending(), "c1", now))).toBe("SELL_REQUEST_TRANSITION_REFUSED");
    expect(code(() => arrivedAtLot(pending(), "v1", now))).toBe("SELL_REQUEST_TRANSITION_REFUSED");
    expect(code(() => listed(pending(), now))).toBe("SELL_REQUEST_TRANSITION_REFUSED");
  });

  it("takes the car's arrival at the lot before its pickup event, and refuses the late pickup", () => {
    const accepted = accept(pending(), "staff-1", intake, now).sellRequest;
    const atLot = arrivedAtLot(accepted, "v1", now);
    expect(atLot.sellRequest).toMatchObject({ status: "IN_INSPECTION", vehicleId: "v1" });
    expect(code(() => pickedUp(atLot.sellRequest, "c1", now))).toBe("SELL_REQUEST_TRANSITION_REFUSED");
    expect(code(() => arrivedAtLot(atLot.sellRequest, "v1", now))).toBe("SELL_REQUEST_TRANSITION_REFUSED");
  });

  const at = (status: SellRequest["status"]): SellRequest => ({ ...pending(), status, vehicleId: "v1" });

  it("cancels with the right compensations for each stage", () => {
    expect(cancel(pending(), null, false, now).event.payload).toMatchObject({
      reversePayout: false,
      cancelPickup: false,
      returnVehicleId: null,
    });
    expect(cancel(at("ACCEPTED"), "changed my mind", false, now).event.payload).toMatchObject({
      previousStatus: "ACCEPTED",
      reversePayout: true,
      cancelPickup: true,
      returnVehicleId: null,
    });
    for (const s of ["IN_INSPECTION", "LISTED"] as const)
      expect(cancel(at(s), null, false, now).event.payload).toMatchObject({
        reversePayout: true,
        cancelPickup: false,
        returnVehicleId: "v1",
      });
  });

  it("is not cancellable on the road, once a buyer holds the car, or when final", () => {
    expect(code(() => cancel(at("PICKED_UP"), null, false, now))).toBe("SELL_REQUEST_NOT_CANCELLABLE");
    expect(code(() => cancel(at("LISTED"), null, true, now))).toBe("SELL_REQUEST_NOT_CANCELLABLE");
    for (const s of ["REJECTED", "CANCELLED"] as const)
      expect(code(() => cancel(at(s), null, false, now))).toBe("SELL_REQUEST_NOT_CANCELLABLE");
  });

  it("needs a reason to reject, bounds every reason", () => {
    expect(code(() => normalizeReason("  ", true))).toBe("BAD_USER_INPUT");
    expect(normalizeReason("  ", false)).toBeNull();
    expect(code(() => normalizeReason("x".repeat(501), false))).toBe("BAD_USER_INPUT");
    expect(normalizeReason(" ok ", true)).toBe("ok");
  });
});
