import { describe, expect, it } from "vitest";
import {
  abandonment,
  decideHold,
  HOLD_KINDS,
  HOLD_TTL_MS,
  type HoldClaim,
  type HoldKind,
  isAbandoned,
  newHold,
  workshopHolder,
} from "../src/domain/vehicle-hold.ts";

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

describe("hold arbiter", () => {
  const claim = (kind: HoldKind, holderId = `${kind}-1`): HoldClaim => ({ vehicleId: "v", kind, holderId });

  it("a free car is taken by any claim", () => {
    for (const k of HOLD_KINDS) expect(decideHold(null, claim(k))).toEqual({ decision: "take" });
  });
  it("the same kind and holder again changes nothing (retried call)", () => {
    for (const k of HOLD_KINDS) expect(decideHold(claim(k), claim(k))).toEqual({ decision: "already" });
  });
  it("the same kind for another holder is refused", () => {
    for (const k of HOLD_KINDS)
      expect(decideHold(claim(k, "a"), claim(k, "b"))).toEqual({ decision: "refuse", heldBy: k });
  });
  it("a WITHDRAWAL replaces the workshop (INSPECTION, REPAIR) but not a buyer", () => {
    expect(decideHold(claim("INSPECTION"), claim("WITHDRAWAL"))).toEqual({
      decision: "replace",
      replaced: claim("INSPECTION"),
    });
    expect(decideHold(claim("REPAIR"), claim("WITHDRAWAL"))).toEqual({
      decision: "replace",
      replaced: claim("REPAIR"),
    });
    expect(decideHold(claim("PURCHASE"), claim("WITHDRAWAL"))).toEqual({
      decision: "refuse",
      heldBy: "PURCHASE",
    });
  });
  it("a REPAIR and a PURCHASE are refused by any other hold", () => {
    for (const wanted of ["REPAIR", "PURCHASE"] as const)
      for (const held of HOLD_KINDS.filter((k) => k !== wanted))
        expect(decideHold(claim(held), claim(wanted))).toEqual({ decision: "refuse", heldBy: held });
  });
  it("an INSPECTION never displaces anyone", () => {
    for (const held of HOLD_KINDS.filter((k) => k !== "INSPECTION"))
      expect(decideHold(claim(held), claim("INSPECTION"))).toEqual({ decision: "refuse", heldBy: held });
  });
  it("a completed order gives back the hold of its sell request (INSPECTION) or of itself (REPAIR)", () => {
    expect(workshopHolder({ kind: "INSPECTION", repairOrderId: "r", sellRequestId: "s" })).toEqual({
      kind: "INSPECTION",
      holderId: "s",
    });
    expect(workshopHolder({ kind: "REPAIR", repairOrderId: "r", sellRequestId: null })).toEqual({
      kind: "REPAIR",
      holderId: "r",
    });
    expect(workshopHolder({ kind: "INSPECTION", repairOrderId: "r", sellRequestId: null })).toBeNull();
  });
});
