import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger, type Database } from "@junggo/runtime";
import { openTestDatabase, type TestDatabase } from "@junggo/runtime/testing";
import { newEvent, type EventEnvelope } from "@junggo/events";
import { migrationsDir } from "@junggo/prisma";
import { PrismaClient } from "@junggo/prisma/billing";
import { makeChargePayment } from "../src/app/charge-payment.use-case.ts";
import { makeSettlePayment } from "../src/app/settle-payment.use-case.ts";
import { refundCancelledPurchase, voidAbandonedPurchase } from "../src/app/compensate-payment.use-case.ts";
import { paymentRepository } from "../src/adapters/payment.repository.ts";
import { sqlReader, type SqlReader } from "@junggo/runtime";
import { SandboxPaymentProvider } from "../src/adapters/payment-sandbox/sandbox-payment.provider.ts";
import type { BillingDeps } from "../src/app/ports.ts";
import type { SqlTx as BillingTx } from "@junggo/runtime";

// Billing's use cases against a real (embedded PostgreSQL) database, in plain SQL on the driver as
// in the service; the Prisma client checks outcomes and plays a dead-letter replay's transaction.
let testDb: TestDatabase;
let db: Database;
let prisma: PrismaClient;
let deps: BillingDeps<BillingTx, SqlReader>;
let reader: SqlReader;
const log = createLogger("billing-test");
const provider = new SandboxPaymentProvider({
  latencyMs: 5,
  declineRate: 0,
  errorRate: 0,
  declineAboveKrw: 50_000_000,
});

beforeAll(async () => {
  // JUNGGO_TEST_POSTGRES_URL runs the same tests on a fresh PostgreSQL database (true concurrency between connections).
  testDb = await openTestDatabase(migrationsDir("billing"));
  db = testDb.db;
  prisma = new PrismaClient({ adapter: db.adapter });
  reader = sqlReader(db);
  deps = { db: reader, log, transact: (fn) => db.transaction(fn), payments: paymentRepository };
});

afterAll(async () => {
  await prisma?.$disconnect();
  await testDb?.close();
});

const buyerId = "33333333-3333-4333-8333-333333333333";
const outbox = async (type: string) =>
  db.query<{ body: string }>(`SELECT body FROM messaging.outbox WHERE type = $1`, [type]);
const cancelled = (purchaseId: string) =>
  newEvent(
    "PurchaseCancelled",
    { purchaseId, vehicleId: crypto.randomUUID(), buyerId, reason: null, previousStatus: "PAID" },
    { producer: "purchase" },
  );
const abandoned = (purchaseId: string) =>
  newEvent(
    "PurchaseAbandoned",
    { purchaseId, vehicleId: crypto.randomUUID(), buyerId, reason: "billing timed out" },
    { producer: "purchase" },
  );
/** A handler in the consumer's raw transaction. */
const inTx = <T extends EventEnvelope>(fn: (tx: BillingTx, e: T) => Promise<void>, e: T) =>
  db.transaction((tx) => fn(tx, e));
/** A handler in a Prisma interactive transaction, as a dead-letter replay runs it. */
const inPrismaTx = <T extends EventEnvelope>(fn: (tx: BillingTx, e: T) => Promise<void>, e: T) =>
  prisma.$transaction((tx) => fn(tx, e));

describe("charge", () => {
  it("approves once, stores the payment with PaymentApproved, and replays it for the same purchaseId", async () => {
    const charge = makeChargePayment(deps, provider);
    const purchaseId = crypto.randomUUID();
    const first = await charge({ purchaseId, buyerId, amountKrw: 12_000_000 });
    expect(first.kind).toBe("approved");
    const again = await charge({ purchaseId, buyerId, amountKrw: 12_000_000 });
    expect(again).toEqual(first);
    expect(await prisma.payment.count({ where: { purchaseId } })).toBe(1);
    const events = (await outbox("PaymentApproved"))
      .map((r) => JSON.parse(r.body))
      .filter((e) => e.purchaseId === purchaseId);
    expect(events).toHaveLength(1);
    expect(events[0].payload).toMatchObject({ purchaseId, buyerId, amountKrw: 12_000_000 });
  });

  it("charges once under two concurrent requests with the same purchaseId", async () => {
    const charge = makeChargePayment(deps, provider);
    const purchaseId = crypto.randomUUID();
    const [a, b] = await Promise.all([
      charge({ purchaseId, buyerId, amountKrw: 9_000_000 }),
      charge({ purchaseId, buyerId, amountKrw: 9_000_000 }),
    ]);
    expect(a.kind).toBe("approved");
    expect(b).toEqual(a);
    expect(await prisma.payment.count({ where: { purchaseId } })).toBe(1);
  });

  it("refuses a reused purchaseId with another amount", async () => {
    const charge = makeChargePayment(deps, provider);
    const purchaseId = crypto.randomUUID();
    await charge({ purchaseId, buyerId, amountKrw: 1_000 });
    expect((await charge({ purchaseId, buyerId, amountKrw: 2_000 })).kind).toBe("conflict");
  });

  it("returns a decline without storing anything", async () => {
    const purchaseId = crypto.randomUUID();
    const r = await makeChargePayment(deps, provider)({ purchaseId, buyerId, amountKrw: 60_000_000 });
    expect(r.kind).toBe("declined");
    expect(await prisma.payment.count({ where: { purchaseId } })).toBe(0);
  });

  it("reports an unavailable provider without storing anything", async () => {
    const down = new SandboxPaymentProvider({
      latencyMs: 0,
      declineRate: 0,
      errorRate: 1,
      declineAboveKrw: null,
    });
    const purchaseId = crypto.randomUUID();
    expect((await makeChargePayment(deps, down)({ purchaseId, buyerId, amountKrw: 1_000 })).kind).toBe(
      "unavailable",
    );
    expect(await prisma.payment.count({ where: { purchaseId } })).toBe(0);
  });
});

describe("compensations", () => {
  it("refunds a cancelled purchase exactly once", async () => {
    const p = new SandboxPaymentProvider({
      latencyMs: 0,
      declineRate: 0,
      errorRate: 0,
      declineAboveKrw: null,
    });
    const purchaseId = crypto.randomUUID();
    const charged = await makeChargePayment(deps, p)({ purchaseId, buyerId, amountKrw: 5_000_000 });
    const e = cancelled(purchaseId);
    await inTx((tx, ev) => refundCancelledPurchase(tx, ev, deps), e);
    await inTx((tx, ev) => refundCancelledPurchase(tx, ev, deps), cancelled(purchaseId)); // a second cancel event changes nothing
    const pending = await paymentRepository.byPurchaseId(reader, purchaseId);
    expect(pending?.status).toBe("REFUND_PENDING");

    const settle = makeSettlePayment(deps, p);
    await Promise.all([settle(pending!), settle(pending!)]); // two replicas racing
    const done = await paymentRepository.byPurchaseId(reader, purchaseId);
    expect(done?.status).toBe("REFUNDED");
    expect(done?.refundedAt).toBeInstanceOf(Date);
    expect(p.refundCount).toBe(1);
    const refunds = (await outbox("PaymentRefunded"))
      .map((r) => JSON.parse(r.body))
      .filter((x) => x.purchaseId === purchaseId);
    expect(refunds).toHaveLength(1);
    expect(refunds[0].payload).toEqual({
      paymentId: charged.kind === "approved" ? charged.payment.id : "",
      purchaseId,
      buyerId,
      amountKrw: 5_000_000,
    });

    await inTx((tx, ev) => refundCancelledPurchase(tx, ev, deps), cancelled(purchaseId));
    expect((await paymentRepository.byPurchaseId(reader, purchaseId))?.status).toBe("REFUNDED");
  });

  it("keeps a refund pending while the provider is down", async () => {
    const purchaseId = crypto.randomUUID();
    await makeChargePayment(deps, provider)({ purchaseId, buyerId, amountKrw: 1_000 });
    await inTx((tx, ev) => refundCancelledPurchase(tx, ev, deps), cancelled(purchaseId));
    const pending = (await paymentRepository.byPurchaseId(reader, purchaseId))!;
    const down = new SandboxPaymentProvider({
      latencyMs: 0,
      declineRate: 0,
      errorRate: 1,
      declineAboveKrw: null,
    });
    await expect(makeSettlePayment(deps, down)(pending)).rejects.toThrow(/unavailable/);
    expect((await paymentRepository.byPurchaseId(reader, purchaseId))?.status).toBe("REFUND_PENDING");
  });

  it("voids an approved payment of an abandoned purchase", async () => {
    const purchaseId = crypto.randomUUID();
    await makeChargePayment(deps, provider)({ purchaseId, buyerId, amountKrw: 7_000 });
    await inTx((tx, ev) => voidAbandonedPurchase(tx, ev, deps), abandoned(purchaseId));
    const pending = (await paymentRepository.byPurchaseId(reader, purchaseId))!;
    expect(pending.status).toBe("VOID_PENDING");
    await makeSettlePayment(deps, provider)(pending);
    expect((await paymentRepository.byPurchaseId(reader, purchaseId))?.status).toBe("VOIDED");
    expect((await makeChargePayment(deps, provider)({ purchaseId, buyerId, amountKrw: 7_000 })).kind).toBe(
      "voided",
    );
  });

  it("leaves a tombstone for an abandoned purchase with no payment, so a late charge is refused", async () => {
    const purchaseId = crypto.randomUUID();
    await inTx((tx, ev) => voidAbandonedPurchase(tx, ev, deps), abandoned(purchaseId));
    const t = await paymentRepository.byPurchaseId(reader, purchaseId);
    expect(t).toMatchObject({ status: "VOIDED", amountKrw: 0, providerRef: null });
    const voided = (await outbox("PaymentVoided"))
      .map((r) => JSON.parse(r.body))
      .filter((x) => x.purchaseId === purchaseId);
    expect(voided.map((v) => v.payload.amountKrw)).toEqual([0]);
    expect((await makeChargePayment(deps, provider)({ purchaseId, buyerId, amountKrw: 7_000 })).kind).toBe(
      "voided",
    );
  });

  it("voids a charge that reached the provider after the tombstone was written", async () => {
    const purchaseId = crypto.randomUUID();
    const slow = new SandboxPaymentProvider({
      latencyMs: 150,
      declineRate: 0,
      errorRate: 0,
      declineAboveKrw: null,
    });
    const late = makeChargePayment(deps, slow)({ purchaseId, buyerId, amountKrw: 8_000 });
    await new Promise((r) => setTimeout(r, 30)); // the charge is at the provider now
    await inTx((tx, ev) => voidAbandonedPurchase(tx, ev, deps), abandoned(purchaseId));
    expect((await late).kind).toBe("voided");
    const caught = (await paymentRepository.byPurchaseId(reader, purchaseId))!;
    expect(caught).toMatchObject({ status: "VOID_PENDING", amountKrw: 8_000 });
    await makeSettlePayment(deps, slow)(caught);
    expect((await paymentRepository.byPurchaseId(reader, purchaseId))?.status).toBe("VOIDED");
    expect(slow.voidCount).toBe(1);
  });
});

describe("on a Prisma transaction (dead-letter replay)", () => {
  it("refunds and leaves tombstones there as well", async () => {
    const purchaseId = crypto.randomUUID();
    await makeChargePayment(deps, provider)({ purchaseId, buyerId, amountKrw: 3_000 });
    await inPrismaTx((tx, ev) => refundCancelledPurchase(tx, ev, deps), cancelled(purchaseId));
    expect((await prisma.payment.findUnique({ where: { purchaseId } }))?.status).toBe("REFUND_PENDING");
    const other = crypto.randomUUID();
    await inPrismaTx((tx, ev) => voidAbandonedPurchase(tx, ev, deps), abandoned(other));
    expect(await prisma.payment.findUnique({ where: { purchaseId: other } })).toMatchObject({
      status: "VOIDED",
      amountKrw: 0,
    });
    expect(
      (await outbox("PaymentVoided")).map((r) => JSON.parse(r.body)).filter((x) => x.purchaseId === other),
    ).toHaveLength(1);
  });
});

describe("plain-SQL storage", () => {
  it("stores timestamps as Prisma does (UTC wall time) and reads back exactly what was written", async () => {
    const purchaseId = crypto.randomUUID();
    const r = await makeChargePayment(deps, provider)({ purchaseId, buyerId, amountKrw: 4_000 });
    if (r.kind !== "approved") throw new Error(r.kind);
    expect((await prisma.payment.findUnique({ where: { purchaseId } }))?.createdAt.toISOString()).toBe(
      r.payment.createdAt.toISOString(),
    );
    expect(await paymentRepository.byPurchaseId(reader, purchaseId)).toEqual(r.payment);
    expect(await paymentRepository.byId(reader, r.payment.id.toUpperCase())).toEqual(r.payment);
  });

  it("pages in the same order as Prisma's cursor did", async () => {
    const all = await paymentRepository.latest(reader, 200);
    const viaPrisma = await prisma.payment.findMany({
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: 200,
    });
    expect(all.map((p) => p.id)).toEqual(viaPrisma.map((p) => p.id));
    const after = all[2]!.id;
    const page = await paymentRepository.latest(reader, 4, after);
    const prismaPage = await prisma.payment.findMany({
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: 4,
      cursor: { id: after },
      skip: 1,
    });
    expect(page.map((p) => p.id)).toEqual(prismaPage.map((p) => p.id));
  });
});

describe("payments list (staff)", () => {
  it("pages through every payment newest first, each exactly once, with `after`", async () => {
    const charge = makeChargePayment(deps, provider);
    for (let i = 0; i < 7; i++)
      expect(
        (await charge({ purchaseId: crypto.randomUUID(), buyerId, amountKrw: 1_000_000 + i })).kind,
      ).toBe("approved");
    const all = await paymentRepository.latest(reader, 200);
    const paged: string[] = [];
    for (let after: string | undefined; ; ) {
      const page = await paymentRepository.latest(reader, 3, after);
      paged.push(...page.map((p) => p.id));
      if (page.length < 3) break;
      after = page[page.length - 1]!.id;
    }
    expect(all.length).toBeGreaterThanOrEqual(7);
    expect(paged).toEqual(all.map((p) => p.id));
    for (let i = 1; i < all.length; i++)
      expect(all[i - 1]!.createdAt.getTime()).toBeGreaterThanOrEqual(all[i]!.createdAt.getTime());
  });
});
