import { describe, expect, it } from "vitest";
import { parseChargeRequest } from "../src/adapters/charge.routes.ts";

const ok = {
  purchaseId: "22222222-2222-4222-8222-222222222222",
  buyerId: "33333333-3333-4333-8333-333333333333",
  amountKrw: 15_000_000,
};

describe("parseChargeRequest", () => {
  it("accepts a valid body", () => {
    expect(parseChargeRequest(ok)).toEqual({ ok: true, value: ok });
  });

  it.each([
    [null, "body"],
    [[], "body"],
    ["text", "body"],
    [{ ...ok, purchaseId: "nope" }, "purchaseId"],
    [{ ...ok, purchaseId: undefined }, "purchaseId"],
    [{ ...ok, buyerId: 12 }, "buyerId"],
    [{ ...ok, amountKrw: 0 }, "amountKrw"],
    [{ ...ok, amountKrw: -1 }, "amountKrw"],
    [{ ...ok, amountKrw: 10.5 }, "amountKrw"],
    [{ ...ok, amountKrw: "1000" }, "amountKrw"],
    [{ ...ok, amountKrw: 2_147_483_648 }, "amountKrw"],
  ])("refuses %j (field %s)", (body, field) => {
    const r = parseChargeRequest(body);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.field).toBe(field);
  });
});
