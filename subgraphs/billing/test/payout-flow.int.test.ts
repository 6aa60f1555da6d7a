import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildSubgraphSchema } from "@apollo/subgraph";
import { graphql, parse } from "graphql";
import {
  createLogger,
  type Database,
  type SqlReader,
  type SqlTx,
  sqlReader,
  type Viewer,
} from "@junggo/runtime";
import { type ConsumerHarness, consumerHarness, testEvent as event } from "@junggo/runtime/testing";
import type { EventEnvelope } from "@junggo/events";
import { PrismaClient } from "@junggo/prisma/billing";
import { makeChargePayment } from "../src/app/charge-payment.use-case.ts";
import { makeSettlePayment } from "../src/app/settle-payment.use-case.ts";
import { makePaymentQueries, makePayoutQueries } from "../src/app/payments.query.ts";
import type { BillingDeps } from "../src/app/ports.ts";
import { billingHandlers } from "../src/adapters/event.handlers.ts";
import { billingResolvers } from "../src/adapters/graphql.resolvers.ts";
import { paymentRepository } from "../src/adapters/payment.repository.ts";
import { payoutRepository } from "../src/adapters/payout.repository.ts";
import { SandboxPaymentProvider } from "../src/adapters/payment-sandbox/sandbox-payment.provider.ts";

// Billing's seller payouts and return refunds on a real database: events go through billing's
// handler map exactly as its consumer runs them (handleOnce: inbox row, effects and outbox in one
// plain-SQL transaction), against the sandbox provider with its failure injection.
let h: ConsumerHarness<SqlTx, PrismaClient>;
let db: Database;
let prisma: PrismaClient;
let reader: SqlReader;
let deps: BillingDeps<SqlTx, SqlReader>;
const log = createLogger("billing-test");
const provider = new SandboxPaymentProvider({
  latencyMs: 0,
  declineRate: 0,
  errorRate: 0,
  declineAboveKrw: null,
});

beforeAll(async () => {
  h = await consumerHarness({
    context: "billing",
    client: (db) => new PrismaClient({ adapter: db.adapter }),
    handlers: ({ db }) => {
      reader = sqlReader(db);
      deps = { db: reader, log, transact: (fn) => db.transaction(fn), payments: paymentRepository };
      return billingHandlers(deps, { payouts: payoutRepository, provider, log });
    },
  });
  ({ db, client: prisma } = h);
}, 60_000);

afterAll(async () => {
  await h?.close();
});

const deliver = (e: EventEnvelope) => h.deliver(e);
const outboxOf = async (type: string, sellRequestId: string) =>
  (await db.query<{ body: string }>(`SELECT body FROM messaging.outbox WHERE type = $1 ORDER BY seq`, [type]))
    .map((r) => JSON.parse(r.body) as EventEnvelope<"PayoutPaid" | "PayoutReversed">)
    .filter((e) => e.payload.sellRequestId === sellRequestId);
const payoutOf = (sellRequestId: string) => prisma.payout.findUnique({ where: { sellRequestId } });

const SELLER = "33333333-3333-4333-8333-333333333333";
function sellRequest(offerKrw = 15_000_000) {
  const sellRequestId = crypto.randomUUID();
  const accepted = event("SellRequestAccepted", {
    sellRequestId,
    sellerId: SELLER,
    offerKrw,
    vehicleId: crypto.randomUUID(),
    listPriceKrw: offerKrw + 2_000_000,
    vin: "KNAD341CBKU512799",
    make: "Kia",
    model: "Ray",
    year: 2020,
    mileageKm: 40_000,
    vehicleName: "2020 Kia Ray",
    decidedBy: crypto.randomUUID(),
  });
  const cancelled = (reversePayout = true) =>
    event("SellRequestCancelled", {
      sellRequestId,
      sellerId: SELLER,
      reason: "changed my mind",
      previousStatus: "ACCEPTED",
      reversePayout,
      cancelPickup: true,
      returnVehicleId: null,
    });
  return { sellRequestId, offerKrw, accepted, cancelled };
}

describe("seller payouts", () => {
  it("SellRequestAccepted pays the seller once (PayoutPaid), also under redelivery and a repeated acceptance", async () => {
    const s = sellRequest();
    expect(await deliver(s.accepted)).toBe("handled");
    expect(await deliver(s.accepted)).toBe("duplicate");
    await deliver({ ...s.accepted, eventId: crypto.randomUUID() });
    expect(await payoutOf(s.sellRequestId)).toMatchObject({
      status: "PAID",
      amountKrw: 15_000_000,
      sellerId: SELLER,
    });
    expect(provider.payoutBalance(s.sellRequestId)).toBe(15_000_000);
    const paid = await outboxOf("PayoutPaid", s.sellRequestId);
    expect(paid).toHaveLength(1);
    expect(paid[0]).toMatchObject({
      causationId: s.accepted.eventId,
      sellRequestId: s.sellRequestId,
      payload: { sellRequestId: s.sellRequestId, sellerId: SELLER, amountKrw: 15_000_000 },
    });
  });

  it("a provider failure fails the event (retried, nothing stored); the retry pays exactly once", async () => {
    const s = sellRequest(9_000_000);
    provider.configure({ errorRate: 1 });
    try {
      await expect(deliver(s.accepted)).rejects.toThrow(/unavailable/);
    } finally {
      provider.configure({ errorRate: 0 });
    }
    expect(await payoutOf(s.sellRequestId)).toBeNull();
    expect(provider.payoutBalance(s.sellRequestId)).toBe(0);
    expect(await deliver(s.accepted)).toBe("handled");
    expect(provider.payoutBalance(s.sellRequestId)).toBe(9_000_000);
    expect(await outboxOf("PayoutPaid", s.sellRequestId)).toHaveLength(1);
  });

  it("a payout that reached the provider before its transaction was lost is reused by the retry, not paid twice", async () => {
    const s = sellRequest(8_000_000);
    const before = provider.payoutCount;
    // The provider paid, then the transaction failed after the call (crash before commit).
    await expect(
      db.transaction(async (tx) => {
        await h.deliverIn(tx, s.accepted);
        throw new Error("crash before commit");
      }),
    ).rejects.toThrow(/crash/);
    expect(await payoutOf(s.sellRequestId)).toBeNull();
    await deliver(s.accepted);
    expect(provider.payoutCount - before).toBe(1);
    expect(provider.payoutBalance(s.sellRequestId)).toBe(8_000_000);
  });

  it("SellRequestCancelled with reversePayout reverses a paid payout once (PayoutReversed)", async () => {
    const s = sellRequest(12_000_000);
    await deliver(s.accepted);
    const c = s.cancelled();
    expect(await deliver(c)).toBe("handled");
    expect(await deliver(c)).toBe("duplicate");
    await deliver(s.cancelled()); // another cancellation event: nothing more
    expect(await payoutOf(s.sellRequestId)).toMatchObject({ status: "REVERSED", amountKrw: 12_000_000 });
    expect(provider.payoutBalance(s.sellRequestId)).toBe(0);
    const reversed = await outboxOf("PayoutReversed", s.sellRequestId);
    expect(reversed.map((e) => [e.causationId, e.payload.amountKrw])).toEqual([[c.eventId, 12_000_000]]);
  });

  it("an acceptance with an invalid offer fails before any money moves", async () => {
    const s = sellRequest(0);
    const before = provider.payoutCount;
    await expect(deliver(s.accepted)).rejects.toThrow(/amountKrw/);
    expect(provider.payoutCount).toBe(before);
    expect(await payoutOf(s.sellRequestId)).toBeNull();
  });

  it("a cancellation without reversePayout (PENDING) changes nothing", async () => {
    const s = sellRequest();
    await deliver(s.cancelled(false));
    expect(await payoutOf(s.sellRequestId)).toBeNull();
  });

  it("tombstone race: cancelled before the (failing, retried) acceptance was paid → REVERSED tombstone, the late acceptance pays nothing", async () => {
    const s = sellRequest(11_000_000);
    provider.configure({ errorRate: 1 });
    try {
      await expect(deliver(s.accepted)).rejects.toThrow(/unavailable/); // nak'ed, to be retried
    } finally {
      provider.configure({ errorRate: 0 });
    }
    await deliver(s.cancelled()); // meanwhile the seller cancels
    expect(await payoutOf(s.sellRequestId)).toMatchObject({
      status: "REVERSED",
      amountKrw: 0,
      providerRef: null,
    });
    expect(await deliver(s.accepted)).toBe("handled"); // the retry of the acceptance
    expect(await payoutOf(s.sellRequestId)).toMatchObject({ status: "REVERSED", amountKrw: 0 });
    expect(provider.payoutBalance(s.sellRequestId)).toBe(0);
    expect(await outboxOf("PayoutPaid", s.sellRequestId)).toEqual([]);
    expect((await outboxOf("PayoutReversed", s.sellRequestId)).map((e) => e.payload.amountKrw)).toEqual([0]);
  });

  it("tombstone after a payout whose commit was lost: the provider takes the money back and the tombstone says how much", async () => {
    const s = sellRequest(7_000_000);
    await expect(
      db.transaction(async (tx) => {
        await h.deliverIn(tx, s.accepted);
        throw new Error("crash before commit");
      }),
    ).rejects.toThrow(/crash/);
    expect(provider.payoutBalance(s.sellRequestId)).toBe(7_000_000); // paid at the provider, not in billing
    await deliver(s.cancelled());
    await deliver(s.accepted);
    expect(provider.payoutBalance(s.sellRequestId)).toBe(0);
    expect(await payoutOf(s.sellRequestId)).toMatchObject({ status: "REVERSED", amountKrw: 7_000_000 });
  });

  it("a provider failure during a reversal fails the event; the retry reverses once", async () => {
    const s = sellRequest(6_000_000);
    await deliver(s.accepted);
    const c = s.cancelled();
    provider.configure({ errorRate: 1 });
    try {
      await expect(deliver(c)).rejects.toThrow(/unavailable/);
    } finally {
      provider.configure({ errorRate: 0 });
    }
    expect((await payoutOf(s.sellRequestId))?.status).toBe("PAID");
    await deliver(c);
    expect((await payoutOf(s.sellRequestId))?.status).toBe("REVERSED");
    expect(await outboxOf("PayoutReversed", s.sellRequestId)).toHaveLength(1);
  });
});

describe("refund of a returned purchase", () => {
  it("PurchaseReturned refunds the payment through the refund path once (PaymentRefunded); a refunded payment is not refunded again", async () => {
    const p = new SandboxPaymentProvider({
      latencyMs: 0,
      declineRate: 0,
      errorRate: 0,
      declineAboveKrw: null,
    });
    const purchaseId = crypto.randomUUID();
    const buyerId = crypto.randomUUID();
    const charged = await makeChargePayment(deps, p)({ purchaseId, buyerId, amountKrw: 21_000_000 });
    if (charged.kind !== "approved") throw new Error(charged.kind);
    const returned = event("PurchaseReturned", {
      purchaseId,
      vehicleId: crypto.randomUUID(),
      buyerId,
      paymentId: charged.payment.id,
      amountKrw: 21_000_000,
    });
    expect(await deliver(returned)).toBe("handled");
    expect(await deliver(returned)).toBe("duplicate");
    await deliver({ ...returned, eventId: crypto.randomUUID() });
    const pending = (await paymentRepository.byPurchaseId(reader, purchaseId))!;
    expect([pending.status, pending.settlementCausationId]).toEqual(["REFUND_PENDING", returned.eventId]);
    await makeSettlePayment(deps, p)(pending);
    await deliver({ ...returned, eventId: crypto.randomUUID() }); // after the refund: still nothing more
    expect((await paymentRepository.byPurchaseId(reader, purchaseId))?.status).toBe("REFUNDED");
    expect(p.refundCount).toBe(1);
    const refunded = (
      await db.query<{ body: string }>(`SELECT body FROM messaging.outbox WHERE type = 'PaymentRefunded'`)
    )
      .map((r) => JSON.parse(r.body) as EventEnvelope<"PaymentRefunded">)
      .filter((e) => e.payload.purchaseId === purchaseId);
    expect(refunded.map((e) => [e.causationId, e.payload.amountKrw])).toEqual([
      [returned.eventId, 21_000_000],
    ]);
  });
});

describe("SellRequest.payout through the billing subgraph (_entities)", () => {
  it("resolves the payout of a sell request reference for its seller and staff only", async () => {
    const s = sellRequest(13_000_000);
    await deliver(s.accepted);
    const schema = buildSubgraphSchema({
      typeDefs: parse(readFileSync(new URL("../schema.graphql", import.meta.url), "utf8")),
      resolvers: billingResolvers(
        makePaymentQueries(paymentRepository, reader),
        makePayoutQueries(payoutRepository, reader),
      ) as never,
    });
    const viewer = (id: string, role: Viewer["role"]): Viewer => ({ id, role, name: "x", email: "x@x" });
    const entities = async (v: Viewer | null, reps: Record<string, string>[]) => {
      const r = await graphql({
        schema,
        source: `query ($r: [_Any!]!) { _entities(representations: $r) {
          ... on SellRequest { id payout { id status amountKrw } }
          ... on Payout { id status amountKrw } } }`,
        variableValues: { r: reps },
        contextValue: { viewer: v },
      });
      expect(r.errors).toBeUndefined();
      return (r.data as { _entities: unknown[] })._entities;
    };
    const ref = { __typename: "SellRequest", id: s.sellRequestId };
    const payout = await payoutOf(s.sellRequestId);
    const expected = { id: payout!.id, status: "PAID", amountKrw: 13_000_000 };
    expect(await entities(viewer(SELLER, "SELLER"), [ref])).toEqual([
      { id: s.sellRequestId, payout: expected },
    ]);
    expect(await entities(viewer(crypto.randomUUID(), "STAFF"), [ref])).toEqual([
      { id: s.sellRequestId, payout: expected },
    ]);
    for (const v of [viewer(crypto.randomUUID(), "SELLER"), viewer(crypto.randomUUID(), "BUYER"), null])
      expect(await entities(v, [ref])).toEqual([{ id: s.sellRequestId, payout: null }]);
    // The Payout entity itself follows the same rule; an unknown sell request has no payout.
    expect(await entities(viewer(SELLER, "SELLER"), [{ __typename: "Payout", id: payout!.id }])).toEqual([
      expected,
    ]);
    expect(
      await entities(viewer(crypto.randomUUID(), "SELLER"), [{ __typename: "Payout", id: payout!.id }]),
    ).toEqual([null]);
    expect(
      await entities(viewer(SELLER, "STAFF"), [{ __typename: "SellRequest", id: crypto.randomUUID() }]),
    ).toEqual([expect.objectContaining({ payout: null })]);
    // After the seller cancelled: REVERSED.
    await deliver(s.cancelled());
    expect(await entities(viewer(SELLER, "SELLER"), [ref])).toEqual([
      { id: s.sellRequestId, payout: { ...expected, status: "REVERSED" } },
    ]);
  });
});
