import { describe, expect, it } from "vitest";
import { refusalOf } from "@junggo/runtime/testing";
import { decodeCursor, encodeCursor } from "../src/domain/cursor.ts";
import { parsePageRequest } from "../src/domain/vehicle-search.ts";
import { summariseStock } from "../src/domain/stock-summary.ts";

describe("cursor", () => {
  it("round-trips sequence numbers and is base64url", () => {
    for (const seq of [0, 1, 42, 2_147_483_647]) {
      const c = encodeCursor(seq);
      expect(c).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(decodeCursor(c)).toBe(seq);
    }
    expect(encodeCursor(42)).toBe(Buffer.from("42").toString("base64url"));
  });

  it("refuses malformed cursors on the after argument", () => {
    const bad = [
      "",
      "!!!",
      "NDI=",
      Buffer.from("abc").toString("base64url"),
      Buffer.from("-1").toString("base64url"),
      Buffer.from("007").toString("base64url"),
      Buffer.from("1.5").toString("base64url"),
      Buffer.from("2147483648").toString("base64url"),
      "NDJ" /* non-canonical spelling of "42" */,
      "A".repeat(100),
    ];
    for (const c of bad)
      expect(refusalOf(() => decodeCursor(c))).toMatchObject({ code: "BAD_USER_INPUT", field: "after" });
  });
});

describe("page request", () => {
  it("defaults: 20 per page, from the start, no criteria", () => {
    expect(parsePageRequest({})).toEqual({
      first: 20,
      afterSeq: 0,
      criteria: {
        make: undefined,
        model: undefined,
        minYear: undefined,
        maxYear: undefined,
        minPriceKrw: undefined,
        maxPriceKrw: undefined,
        maxMileageKm: undefined,
        status: undefined,
      },
    });
    expect(parsePageRequest({ first: null, after: null, filter: null }).first).toBe(20);
  });

  it("first must be 0..100", () => {
    expect(parsePageRequest({ first: 0 }).first).toBe(0);
    expect(parsePageRequest({ first: 100 }).first).toBe(100);
    for (const first of [-1, 101])
      expect(refusalOf(() => parsePageRequest({ first }))).toMatchObject({
        code: "BAD_USER_INPUT",
        field: "first",
      });
  });

  it("decodes after and refuses a bad one", () => {
    expect(parsePageRequest({ after: encodeCursor(7) }).afterSeq).toBe(7);
    expect(refusalOf(() => parsePageRequest({ after: "nope!" })).field).toBe("after");
  });

  it("trims text filters and ignores blank ones; keeps ranges and status", () => {
    const { criteria } = parsePageRequest({
      filter: {
        make: " hyundai ",
        model: "  ",
        minYear: 2018,
        maxYear: 2018,
        maxPriceKrw: 20_000_000,
        maxMileageKm: 50_000,
        status: "AVAILABLE",
      },
    });
    expect(criteria).toMatchObject({
      make: "hyundai",
      model: undefined,
      minYear: 2018,
      maxYear: 2018,
      maxPriceKrw: 20_000_000,
      maxMileageKm: 50_000,
      status: "AVAILABLE",
    });
  });

  it("refuses inverted ranges", () => {
    expect(refusalOf(() => parsePageRequest({ filter: { minYear: 2020, maxYear: 2019 } }))).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "filter.maxYear",
    });
    expect(refusalOf(() => parsePageRequest({ filter: { minPriceKrw: 2, maxPriceKrw: 1 } }))).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "filter.maxPriceKrw",
    });
  });
});

describe("stock summary", () => {
  it("counts AVAILABLE as available and AVAILABLE + RESERVED as on the lot, sorted by make then model", () => {
    const lines = summariseStock([
      { make: "Kia", model: "K5", status: "SOLD", count: 4 },
      { make: "Hyundai", model: "Sonata", status: "RESERVED", count: 1 },
      { make: "Hyundai", model: "Avante", status: "AVAILABLE", count: 2 },
      { make: "Hyundai", model: "Sonata", status: "AVAILABLE", count: 3 },
      { make: "Hyundai", model: "Avante", status: "SOLD", count: 5 },
      { make: "Genesis", model: "G80", status: "RESERVED", count: 1 },
    ]);
    expect(lines).toEqual([
      { make: "Genesis", model: "G80", available: 0, onLot: 1 },
      { make: "Hyundai", model: "Avante", available: 2, onLot: 2 },
      { make: "Hyundai", model: "Sonata", available: 3, onLot: 4 },
      { make: "Kia", model: "K5", available: 0, onLot: 0 },
    ]);
  });

  it("counts IN_REPAIR cars on the lot but not as available, and WITHDRAWN cars nowhere", () => {
    const lines = summariseStock([
      { make: "Kia", model: "K5", status: "AVAILABLE", count: 2 },
      { make: "Kia", model: "K5", status: "IN_REPAIR", count: 3 },
      { make: "Kia", model: "K5", status: "WITHDRAWN", count: 7 },
      { make: "Kia", model: "K5", status: "RESERVED", count: 1 },
    ]);
    expect(lines).toEqual([{ make: "Kia", model: "K5", available: 2, onLot: 6 }]);
  });

  it("is empty for an empty lot", () => {
    expect(summariseStock([])).toEqual([]);
  });
});
