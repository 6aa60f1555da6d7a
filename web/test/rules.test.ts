// Unit tests of the seller, staff, driver and buyer rules the views apply before asking the API.
import { CombinedGraphQLErrors } from "@apollo/client/errors";
import { describe, expect, it } from "vitest";
import { describeError } from "../src/errors.ts";
import type { SellRequestStatus } from "../src/generated/operations.ts";
import {
  canCancelSellRequest,
  cancelConsequence,
  canReturn,
  EMPTY_QUOTE_FORM,
  JOB_KINDS,
  type QuoteForm,
  RETURN_WINDOW_MS,
  requiredReason,
  returnClosesAt,
  sellStep,
  validateQuoteForm,
} from "../src/rules.ts";

const NOW = new Date("2026-06-15T12:00:00Z");
const GOOD: QuoteForm = {
  vin: " kmhd841cbmu123456 ",
  make: " Hyundai ",
  model: "Avante",
  year: "2019",
  mileageKm: "52,000",
  condition: "GOOD",
};
const errorsOf = (form: Partial<QuoteForm>) => {
  const r = validateQuoteForm({ ...GOOD, ...form }, NOW);
  return r.ok ? {} : r.errors;
};

describe("the quote form, with the server's limits", () => {
  it("turns a correct form into the API's QuoteInput (VIN trimmed and upper-cased, numbers parsed)", () => {
    expect(validateQuoteForm(GOOD, NOW)).toEqual({
      ok: true,
      input: {
        vin: "KMHD841CBMU123456",
        make: "Hyundai",
        model: "Avante",
        year: 2019,
        mileageKm: 52_000,
        condition: "GOOD",
      },
    });
  });

  it("refuses a VIN that is not 17 letters and digits without I, O or Q", () => {
    for (const vin of [
      "",
      "KMHD841CBMU12345",
      "KMHD841CBMU1234567",
      "KMHD841CBMI123456",
      "KMHD841CBMO123456",
      "KMHQ841CBMU123456",
      "KMHD841CBMU12345-",
    ])
      expect(errorsOf({ vin }).vin, vin).toMatch(/17 letters and digits, without I, O or Q/);
    expect(errorsOf({ vin: "1HGCM82633A004352" }).vin).toBeUndefined();
  });

  it("accepts years 1980 to next year only", () => {
    expect(errorsOf({ year: "1980" }).year).toBeUndefined();
    expect(errorsOf({ year: "2027" }).year).toBeUndefined(); // NOW is 2026
    expect(errorsOf({ year: "1979" }).year).toBe("The year must be a whole number from 1980 to 2027.");
    expect(errorsOf({ year: "2028" }).year).toBeDefined();
    expect(errorsOf({ year: "2019.5" }).year).toBeDefined();
    expect(errorsOf({ year: "" }).year).toBeDefined();
  });

  it("accepts a mileage of 0 to 2,000,000 km", () => {
    expect(errorsOf({ mileageKm: "0" }).mileageKm).toBeUndefined();
    expect(errorsOf({ mileageKm: "2000000" }).mileageKm).toBeUndefined();
    expect(errorsOf({ mileageKm: "2000001" }).mileageKm).toBe(
      "The mileage (km) must be a whole number from 0 to 2,000,000.",
    );
    expect(errorsOf({ mileageKm: "-1" }).mileageKm).toBeDefined();
    expect(errorsOf({ mileageKm: "12.5" }).mileageKm).toBeDefined();
    expect(errorsOf({ mileageKm: "lots" }).mileageKm).toBeDefined();
  });

  it("wants make and model of 1 to 40 characters (counted as characters, not UTF-16 units) and a condition", () => {
    expect(errorsOf({ make: "   " }).make).toBe("The make must have 1 to 40 characters.");
    expect(errorsOf({ model: "x".repeat(41) }).model).toBe("The model must have 1 to 40 characters.");
    expect(errorsOf({ model: "x".repeat(40) }).model).toBeUndefined();
    expect(errorsOf({ model: "🚗".repeat(40) }).model).toBeUndefined();
    expect(errorsOf({ make: "현대" }).make).toBeUndefined();
    expect(errorsOf({ condition: "" }).condition).toBe("Choose the car's condition.");
  });

  it("names every wrong field at once", () => {
    expect(Object.keys(errorsOf(EMPTY_QUOTE_FORM)).sort()).toEqual(
      ["condition", "make", "mileageKm", "model", "vin", "year"].sort(),
    );
  });
});

describe("required reasons", () => {
  it("wants 1 to 500 characters after trimming", () => {
    expect(requiredReason("  ")).toBe("Please give a reason.");
    expect(requiredReason("x".repeat(500))).toBeNull();
    expect(requiredReason("x".repeat(501))).toBe("The reason must have at most 500 characters.");
    expect(requiredReason("", 1000, "description")).toBe("Please give a description.");
    expect(requiredReason("Broken mirror")).toBeNull();
  });
});

describe("cancelling a sell request", () => {
  const all: SellRequestStatus[] = [
    "PENDING",
    "ACCEPTED",
    "PICKED_UP",
    "IN_INSPECTION",
    "LISTED",
    "REJECTED",
    "CANCELLED",
  ];

  it("is offered before the pickup and once the car is on the lot, never on the road or when final", () => {
    expect(all.filter(canCancelSellRequest)).toEqual(["PENDING", "ACCEPTED", "IN_INSPECTION", "LISTED"]);
  });

  it("says what it does at each step", () => {
    expect(cancelConsequence("PENDING")).toMatch(/withdrawn/);
    expect(cancelConsequence("ACCEPTED")).toMatch(/payout is reversed.*pickup/);
    expect(cancelConsequence("LISTED")).toMatch(/brings your car back/);
  });

  it("shows the steps of an open request, none for a closed one", () => {
    expect(all.map(sellStep)).toEqual([0, 1, 2, 3, 4, null, null]);
  });
});

describe("returning a delivered car", () => {
  const delivered = "2026-06-10T09:00:00.000Z";
  const at = (iso: string) => Date.parse(iso);

  it("is offered on a DELIVERED purchase for 3 days after delivery", () => {
    expect(RETURN_WINDOW_MS).toBe(3 * 24 * 3600 * 1000);
    expect(returnClosesAt(delivered)?.toISOString()).toBe("2026-06-13T09:00:00.000Z");
    const p = { status: "DELIVERED" as const, deliveredAt: delivered };
    expect(canReturn(p, at("2026-06-10T09:00:01Z"))).toBe(true);
    expect(canReturn(p, at("2026-06-13T09:00:00Z"))).toBe(true);
    expect(canReturn(p, at("2026-06-13T09:00:01Z"))).toBe(false);
  });

  it("is not offered before delivery, twice, or after a cancellation", () => {
    const now = at("2026-06-11T00:00:00Z");
    expect(canReturn({ status: "PAID", deliveredAt: null }, now)).toBe(false);
    expect(canReturn({ status: "DELIVERING", deliveredAt: null }, now)).toBe(false);
    expect(canReturn({ status: "RETURN_REQUESTED", deliveredAt: delivered }, now)).toBe(false);
    expect(canReturn({ status: "RETURNED", deliveredAt: delivered }, now)).toBe(false);
    expect(canReturn({ status: "CANCELLED", deliveredAt: null }, now)).toBe(false);
    expect(canReturn({ status: "DELIVERED", deliveredAt: null }, now)).toBe(false);
    expect(returnClosesAt("not a date")).toBeNull();
  });
});

describe("driver job kinds", () => {
  it("label every kind and say where the car goes", () => {
    expect(JOB_KINDS.DELIVERY).toEqual({
      label: "Delivery to a buyer",
      meets: "buyer",
      destination: "buyer",
    });
    expect(JOB_KINDS.SELLER_PICKUP.meets).toBe("seller");
    expect(JOB_KINDS.RETURN_PICKUP.destination).toBe("lot");
    expect(JOB_KINDS.SELLER_PICKUP.destination).toBe("lot");
    expect(JOB_KINDS.SELLER_RETURN.destination).toBe("seller");
    expect(new Set(Object.values(JOB_KINDS).map((k) => k.label)).size).toBe(4);
  });
});

describe("messages for the seller side, the workshop and returns", () => {
  it("has a specific message for each new refusal", () => {
    const codes = [
      "QUOTE_EXPIRED",
      "VIN_ALREADY_OFFERED",
      "VIN_IN_STOCK",
      "SELL_REQUEST_NOT_PENDING",
      "REPAIR_ORDER_NOT_OPEN",
      "RETURN_WINDOW_CLOSED",
    ];
    const messages = codes.map(
      (code) =>
        describeError(
          new CombinedGraphQLErrors({ errors: [{ message: "server text", extensions: { code } }] }),
        ).message,
    );
    for (const m of messages) expect(m).not.toBe("server text");
    expect(new Set(messages).size).toBe(codes.length);
  });

  it("uses the server's own words where they explain the case (why a sale cannot be cancelled)", () => {
    const e = new CombinedGraphQLErrors({
      errors: [{ message: "A buyer holds the car.", extensions: { code: "SELL_REQUEST_NOT_CANCELLABLE" } }],
    });
    expect(describeError(e)).toMatchObject({
      code: "SELL_REQUEST_NOT_CANCELLABLE",
      message: "A buyer holds the car.",
    });
  });
});
