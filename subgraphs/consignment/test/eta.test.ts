import { describe, expect, it } from "vitest";
import { DEFAULT_DELIVERY_ETA_MINUTES, estimateDeliveryEta } from "../src/domain/eta.ts";

describe("estimateDeliveryEta", () => {
  const accepted = new Date("2026-03-01T09:00:00.000Z");

  it("is the acceptance time plus the configured minutes", () => {
    expect(estimateDeliveryEta(accepted, 90).toISOString()).toBe("2026-03-01T10:30:00.000Z");
    expect(estimateDeliveryEta(accepted, 15).toISOString()).toBe("2026-03-01T09:15:00.000Z");
  });

  it("defaults to 90 minutes", () => {
    expect(DEFAULT_DELIVERY_ETA_MINUTES).toBe(90);
  });

  it.each([0, -5, Number.NaN, Number.POSITIVE_INFINITY])("rejects %s minutes", (m) => {
    expect(() => estimateDeliveryEta(accepted, m)).toThrow(RangeError);
  });
});
