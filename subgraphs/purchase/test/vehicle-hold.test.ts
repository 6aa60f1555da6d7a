import { describe, expect, it } from "vitest";
import { abandonment, HOLD_TTL_MS, isAbandoned, newHold } from "../src/domain/vehicle-hold.ts";

const now = new Date("2026-01-01T00:00:00Z");
const hold = newHold({ vehicleId: "v", purchaseId: "p", buyerId: "b", now });

describe("vehicle hold", () => {
  it("expires two minutes after the request started", () => {
    expect(hold.expiresAt?.getTime()).toBe(now.getTime() + HOLD_TTL_MS);
    expect(HOLD_TTL_MS).toBe(120_000);
  });
  it("takes a configured TTL, and refuses a non-positive one", () => {
    expect(
      newHold({ vehicleId: "v", purchaseId: "p", buyerId: "b", now, ttlMs: 20_000 }).expiresAt?.getTime(),
    ).toBe(now.getTime() + 20_000);
    expect(() => newHold({ vehicleId: "v", purchaseId: "p", buyerId: "b", now, ttlMs: 0 })).toThrow(
      /positive/,
    );
  });
  it("is abandoned only once expired and while unconfirmed", () => {
    expect(isAbandoned(hold, new Date(now.getTime() + HOLD_TTL_MS - 1))).toBe(false);
    expect(isAbandoned(hold, new Date(now.getTime() + HOLD_TTL_MS))).toBe(true);
    expect(isAbandoned({ ...hold, expiresAt: null }, new Date(now.getTime() + 10 * HOLD_TTL_MS))).toBe(false);
  });
  it("announces PurchaseAbandoned for its purchaseId", () => {
    expect(abandonment(hold, "why")).toEqual({
      type: "PurchaseAbandoned",
      payload: { purchaseId: "p", vehicleId: "v", buyerId: "b", reason: "why" },
    });
  });
});
