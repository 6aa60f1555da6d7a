import { DELIVERY_JOB } from "@junggo/runtime/testing";
// The rebuild's fold, diff and use cases against in-memory ports; the real stream and databases
// are covered by rebuild.int.test.ts.
import { describe, expect, it } from "vitest";
import { newEvent, type EventEnvelope, type EventPayloads, type EventType } from "@junggo/events";
import { applyEvent, isProjected, type PurchaseView } from "../src/domain/purchase-view.ts";
import type { SaleView } from "../src/domain/sale-view.ts";
import { listedJourney, saleSaga } from "./support/sale-events.ts";
import {
  describeDifference,
  describeSaleDifference,
  diffViews,
  ProjectionReplay,
  type FoldedEvent,
} from "../src/domain/rebuild-projection.ts";
import {
  checkDashboard,
  rebuildDashboard,
  RebuildRefused,
  type DashboardStore,
  type EventStreamReader,
  type StreamSnapshot,
} from "../src/app/rebuild-dashboard.use-case.ts";

const P1 = "22222222-2222-4222-8222-222222222222";
const P2 = "66666666-6666-4666-8666-666666666666";
const VEHICLE = "33333333-3333-4333-8333-333333333333";
const BUYER = "44444444-4444-4444-8444-444444444444";
const DRIVER = "55555555-5555-4555-8555-555555555555";
const JOB = "11111111-1111-4111-8111-111111111111";
const RETURN_JOB = "88888888-8888-4888-8888-888888888888";
const PAYMENT = "77777777-7777-4777-8777-777777777777";
const T0 = Date.parse("2026-03-01T09:00:00.000Z");

let clock = 0;
const ev = <T extends EventType>(type: T, payload: EventPayloads[T]): EventEnvelope<T> =>
  newEvent(type, payload, { producer: "test", now: new Date(T0 + ++clock * 60_000) });
const ids = (purchaseId: string) => ({ purchaseId, buyerId: BUYER });
const paid = (p: string) =>
  ev("PurchasePaid", {
    ...ids(p),
    vehicleId: VEHICLE,
    buyerName: "Park",
    priceKrw: 15_500_000,
    paymentId: PAYMENT,
    vehicle: { make: "Hyundai", model: "Avante", year: 2019 },
  });

/** Two purchases: one delivered, one cancelled on the road (with its return pickup job), plus events the dashboard ignores. */
function history(): EventEnvelope[] {
  return [
    ev("VehicleReserved", { vehicleId: VEHICLE, purchaseId: P1 }),
    paid(P1),
    ev("PaymentApproved", { ...ids(P1), paymentId: PAYMENT, amountKrw: 15_500_000 }),
    paid(P2),
    ev("ConsignmentRequested", {
      ...ids(P1),
      ...DELIVERY_JOB,
      consignmentId: JOB,
      vehicleId: VEHICLE,
      kind: "DELIVERY",
    }),
    ev("ConsignmentAssigned", {
      ...ids(P1),
      ...DELIVERY_JOB,
      vehicleId: VEHICLE,
      consignmentId: JOB,
      driverId: DRIVER,
      driverName: "Kim Driver",
      eta: "2026-03-01T11:00:00.000Z",
    }),
    ev("ConsignmentPickedUp", {
      ...ids(P1),
      ...DELIVERY_JOB,
      consignmentId: JOB,
      vehicleId: VEHICLE,
      driverId: DRIVER,
    }),
    ev("PurchaseDeliveryStarted", { ...ids(P1), vehicleId: VEHICLE }),
    ev("ConsignmentDelivered", {
      ...ids(P1),
      ...DELIVERY_JOB,
      consignmentId: JOB,
      vehicleId: VEHICLE,
      driverId: DRIVER,
    }),
    ev("PurchaseDelivered", { ...ids(P1), vehicleId: VEHICLE }),
    ev("ConsignmentRequested", {
      ...ids(P2),
      ...DELIVERY_JOB,
      consignmentId: JOB,
      vehicleId: VEHICLE,
      kind: "DELIVERY",
    }),
    ev("ConsignmentAssigned", {
      ...ids(P2),
      ...DELIVERY_JOB,
      vehicleId: VEHICLE,
      consignmentId: JOB,
      driverId: DRIVER,
      driverName: "Kim Driver",
      eta: "2026-03-01T12:00:00.000Z",
    }),
    ev("ConsignmentPickedUp", {
      ...ids(P2),
      ...DELIVERY_JOB,
      consignmentId: JOB,
      vehicleId: VEHICLE,
      driverId: DRIVER,
    }),
    ev("PurchaseDeliveryStarted", { ...ids(P2), vehicleId: VEHICLE }),
    ev("PurchaseCancelled", { ...ids(P2), vehicleId: VEHICLE, reason: null, previousStatus: "DELIVERING" }),
    ev("ConsignmentCancelled", {
      ...ids(P2),
      ...DELIVERY_JOB,
      consignmentId: JOB,
      vehicleId: VEHICLE,
      previousStatus: "PICKED_UP",
      returnToLot: true,
    }),
    ev("ConsignmentRequested", {
      ...ids(P2),
      ...DELIVERY_JOB,
      consignmentId: RETURN_JOB,
      vehicleId: VEHICLE,
      kind: "RETURN_PICKUP",
    }),
    ev("PaymentRefunded", { ...ids(P2), paymentId: PAYMENT, amountKrw: 15_500_000 }),
    ev("VehicleReleased", { vehicleId: VEHICLE, purchaseId: P2 }),
  ];
}

/** The live consumer's path, minus the database: an inbox of event ids, applyEvent per event. */
function liveProjection(events: EventEnvelope[]): PurchaseView[] {
  const rows = new Map<string, PurchaseView>();
  const inbox = new Set<string>();
  for (const e of events) {
    if (inbox.has(e.eventId) || !isProjected(e)) continue;
    inbox.add(e.eventId);
    const next = applyEvent(rows.get(e.payload.purchaseId) ?? null, e);
    if (next) rows.set(next.purchaseId, next);
  }
  return [...rows.values()];
}

function replayOf(events: EventEnvelope[]) {
  const replay = new ProjectionReplay();
  const outcomes = events.map((e) => replay.fold(e));
  return { replay, outcomes };
}

describe("ProjectionReplay", () => {
  it("gives the rows the live consumer builds from the same events", () => {
    const events = history();
    const { replay } = replayOf(events);
    expect(replay.rows()).toEqual(
      liveProjection(events).sort((a, b) => a.purchaseId.localeCompare(b.purchaseId)),
    );
    expect(replay.rows().map((v) => [v.purchaseStatus, v.paymentStatus, v.consignmentStatus])).toEqual([
      ["DELIVERED", "APPROVED", "DELIVERED"],
      ["CANCELLED", "REFUNDED", "CANCELLED"],
    ]);
  });

  it("records every dashboard event once as processed, ignored ones included, and nothing else", () => {
    const events = history();
    const { replay, outcomes } = replayOf(events);
    const projected = events.filter((e) => !e.type.startsWith("Vehicle"));
    expect(projected).toHaveLength(events.length - 2);
    expect(replay.folded).toEqual(projected.map((e) => ({ eventId: e.eventId, type: e.type })));
    // The return pickup changes no row but the live consumer records it in its inbox too.
    expect(replay.folded.map((f) => f.type)).toContain("ConsignmentRequested");
    expect(outcomes.filter((o) => o === "not-projected")).toHaveLength(2);
  });

  it("folds a repeated copy of an event (same id) only once", () => {
    const events = history();
    const copy = events[5]!;
    const { replay, outcomes } = replayOf([...events, { ...copy }]);
    expect(outcomes.at(-1)).toBe("duplicate");
    expect(replay.folded.filter((f) => f.eventId === copy.eventId)).toHaveLength(1);
    expect(replay.rows()).toEqual(replayOf(events).replay.rows());
  });

  it("does not record an event the reducer refuses, and keeps going", () => {
    const broken = {
      ...paid(P1),
      payload: { ...paid(P1).payload, vehicle: undefined },
    } as unknown as EventEnvelope;
    const { replay, outcomes } = replayOf([broken, ...history()]);
    expect(outcomes[0]).toBe("failed");
    expect(replay.failures).toEqual([
      { eventId: broken.eventId, type: "PurchasePaid", error: expect.any(String) },
    ]);
    expect(replay.folded.map((f) => f.eventId)).not.toContain(broken.eventId);
    expect(replay.rows()).toHaveLength(2);
  });
});

describe("diffViews", () => {
  const rows = () => replayOf(history()).replay.rows();

  it("finds nothing between equal models, dates compared by instant", () => {
    const built = rows();
    const copy = built.map((v) => ({ ...v, updatedAt: new Date(v.updatedAt.getTime()) }));
    expect(diffViews(built, copy)).toEqual([]);
  });

  it("names the changed fields, the missing and the unexpected rows", () => {
    const [a, b] = rows();
    const changed = { ...a!, purchaseStatus: "PAID" as const, updatedAt: new Date(0) };
    const stranger = { ...b!, purchaseId: "99999999-9999-4999-8999-999999999999" };
    const diff = diffViews([a!, b!], [changed, stranger]);
    expect(diff).toEqual([
      {
        purchaseId: a!.purchaseId,
        kind: "changed",
        fields: [
          { field: "purchaseStatus", expected: "DELIVERED", actual: "PAID" },
          { field: "updatedAt", expected: a!.updatedAt, actual: new Date(0) },
        ],
      },
      { purchaseId: b!.purchaseId, kind: "missing", expected: b },
      { purchaseId: stranger.purchaseId, kind: "unexpected", actual: stranger },
    ]);
    expect(describeDifference(diff[0]!)).toBe(
      `purchase ${a!.purchaseId}: purchaseStatus is "PAID", events give "DELIVERED"; updatedAt is 1970-01-01T00:00:00.000Z, events give ${a!.updatedAt.toISOString()}`,
    );
  });
});

class MemoryStream implements EventStreamReader {
  constructor(
    private readonly events: EventEnvelope[],
    private readonly state: Partial<StreamSnapshot> = {},
  ) {}
  async snapshot(): Promise<StreamSnapshot> {
    const n = this.events.length;
    return { firstSeq: n ? 1 : 0, lastSeq: n, messages: n, deleted: 0, ...this.state };
  }
  async *read(lastSeq: number) {
    for (const [i, event] of this.events.entries()) if (i + 1 <= lastSeq) yield { seq: i + 1, event };
  }
}

class MemoryStore implements DashboardStore {
  replaced: { views: PurchaseView[]; processed: FoldedEvent[]; sales: SaleView[] } | null = null;
  constructor(
    public views: PurchaseView[] = [],
    public processed = new Set<string>(),
    public sales: SaleView[] = [],
  ) {}
  async countRows() {
    return this.views.length + this.sales.length;
  }
  async load() {
    return { views: this.views, sales: this.sales, processed: this.processed };
  }
  async replace(views: PurchaseView[], processed: FoldedEvent[], sales: SaleView[]) {
    const removed = {
      rowsRemoved: this.views.length + this.sales.length,
      recordsRemoved: this.processed.size,
    };
    this.replaced = { views, processed, sales };
    this.views = views;
    this.sales = sales;
    this.processed = new Set(processed.map((p) => p.eventId));
    return removed;
  }
}

describe("rebuildDashboard and checkDashboard", () => {
  it("replaces rows and processed records with the fold, then the check finds nothing", async () => {
    const events = history();
    const stale = { ...replayOf(events).replay.rows()[0]!, purchaseStatus: "PAID" as const };
    const store = new MemoryStore([stale], new Set(["old-event"]));
    const report = await rebuildDashboard({ reader: new MemoryStream(events), store });
    expect(report).toMatchObject({
      lastSeq: events.length,
      eventsRead: events.length,
      eventsApplied: events.length - 2,
      duplicates: 0,
      rowsWritten: 2,
      rowsRemoved: 1,
      recordsRemoved: 1,
    });
    expect(store.replaced?.processed).toEqual(
      events.filter(isProjected).map((e) => ({ eventId: e.eventId, type: e.type })),
    );
    const check = await checkDashboard({ reader: new MemoryStream(events), store });
    expect(check).toMatchObject({ differences: [], unprocessed: 0, rowsRebuilt: 2, rowsInDatabase: 2 });
  });

  it("covers the sale rows: rebuilt from sell-request events, a corrupted one found by the check", async () => {
    const s1 = saleSaga("12121212-1212-4212-8212-121212121212");
    const s2 = saleSaga("13131313-1313-4313-8313-131313131313");
    const events = [
      ...history(),
      ...listedJourney(s1),
      s2.submitted,
      s2.rejected,
      s1.cancelled,
      s1.payoutReversed,
      s1.returnRequested, // a SELLER_RETURN job: no row of its own, not the pickup
    ];
    const store = new MemoryStore();
    const report = await rebuildDashboard({ reader: new MemoryStream(events), store });
    expect(report).toMatchObject({ rowsWritten: 2, salesWritten: 2, eventsApplied: events.length - 3 });
    expect(store.sales.map((v) => [v.sellRequestId, v.status, v.payoutStatus, v.pickupStatus])).toEqual([
      [s1.sellRequestId, "CANCELLED", "REVERSED", "DELIVERED"],
      [s2.sellRequestId, "REJECTED", null, null],
    ]);
    const clean = await checkDashboard({ reader: new MemoryStream(events), store });
    expect(clean).toMatchObject({
      differences: [],
      saleDifferences: [],
      salesRebuilt: 2,
      salesInDatabase: 2,
    });

    store.sales = [{ ...store.sales[0]!, status: "LISTED" }];
    const check = await checkDashboard({ reader: new MemoryStream(events), store });
    expect(check.saleDifferences).toEqual([
      {
        sellRequestId: s1.sellRequestId,
        kind: "changed",
        fields: [{ field: "status", expected: "CANCELLED", actual: "LISTED" }],
      },
      {
        sellRequestId: s2.sellRequestId,
        kind: "missing",
        expected: expect.objectContaining({ status: "REJECTED" }),
      },
    ]);
    expect(check.saleDifferences.map(describeSaleDifference)).toEqual([
      `sell request ${s1.sellRequestId}: status is "LISTED", events give "CANCELLED"`,
      `sell request ${s2.sellRequestId}: missing from the database (events give REJECTED)`,
    ]);
  });

  it("check reports a corrupted row and events the database has not processed", async () => {
    const events = history();
    const rows = replayOf(events).replay.rows();
    const store = new MemoryStore(
      [{ ...rows[0]!, driverName: "Someone Else" }, rows[1]!],
      new Set(events.slice(0, 5).map((e) => e.eventId)),
    );
    const check = await checkDashboard({ reader: new MemoryStream(events), store });
    expect(check.differences).toEqual([
      {
        purchaseId: rows[0]!.purchaseId,
        kind: "changed",
        fields: [{ field: "driverName", expected: "Kim Driver", actual: "Someone Else" }],
      },
    ]);
    expect(check.unprocessed).toBe(events.length - 2 - 4); // of the first five events, one is a VehicleReserved
    expect(store.replaced).toBeNull();
  });

  it("refuses when the stream lost its beginning or has holes, writing nothing", async () => {
    for (const state of [{ firstSeq: 3 }, { deleted: 1 }]) {
      const store = new MemoryStore();
      await expect(rebuildDashboard({ reader: new MemoryStream(history(), state), store })).rejects.toThrow(
        RebuildRefused,
      );
      expect(store.replaced).toBeNull();
    }
  });

  it("refuses to empty a dashboard from an empty stream (wrong NATS server), but rebuilds an empty one", async () => {
    const full = new MemoryStore(replayOf(history()).replay.rows());
    await expect(rebuildDashboard({ reader: new MemoryStream([]), store: full })).rejects.toThrow(
      /event stream is empty but the dashboard holds 2 rows/,
    );
    expect(full.replaced).toBeNull();
    const empty = new MemoryStore();
    expect(await rebuildDashboard({ reader: new MemoryStream([]), store: empty })).toMatchObject({
      eventsRead: 0,
      rowsWritten: 0,
    });
  });
});
