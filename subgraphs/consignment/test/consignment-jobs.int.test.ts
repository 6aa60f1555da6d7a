// The consignment context's consumers for every kind of job against a real (PGlite or PostgreSQL)
// database with its migrations: events are fed through the handler map inside the inbox step the
// consumer runs (handleOnce), in plain SQL on the driver as in the service; driver commands and
// reads go through the Prisma client as in the service.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EventEnvelope, EventPayloads } from "@junggo/events";
import { PrismaClient, type Prisma } from "@junggo/prisma/consignment";
import type { Logger, Viewer } from "@junggo/runtime";
import {
  type ConsumerHarness,
  consumerHarness,
  DELIVERY_JOB,
  refusalOfAsync,
  testEvent as ev,
} from "@junggo/runtime/testing";
import { prismaConsignmentRepository as repo } from "../src/adapters/consignment.repository.ts";
import { consignmentHandlers } from "../src/adapters/event.handlers.ts";
import { makeAcceptConsignment } from "../src/app/accept-consignment.use-case.ts";
import { makeCancelDelivery } from "../src/app/cancel-delivery.use-case.ts";
import { makeCancelSaleJobs } from "../src/app/cancel-sale-jobs.use-case.ts";
import { makeCompleteConsignment } from "../src/app/complete-consignment.use-case.ts";
import { makeConsignmentQueries } from "../src/app/consignments.query.ts";
import { makeEscalateOverdueConsignments } from "../src/app/escalate-overdue-consignments.use-case.ts";
import { makeRequestReturnPickup, makeRequestSellerPickup } from "../src/app/open-job.use-case.ts";
import { makePickUpConsignment } from "../src/app/pick-up-consignment.use-case.ts";
import type { ConsignmentDeps } from "../src/app/ports.ts";
import { makeRequestDelivery } from "../src/app/request-delivery.use-case.ts";

type Tx = Prisma.TransactionClient;
const silent: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };
let tdb: ConsumerHarness<Tx, PrismaClient>;
let prisma: PrismaClient;
let deps: ConsignmentDeps<Tx>;
let queries: ReturnType<typeof makeConsignmentQueries<Tx>>;
let now = new Date("2026-12-03T10:00:00.000Z");

beforeAll(async () => {
  tdb = await consumerHarness({
    context: "consignment",
    client: (db) => new PrismaClient({ adapter: db.adapter }),
    handlers: ({ client }) => {
      deps = {
        repo,
        transact: (fn) => client.$transaction(fn),
        clock: () => now,
        log: silent,
        etaMinutes: 90,
      };
      return consignmentHandlers<Tx>({
        requestDelivery: makeRequestDelivery(deps),
        cancelDelivery: makeCancelDelivery(deps),
        requestReturnPickup: makeRequestReturnPickup(deps),
        requestSellerPickup: makeRequestSellerPickup(deps),
        cancelSaleJobs: makeCancelSaleJobs(deps),
      });
    },
  });
  prisma = tdb.client;
  queries = makeConsignmentQueries(repo, prisma as unknown as Tx);
}, 120_000);

afterAll(async () => {
  await tdb?.close();
});

/** One delivery as the consumer runs it: the inbox row and the handler's effects in one plain-SQL transaction. */
const deliver = (e: EventEnvelope) => tdb.deliver(e);
const person = (role: Viewer["role"]): Viewer => ({
  id: randomUUID(),
  role,
  name: role,
  email: "x@junggo.test",
});
const staff = person("STAFF");
const driver = person("DRIVER");
const jobsOf = (where: Prisma.ConsignmentWhereInput) =>
  prisma.consignment.findMany({ where, orderBy: { requestedAt: { sort: "asc", nulls: "first" } } });
type ConsignmentEnvelope = EventEnvelope & { payload: { consignmentId: string; kind: string } };
const outboxFor = async (consignmentIds: string[]) =>
  (await tdb.db.query<{ body: string }>(`SELECT body FROM messaging.outbox ORDER BY seq`, []))
    .map((r) => JSON.parse(r.body) as ConsignmentEnvelope)
    .filter((e) => consignmentIds.includes(e.payload.consignmentId));

function sale() {
  const sellRequestId = randomUUID();
  const seller = person("SELLER");
  const vehicleId = randomUUID();
  const accepted = ev("SellRequestAccepted", {
    sellRequestId,
    sellerId: seller.id,
    offerKrw: 12_000_000,
    vehicleId,
    listPriceKrw: 14_500_000,
    vin: "KMHD341CBKU123456",
    make: "Hyundai",
    model: "Avante",
    year: 2019,
    mileageKm: 52_000,
    vehicleName: "2019 Hyundai Avante",
    decidedBy: staff.id,
  });
  const cancelled = (
    over: Partial<EventPayloads["SellRequestCancelled"]> = {},
  ): EventEnvelope<"SellRequestCancelled"> =>
    ev("SellRequestCancelled", {
      sellRequestId,
      sellerId: seller.id,
      reason: "changed my mind",
      previousStatus: "ACCEPTED",
      reversePayout: true,
      cancelPickup: true,
      returnVehicleId: null,
      vehicleId,
      ...over,
    });
  const owner = { sellRequestId, sellerId: seller.id, purchaseId: null, buyerId: null };
  return { sellRequestId, seller, vehicleId, accepted, cancelled, owner };
}

const drive = async (id: string, steps: ("accept" | "pickUp" | "complete")[]) => {
  const run = {
    accept: makeAcceptConsignment(deps),
    pickUp: makePickUpConsignment(deps),
    complete: makeCompleteConsignment(deps),
  };
  let last = null;
  for (const s of steps) last = await run[s](driver, id);
  return last!;
};

describe("SellRequestAccepted → a SELLER_PICKUP job", () => {
  it("opens one job for the seller's car, announced once, whatever the redeliveries", async () => {
    const s = sale();
    expect(await deliver(s.accepted)).toBe("handled");
    expect(await deliver(s.accepted)).toBe("duplicate"); // redelivered after a lost ack: the inbox stops it
    // The same acceptance published again under a new event id: the (sell request, kind) key stops it.
    expect(await deliver({ ...s.accepted, eventId: randomUUID() })).toBe("handled");
    const jobs = await jobsOf({ sellRequestId: s.sellRequestId });
    expect(jobs).toMatchObject([
      { ...s.owner, kind: "SELLER_PICKUP", status: "REQUESTED", vehicleId: s.vehicleId, requestedAt: now },
    ]);
    expect((await outboxFor([jobs[0]!.id])).map((e) => [e.type, e.payload, e.causationId])).toEqual([
      [
        "ConsignmentRequested",
        { ...s.owner, kind: "SELLER_PICKUP", consignmentId: jobs[0]!.id, vehicleId: s.vehicleId },
        s.accepted.eventId,
      ],
    ]);
  });

  it("drivers see it with the purchase jobs, run it to DELIVERED; its seller sees it as SellRequest.pickup", async () => {
    const s = sale();
    await deliver(s.accepted);
    const [job] = await jobsOf({ sellRequestId: s.sellRequestId });
    expect((await queries.open(driver, 500)).map((c) => c.id)).toContain(job!.id);
    expect(await queries.pickupOf(s.seller, s.sellRequestId)).toMatchObject({ id: job!.id });
    expect(await queries.pickupOf(person("SELLER"), s.sellRequestId)).toBeNull();
    expect(await queries.pickupOf(person("BUYER"), s.sellRequestId)).toBeNull();
    expect(await queries.pickupOf(staff, s.sellRequestId)).toMatchObject({ id: job!.id });
    expect(await drive(job!.id, ["accept", "pickUp", "complete"])).toMatchObject({
      status: "DELIVERED",
      driverId: driver.id,
    });
    expect(await queries.pickupOf(driver, s.sellRequestId)).toMatchObject({ status: "DELIVERED" });
    expect(await queries.pickupOf(person("DRIVER"), s.sellRequestId)).toBeNull(); // another driver, job taken
    expect((await queries.mine(s.seller, 10)).map((c) => c.id)).toEqual([job!.id]);
    expect((await outboxFor([job!.id])).map((e) => [e.type, e.payload.kind, e.sellRequestId])).toEqual([
      ["ConsignmentRequested", "SELLER_PICKUP", s.sellRequestId],
      ["ConsignmentAssigned", "SELLER_PICKUP", s.sellRequestId],
      ["ConsignmentPickedUp", "SELLER_PICKUP", s.sellRequestId],
      ["ConsignmentDelivered", "SELLER_PICKUP", s.sellRequestId],
    ]);
  });

  it("is escalated like every job when no driver takes it", async () => {
    const s = sale();
    await deliver(s.accepted);
    const [job] = await jobsOf({ sellRequestId: s.sellRequestId });
    const sweep = makeEscalateOverdueConsignments(deps, 15 * 60_000);
    const saved = now;
    now = new Date(saved.getTime() + 16 * 60_000);
    try {
      expect(await sweep(500)).toBeGreaterThanOrEqual(1);
    } finally {
      now = saved;
    }
    expect(await prisma.consignment.findUnique({ where: { id: job!.id } })).toMatchObject({
      status: "REQUESTED",
      escalationCount: 1,
    });
    expect((await outboxFor([job!.id])).at(-1)).toMatchObject({
      type: "ConsignmentEscalated",
      payload: { ...s.owner, kind: "SELLER_PICKUP", escalation: 1 },
    });
  });
});

describe("SellRequestCancelled with cancelPickup", () => {
  it("cancels a REQUESTED or ASSIGNED pickup, once", async () => {
    for (const steps of [[], ["accept"]] as const) {
      const s = sale();
      await deliver(s.accepted);
      const [job] = await jobsOf({ sellRequestId: s.sellRequestId });
      if (steps.length) await drive(job!.id, [...steps]);
      const cancelled = s.cancelled();
      expect(await deliver(cancelled)).toBe("handled");
      expect(await deliver(cancelled)).toBe("duplicate");
      expect(await jobsOf({ sellRequestId: s.sellRequestId })).toMatchObject([
        { id: job!.id, kind: "SELLER_PICKUP", status: "CANCELLED", returnToLot: false, cancelledAt: now },
      ]);
      const out = (await outboxFor([job!.id])).filter((e) => e.type === "ConsignmentCancelled");
      expect(out).toMatchObject([
        {
          causationId: cancelled.eventId,
          payload: {
            ...s.owner,
            previousStatus: steps.length ? "ASSIGNED" : "REQUESTED",
            returnToLot: false,
          },
        },
      ]);
      // The driver can no longer move it.
      expect((await refusalOfAsync(() => drive(job!.id, ["accept"]))).code).toBe("CONSIGNMENT_NOT_OPEN");
    }
  });

  it("racing a pickup: cancels the PICKED_UP job and opens one SELLER_RETURN back to the seller", async () => {
    const s = sale();
    await deliver(s.accepted);
    const [pickup] = await jobsOf({ sellRequestId: s.sellRequestId });
    await drive(pickup!.id, ["accept", "pickUp"]);
    const cancelled = s.cancelled();
    expect(await deliver(cancelled)).toBe("handled");
    expect(await deliver(cancelled)).toBe("duplicate");
    const jobs = await jobsOf({ sellRequestId: s.sellRequestId });
    expect(jobs).toHaveLength(2);
    const back = jobs.find((j) => j.kind === "SELLER_RETURN")!;
    expect(jobs.find((j) => j.kind === "SELLER_PICKUP")).toMatchObject({
      status: "CANCELLED",
      returnToLot: false,
    });
    expect(back).toMatchObject({ ...s.owner, status: "REQUESTED", vehicleId: s.vehicleId, driverId: null });
    expect(
      (await outboxFor([pickup!.id, back.id]))
        .filter((e) => e.causationId === cancelled.eventId)
        .map((e) => [e.type, e.payload.kind]),
    ).toEqual([
      ["ConsignmentCancelled", "SELLER_PICKUP"],
      ["ConsignmentRequested", "SELLER_RETURN"],
    ]);
    // The return runs like any job.
    expect(await drive(back.id, ["accept", "pickUp", "complete"])).toMatchObject({ status: "DELIVERED" });
  });

  it("before the pickup job exists: a CANCELLED tombstone, so the late SellRequestAccepted opens nothing", async () => {
    const s = sale();
    const cancelled = s.cancelled();
    expect(await deliver(cancelled)).toBe("handled");
    expect(await deliver(cancelled)).toBe("duplicate");
    expect(await deliver(s.accepted)).toBe("handled");
    const jobs = await jobsOf({ sellRequestId: s.sellRequestId });
    expect(jobs).toMatchObject([
      { ...s.owner, kind: "SELLER_PICKUP", status: "CANCELLED", requestedAt: null, vehicleId: s.vehicleId },
    ]);
    expect((await outboxFor([jobs[0]!.id])).map((e) => [e.type, e.payload])).toEqual([
      [
        "ConsignmentCancelled",
        {
          ...s.owner,
          kind: "SELLER_PICKUP",
          consignmentId: jobs[0]!.id,
          vehicleId: s.vehicleId,
          previousStatus: "NONE",
          returnToLot: false,
        },
      ],
    ]);
    expect((await queries.open(driver, 500)).some((c) => c.sellRequestId === s.sellRequestId)).toBe(false);
  });

  it("before the pickup job exists and without the car in the event: nothing written, retried later", async () => {
    const s = sale();
    const cancelled = s.cancelled({ vehicleId: undefined });
    await expect(deliver(cancelled)).rejects.toThrow(/retrying once SellRequestAccepted is handled/);
    expect(await jobsOf({ sellRequestId: s.sellRequestId })).toEqual([]);
    // The retry after the acceptance was handled cancels the job (the inbox row was rolled back too).
    await deliver(s.accepted);
    expect(await deliver(cancelled)).toBe("handled");
    expect(await jobsOf({ sellRequestId: s.sellRequestId })).toMatchObject([{ status: "CANCELLED" }]);
  });

  it("a delivered pickup is left alone", async () => {
    const s = sale();
    await deliver(s.accepted);
    const [job] = await jobsOf({ sellRequestId: s.sellRequestId });
    await drive(job!.id, ["accept", "pickUp", "complete"]);
    expect(await deliver(s.cancelled())).toBe("handled");
    expect(await jobsOf({ sellRequestId: s.sellRequestId })).toMatchObject([{ status: "DELIVERED" }]);
  });
});

describe("SellRequestCancelled with returnVehicleId → a SELLER_RETURN job", () => {
  it("opens one job bringing the withdrawn car back to its seller; PENDING cancellations open nothing", async () => {
    const s = sale();
    await deliver(s.accepted);
    const [pickup] = await jobsOf({ sellRequestId: s.sellRequestId });
    await drive(pickup!.id, ["accept", "pickUp", "complete"]);
    const cancelled = s.cancelled({
      previousStatus: "LISTED",
      cancelPickup: false,
      returnVehicleId: s.vehicleId,
    });
    expect(await deliver(cancelled)).toBe("handled");
    expect(await deliver(cancelled)).toBe("duplicate");
    expect(await deliver({ ...cancelled, eventId: randomUUID() })).toBe("handled");
    const back = (await jobsOf({ sellRequestId: s.sellRequestId })).filter((j) => j.kind === "SELLER_RETURN");
    expect(back).toMatchObject([{ ...s.owner, status: "REQUESTED", vehicleId: s.vehicleId }]);
    expect((await outboxFor([back[0]!.id])).map((e) => [e.type, e.causationId])).toEqual([
      ["ConsignmentRequested", cancelled.eventId],
    ]);
    expect(await queries.byId(s.seller, back[0]!.id)).toMatchObject({ kind: "SELLER_RETURN" });

    const pending = sale();
    await deliver(
      pending.cancelled({
        previousStatus: "PENDING",
        reversePayout: false,
        cancelPickup: false,
        vehicleId: null,
      }),
    );
    expect(await jobsOf({ sellRequestId: pending.sellRequestId })).toEqual([]);
  });
});

describe("PurchaseReturnRequested → a RETURN_PICKUP job", () => {
  it("opens one job at the buyer beside the purchase's delivery; PurchaseCancelled still concerns only the delivery", async () => {
    const purchaseId = randomUUID();
    const buyer = person("BUYER");
    const vehicleId = randomUUID();
    await deliver(
      ev("PurchasePaid", {
        purchaseId,
        vehicleId,
        buyerId: buyer.id,
        buyerName: "Kim",
        priceKrw: 15_000_000,
        paymentId: randomUUID(),
        vehicle: { make: "Kia", model: "K5", year: 2020 },
      }),
    );
    const [delivery] = await jobsOf({ purchaseId, kind: "DELIVERY" });
    await drive(delivery!.id, ["accept", "pickUp", "complete"]);
    const requested = ev("PurchaseReturnRequested", {
      purchaseId,
      vehicleId,
      buyerId: buyer.id,
      reason: "Not as described",
      paymentId: randomUUID(),
      priceKrw: 15_000_000,
    });
    expect(await deliver(requested)).toBe("handled");
    expect(await deliver(requested)).toBe("duplicate");
    expect(await deliver({ ...requested, eventId: randomUUID() })).toBe("handled");
    const [pickup] = await jobsOf({ purchaseId, kind: "RETURN_PICKUP" });
    expect(await jobsOf({ purchaseId, kind: "RETURN_PICKUP" })).toHaveLength(1);
    expect(pickup).toMatchObject({
      purchaseId,
      buyerId: buyer.id,
      vehicleId,
      sellRequestId: null,
      sellerId: null,
      status: "REQUESTED",
    });
    expect((await outboxFor([pickup!.id])).map((e) => [e.type, e.payload, e.purchaseId])).toEqual([
      [
        "ConsignmentRequested",
        {
          ...DELIVERY_JOB,
          kind: "RETURN_PICKUP",
          consignmentId: pickup!.id,
          purchaseId,
          buyerId: buyer.id,
          vehicleId,
        },
        purchaseId,
      ],
    ]);
    // The buyer sees both jobs of the purchase; Purchase.consignment stays the delivery.
    expect((await queries.mine(buyer, 10)).map((c) => c.kind).sort()).toEqual(["DELIVERY", "RETURN_PICKUP"]);
    expect(await queries.deliveryOf(buyer, purchaseId)).toMatchObject({ id: delivery!.id });
    await deliver(
      ev("PurchaseCancelled", {
        purchaseId,
        vehicleId,
        buyerId: buyer.id,
        reason: null,
        previousStatus: "PAID",
      }),
    );
    expect(await drive(pickup!.id, ["accept", "pickUp", "complete"])).toMatchObject({
      kind: "RETURN_PICKUP",
      status: "DELIVERED",
    });
  });
});
