import { describe, expect, it } from "vitest";
import { abandonment, HOLD_TTL_MS, isAbandoned, newHold } from "../src/domain/vehicle-hold.ts";
import { parseId } from "../src/adapters/graphql.resolvers.ts";
import { DomainError } from "@junggo/runtime";

const now = new Date("2026-01-01T00:00:00Z");
const hold = newHold({ vehicleId: "v", purchaseId: "p", buyerId: "b", now });

describe("vehicle hold", () => {
  it("expires two minutes after the request started", () => {
    expect(hold.expiresAt?.getTime()).toBe(now.getTime() + HOLD_TTL_MS);
    expect(HOLD_TTL_MS).toBe(120_000);
  });
  it("is abandoned only once expired and while unconfirmed", () => {
    expect(isAbandoned(hold, new Date(now.getTime() + HOLD_TTL_MS - 1))).toBe(false);
    expect(isAbandoned(hold, new Date(now.getTime() + HOLD_TTL_MS))).toBe(true);
    expect(isAbandoned({ ...hold, expiresAt: null }, new Date(now.getTime() + 10 * HOLD_TTL_MS))).toBe(false);
  });
  it("announces PurchaseAbandoned for its purchaseId", () => {
    expect(abandonment(hold, "why")).toEqual({ type: "PurchaseAbandoned", payload: { purchaseId: "p", vehicleId: "v", buyerId: "b", reason: "why" } });
  });
});

describe("parseId", () => {
  it("accepts a uuid and lower-cases it", () => {
    expect(parseId("id", "AAAAAAAA-AAAA-4AAA-8AAA-AAAAAAAAAAAA")).toBe("aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa");
  });
  it.each(["", "123", "not-a-uuid", "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaa", 42, null])("refuses %j with BAD_USER_INPUT naming the field", (v) => {
    try {
      parseId("vehicleId", v);
      throw new Error("not refused");
    } catch (err) {
      expect(err).toBeInstanceOf(DomainError);
      expect((err as DomainError).code).toBe("BAD_USER_INPUT");
      expect((err as DomainError).details).toEqual({ field: "vehicleId" });
    }
  });
});
