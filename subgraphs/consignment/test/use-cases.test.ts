// Use cases against an in-memory repository that honours versions like the Prisma one does.
import { describe, expect, it } from "vitest";
import { newEvent, type EventEnvelope } from "@junggo/events";
import { DomainError, type Logger, type SqlTx, type Viewer } from "@junggo/runtime";
import type { Consignment } from "../src/domain/consignment.ts";
import type { ConsignmentDeps, ConsignmentRepository } from "../src/app/ports.ts";
import { makeAcceptConsignment } from "../src/app/accept-consignment.use-case.ts";
import { makePickUpConsignment } from "../src/app/pick-up-consignment.use-case.ts";
import { makeCompleteConsignment } from "../src/app/complete-consignment.use-case.ts";
import { makeRequestDelivery } from "../src/app/request-delivery.use-case.ts";
import { makeCancelDelivery } from "../src/app/cancel-delivery.use-case.ts";
import { makeConsignmentQueries } from "../src/app/consignments.query.ts";
import { makeEscalateOverdueConsignments } from "../src/app/escalate-overdue-consignments.use-case.ts";

interface FakeTx extends SqlTx {
  outbox: EventEnvelope[];
}

class MemoryRepo implements ConsignmentRepository<unknown> {
  rows = new Map<string, Consignment>();
  async findById(_db: unknown, id: string) {
    const c = this.rows.get(id);
    return c ? structuredClone(c) : null;
  }
  async findByPurchase(_db: unknown, purchaseId: string, kind: string) {
    const c = [...this.rows.values()].find((r) => r.purchaseId === purchaseId && r.kind === kind);
    return c ? structuredClone(c) : null;
  }
  async findBySellRequest(_db: unknown, sellRequestId: string, kind: string) {
    const c = [...this.rows.values()].find((r) => r.sellRequestId === sellRequestId && r.kind === kind);
    return c ? structuredClone(c) : null;
  }
  async insertIfAbsent(_db: unknown, c: Consignment) {
    const taken = (r: Consignment) =>
      r.kind === c.kind &&
      ((c.purchaseId !== null && r.purchaseId === c.purchaseId) ||
        (c.sellRequestId !== null && r.sellRequestId === c.sellRequestId));
    if ([...this.rows.values()].some(taken)) return false;
    this.rows.set(c.id, structuredClone(c));
    return true;
  }
  async update(_db: unknown, c: Consignment) {
    const stored = this.rows.get(c.id);
    if (!stored || stored.version !== c.version) return false;
    this.rows.set(c.id, { ...structuredClone(c), version: c.version + 1 });
    return true;
  }
  async listOpen(_db: unknown, first: number) {
    return [...this.rows.values()]
      .filter((r) => r.status === "REQUESTED")
      .sort((a, b) => +a.requestedAt! - +b.requestedAt!)
      .slice(0, first);
  }
  async listAwaitingEscalation(_db: unknown, cutoff: Date, max: number, first: number) {
    return (await this.listOpen(_db, 1000))
      .filter((r) => r.escalationCount < max && +(r.escalatedAt ?? r.requestedAt!) <= +cutoff)
      .slice(0, first);
  }
  async list(_db: unknown, f: { driverId?: string; customerId?: string }, first: number) {
    return [...this.rows.values()]
      .filter(
        (r) =>
          (!f.driverId || r.driverId === f.driverId) &&
          (!f.customerId || r.buyerId === f.customerId || r.sellerId === f.customerId),
      )
      .sort((a, b) => +b.requestedAt! - +a.requestedAt!)
      .slice(0, first);
  }
}

const PURCHASE = "22222222-2222-4222-8222-222222222222";
const BUYER = "44444444-4444-4444-8444-444444444444";
const driverA: Viewer = {
  id: "55555555-5555-4555-8555-555555555555",
  role: "DRIVER",
  name: "Kim",
  email: "driver@junggo.test",
};
const driverB: Viewer = {
  id: "66666666-6666-4666-8666-666666666666",
  role: "DRIVER",
  name: "Lee",
  email: "driver2@junggo.test",
};
const buyer: Viewer = { id: BUYER, role: "BUYER", name: "Park", email: "buyer@junggo.test" };
const NOW = new Date("2026-03-01T09:00:00.000Z");
const silent: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };

const paid = () =>
  newEvent(
    "PurchasePaid",
    {
      purchaseId: PURCHASE,
      vehicleId: "33333333-3333-4333-8333-333333333333",
      buyerId: BUYER,
      buyerName: "Park",
      priceKrw: 15_000_000,
      paymentId: "77777777-7777-4777-8777-777777777777",
      vehicle: { make: "Hyundai", model: "Avante", year: 2019 },
    },
    { producer: "purchase" },
  );
const purchaseCancelled = () =>
  newEvent(
    "PurchaseCancelled",
    {
      purchaseId: PURCHASE,
      vehicleId: "33333333-3333-4333-8333-333333333333",
      buyerId: BUYER,
      reason: null,
      previousStatus: "PAID",
    },
    { producer: "purchase" },
  );

function setup() {
  const repo = new MemoryRepo();
  const outbox: EventEnvelope[] = [];
  const tx: FakeTx = {
    outbox,
    // appendEvents writes (event_id, subject, type, body): keep the body.
    $executeRawUnsafe: async (_sql: string, ...values: unknown[]) => {
      outbox.push(JSON.parse(values[3] as string));
      return 1;
    },
    $queryRawUnsafe: async () => {
      throw new Error("not used");
    },
  };
  const deps: ConsignmentDeps<FakeTx> = {
    repo: repo as ConsignmentRepository<FakeTx>,
    transact: (fn) => fn(tx),
    clock: () => NOW,
    log: silent,
    etaMinutes: 45,
  };
  return {
    repo,
    outbox,
    tx,
    accept: makeAcceptConsignment(deps),
    pickUp: makePickUpConsignment(deps),
    complete: makeCompleteConsignment(deps),
    requestDelivery: makeRequestDelivery(deps),
    cancelDelivery: makeCancelDelivery(deps),
    queries: makeConsignmentQueries(repo, null),
    /** One sweeper pass at `now` (its own clock, like a second replica would have). */
    sweep: (timeoutMs: number, now: Date) =>
      makeEscalateOverdueConsignments({ ...deps, clock: () => now }, timeoutMs)(),
  };
}

async function code(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DomainError);
  return (err as DomainError).code;
}

describe("PurchasePaid → requestDelivery", () => {
  it("creates one REQUESTED job and ConsignmentRequested caused by the event", async () => {
    const s = setup();
    const e = paid();
    await s.requestDelivery(s.tx, e);
    const [job] = [...s.repo.rows.values()];
    expect(job).toMatchObject({
      purchaseId: PURCHASE,
      buyerId: BUYER,
      status: "REQUESTED",
      kind: "DELIVERY",
    });
    expect(s.outbox).toHaveLength(1);
    expect(s.outbox[0]).toMatchObject({
      type: "ConsignmentRequested",
      causationId: e.eventId,
      producer: "consignment",
      purchaseId: PURCHASE,
    });
  });

  it("a second PurchasePaid for the same purchase (new event id) creates nothing", async () => {
    const s = setup();
    await s.requestDelivery(s.tx, paid());
    await s.requestDelivery(s.tx, paid());
    expect(s.repo.rows.size).toBe(1);
    expect(s.outbox).toHaveLength(1);
  });
});

describe("driver commands", () => {
  async function openJob() {
    const s = setup();
    await s.requestDelivery(s.tx, paid());
    s.outbox.length = 0;
    return { ...s, id: [...s.repo.rows.keys()][0]! };
  }

  it("two drivers racing: exactly one wins, the other gets CONSIGNMENT_NOT_OPEN", async () => {
    const s = await openJob();
    const results = await Promise.allSettled([s.accept(driverA, s.id), s.accept(driverB, s.id)]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected"]);
    // Both read the open job before either wrote: the loser is stopped by the version check.
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({
      code: "CONSIGNMENT_NOT_OPEN",
      message: expect.stringMatching(/a moment ago/),
    });
    expect(s.repo.rows.get(s.id)).toMatchObject({ status: "ASSIGNED", driverId: driverA.id, version: 1 });
    expect(s.outbox.map((e) => e.type)).toEqual(["ConsignmentAssigned"]);
  });

  it("accept sets the ETA to acceptance + DELIVERY_ETA_MINUTES and the driver's name", async () => {
    const s = await openJob();
    const c = await s.accept(driverA, s.id);
    expect(c.eta?.toISOString()).toBe("2026-03-01T09:45:00.000Z");
    expect(s.outbox[0]!.payload).toMatchObject({
      driverId: driverA.id,
      driverName: "Kim",
      eta: "2026-03-01T09:45:00.000Z",
    });
  });

  it("the full run emits Assigned, PickedUp, Delivered in order", async () => {
    const s = await openJob();
    await s.accept(driverA, s.id);
    await s.pickUp(driverA, s.id);
    const done = await s.complete(driverA, s.id);
    expect(done.status).toBe("DELIVERED");
    expect(s.outbox.map((e) => e.type)).toEqual([
      "ConsignmentAssigned",
      "ConsignmentPickedUp",
      "ConsignmentDelivered",
    ]);
  });

  it("only drivers may act; other drivers are FORBIDDEN; unknown ids are CONSIGNMENT_NOT_FOUND", async () => {
    const s = await openJob();
    expect(await code(s.accept(buyer, s.id))).toBe("FORBIDDEN");
    expect(await code(s.accept(null, s.id))).toBe("UNAUTHENTICATED");
    await s.accept(driverA, s.id);
    expect(await code(s.pickUp(driverB, s.id))).toBe("FORBIDDEN");
    expect(await code(s.complete(driverA, s.id))).toBe("CONSIGNMENT_INVALID_STATE");
    expect(await code(s.pickUp(driverA, "99999999-9999-4999-8999-999999999999"))).toBe(
      "CONSIGNMENT_NOT_FOUND",
    );
    expect(s.outbox.map((e) => e.type)).toEqual(["ConsignmentAssigned"]);
  });
});

describe("PurchaseCancelled → cancelDelivery", () => {
  it("cancels a job on the road with returnToLot", async () => {
    const s = setup();
    await s.requestDelivery(s.tx, paid());
    const id = [...s.repo.rows.keys()][0]!;
    await s.accept(driverA, id);
    await s.pickUp(driverA, id);
    const e = purchaseCancelled();
    await s.cancelDelivery(s.tx, e);
    expect(s.repo.rows.get(id)).toMatchObject({ status: "CANCELLED", returnToLot: true });
    expect(s.outbox.at(-1)).toMatchObject({
      type: "ConsignmentCancelled",
      causationId: e.eventId,
      payload: { previousStatus: "PICKED_UP", returnToLot: true },
    });
  });

  it("ignores a delivered job and a job already cancelled", async () => {
    const s = setup();
    await s.requestDelivery(s.tx, paid());
    const id = [...s.repo.rows.keys()][0]!;
    await s.cancelDelivery(s.tx, purchaseCancelled());
    const before = s.outbox.length;
    await s.cancelDelivery(s.tx, purchaseCancelled());
    expect(s.outbox.length).toBe(before);
    expect(s.repo.rows.get(id)!.version).toBe(1);
  });

  it("cancelled before PurchasePaid was handled: a tombstone keeps the late PurchasePaid from opening a job", async () => {
    const s = setup();
    const cancelled = purchaseCancelled();
    await s.cancelDelivery(s.tx, cancelled);
    await s.requestDelivery(s.tx, paid());
    expect([...s.repo.rows.values()].map((r) => r.status)).toEqual(["CANCELLED"]);
    // Announced once (so the dashboard and the buyer hear of it); the late PurchasePaid adds nothing.
    expect(
      s.outbox.map((e) => [e.type, (e.payload as { previousStatus?: string }).previousStatus, e.causationId]),
    ).toEqual([["ConsignmentCancelled", "NONE", cancelled.eventId]]);
    expect(await s.queries.open(driverA, 10)).toEqual([]);
  });
});

describe("queries", () => {
  it("open jobs are for drivers and staff; single lookups hide what the viewer may not see", async () => {
    const s = setup();
    await s.requestDelivery(s.tx, paid());
    const id = [...s.repo.rows.keys()][0]!;
    expect(await code(s.queries.open(buyer, 10))).toBe("FORBIDDEN");
    expect(await s.queries.open(driverB, 10)).toHaveLength(1);
    await s.accept(driverA, id);
    expect(await s.queries.byId(driverB, id)).toBeNull();
    expect(await s.queries.byId(driverA, id)).toMatchObject({ id });
    expect(await s.queries.deliveryOf(buyer, PURCHASE)).toMatchObject({ id });
    expect(
      await s.queries.deliveryOf({ ...buyer, id: "bbbbbbbb-0000-4000-8000-000000000000" }, PURCHASE),
    ).toBeNull();
    expect(await s.queries.mine(driverA, 10)).toHaveLength(1);
    expect(await s.queries.mine(driverB, 10)).toHaveLength(0);
    expect(await s.queries.mine(buyer, 10)).toHaveLength(1);
  });
});

describe("dispatch sweeper → escalateOverdueConsignments", () => {
  const TIMEOUT = 15 * 60_000;
  const later = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);

  async function openJob() {
    const s = setup();
    await s.requestDelivery(s.tx, paid());
    s.outbox.length = 0;
    return { ...s, id: [...s.repo.rows.keys()][0]! };
  }

  it("escalates a job nobody accepted in time, keeps it open, and does nothing before the next timeout", async () => {
    const s = await openJob();
    expect(await s.sweep(TIMEOUT, later(14))).toBe(0);
    expect(await s.sweep(TIMEOUT, later(15))).toBe(1);
    expect(s.outbox).toHaveLength(1);
    expect(s.outbox[0]).toMatchObject({
      type: "ConsignmentEscalated",
      producer: "consignment",
      purchaseId: PURCHASE,
      causationId: null,
      payload: { consignmentId: s.id, buyerId: BUYER, escalation: 1, waitingSinceIso: NOW.toISOString() },
    });
    expect(s.repo.rows.get(s.id)).toMatchObject({
      status: "REQUESTED",
      escalationCount: 1,
      escalatedAt: later(15),
    });
    expect((await s.queries.open(driverA, 10)).map((c) => c.id)).toEqual([s.id]);
    expect(await s.sweep(TIMEOUT, later(29))).toBe(0);
    expect(await s.sweep(TIMEOUT, later(30))).toBe(1);
    expect(await s.sweep(TIMEOUT, later(45))).toBe(1);
    expect(await s.sweep(TIMEOUT, later(600))).toBe(0); // at most 3
    expect(s.outbox.map((e) => (e.payload as { escalation: number }).escalation)).toEqual([1, 2, 3]);
  });

  it("two replicas sweeping at once escalate a job once", async () => {
    const s = await openJob();
    const counts = await Promise.all([s.sweep(TIMEOUT, later(16)), s.sweep(TIMEOUT, later(16))]);
    expect(counts.sort()).toEqual([0, 1]);
    expect(s.outbox).toHaveLength(1);
    expect(s.repo.rows.get(s.id)!.escalationCount).toBe(1);
  });

  it("never escalates an accepted or cancelled job", async () => {
    const s = await openJob();
    await s.accept(driverA, s.id);
    const other = setup();
    await other.requestDelivery(other.tx, paid());
    await other.cancelDelivery(other.tx, purchaseCancelled());
    other.outbox.length = 0;
    s.outbox.length = 0;
    expect(await s.sweep(TIMEOUT, later(60))).toBe(0);
    expect(await other.sweep(TIMEOUT, later(60))).toBe(0);
    expect([...s.outbox, ...other.outbox]).toEqual([]);
  });
});
