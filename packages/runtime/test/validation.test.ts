import { describe, expect, it } from "vitest";
import { DomainError } from "../src/errors.ts";
import { parsePageSize, parseUuid } from "../src/validation.ts";

describe("parseUuid", () => {
  it("accepts a uuid and lower-cases it", () => {
    expect(parseUuid("id", "AAAAAAAA-AAAA-4AAA-8AAA-AAAAAAAAAAAA")).toBe(
      "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa",
    );
  });
  it.each(["", "123", "not-a-uuid", "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaa", 42, null])(
    "refuses %j with BAD_USER_INPUT naming the field",
    (v) => {
      try {
        parseUuid("vehicleId", v);
        throw new Error("not refused");
      } catch (err) {
        expect(err).toBeInstanceOf(DomainError);
        expect((err as DomainError).code).toBe("BAD_USER_INPUT");
        expect((err as DomainError).details).toEqual({ field: "vehicleId" });
      }
    },
  );
});

describe("parsePageSize", () => {
  it("accepts whole numbers within the list's bounds (1 unless said otherwise)", () => {
    expect(parsePageSize("first", 1, { max: 200 })).toBe(1);
    expect(parsePageSize("first", 200, { max: 200 })).toBe(200);
    expect(parsePageSize("first", 0, { min: 0, max: 100 })).toBe(0);
  });
  it.each([0, -1, 201, 1.5, Number.NaN, "10", null, undefined])(
    "refuses %j with BAD_USER_INPUT naming the field, in one wording",
    (v) => {
      try {
        parsePageSize("first", v, { max: 200 });
        throw new Error("not refused");
      } catch (err) {
        expect(err).toBeInstanceOf(DomainError);
        expect((err as DomainError).code).toBe("BAD_USER_INPUT");
        expect((err as DomainError).details).toEqual({ field: "first" });
        expect((err as DomainError).message).toBe("first must be a whole number from 1 to 200.");
      }
    },
  );
});
