import { describe, expect, it } from "vitest";
import { DomainError } from "../src/errors.ts";
import { parseUuid } from "../src/validation.ts";

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
