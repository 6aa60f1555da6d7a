import { describe, expect, it } from "vitest";
import type { Viewer } from "@junggo/runtime";
import { refusalOfAsync } from "@junggo/runtime/testing";
import type { Payment } from "../src/domain/payment.ts";
import { makePaymentQueries } from "../src/app/payments.query.ts";

// Billing's read side on an in-memory repository: who sees what, and the payments list's arguments.
const BUYER = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb";
const payment = (n: number, buyerId = BUYER): Payment => ({
  id: `00000000-0000-4000-8000-00000000000${n}`,
  purchaseId: `11111111-1111-4111-8111-11111111111${n}`,
  buyerId,
  amountKrw: 1000 * n,
  status: "APPROVED",
  providerRef: `sandbox_${n}`,
  createdAt: new Date(Date.UTC(2026, 0, n)),
  refundedAt: null,
  voidedAt: null,
  settlementCausationId: null,
});
const rows = [payment(1), payment(2, "cccccccc-cccc-4ccc-8ccc-cccccccccccc"), payment(3)];
const calls: unknown[][] = [];
const queries = makePaymentQueries(
  {
    byId: async (_db, id) => rows.find((p) => p.id === id) ?? null,
    byPurchaseId: async (_db, id) => rows.find((p) => p.purchaseId === id) ?? null,
    latest: async (_db, take, after) => {
      calls.push([take, after]);
      return rows.slice(0, take);
    },
  },
  "db",
);
const staff: Viewer = { id: "dddddddd-dddd-4ddd-8ddd-dddddddddddd", role: "STAFF", name: "S", email: "s@x" };
const buyer: Viewer = { id: BUYER, role: "BUYER", name: "B", email: "b@x" };

describe("payment queries", () => {
  it("lists for staff only, 50 by default, at most 200, after a known payment", async () => {
    expect(await queries.latest(staff, {})).toHaveLength(3);
    await queries.latest(staff, { first: 200, after: rows[0]!.id });
    expect(calls).toEqual([
      [50, undefined],
      [200, rows[0]!.id],
    ]);
    expect((await refusalOfAsync(() => queries.latest(buyer, {}))).code).toBe("FORBIDDEN");
    for (const first of [0, 201, 1.5])
      expect(await refusalOfAsync(() => queries.latest(staff, { first }))).toMatchObject({
        code: "BAD_USER_INPUT",
        field: "first",
      });
    for (const after of ["nope", "99999999-9999-4999-8999-999999999999"])
      expect(await refusalOfAsync(() => queries.latest(staff, { after }))).toMatchObject({
        code: "BAD_USER_INPUT",
        field: "after",
      });
  });

  it("shows a payment to its buyer and staff only, and nothing for a malformed id", async () => {
    expect(await queries.byId(buyer, rows[0]!.id)).toBe(rows[0]);
    expect(await queries.byId(buyer, rows[1]!.id)).toBeNull();
    expect(await queries.byId(staff, rows[1]!.id)).toBe(rows[1]);
    expect(await queries.byId(null, rows[0]!.id)).toBeNull();
    expect(await queries.byId(staff, "not-a-uuid")).toBeNull();
    expect(await queries.ofPurchase(buyer, rows[2]!.purchaseId)).toBe(rows[2]);
    expect(await queries.ofPurchase(buyer, rows[1]!.purchaseId)).toBeNull();
  });
});
