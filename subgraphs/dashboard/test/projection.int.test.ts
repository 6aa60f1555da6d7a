// The dashboard's handler map against a real (PGlite or PostgreSQL) database, in raw transactions
// as the consumer runs it: the SaleView (mySales) and the return columns of the PurchaseView,
// folded from events in any order, redeliveries changing nothing; the rebuild store writes and
// reads the sale rows.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newEvent, type EventEnvelope } from "@junggo/events";
import { PrismaClient, type Prisma } from "@junggo/prisma/dashboard";
import { createLogger, type Viewer } from "@junggo/runtime";
import { type ConsumerHarness, consumerHarness, DELIVERY_JOB } from "@junggo/runtime/testing";
import { makeProjectEvent } from "../src/app/project-event.use-case.ts";
import { makeDashboardQueries } from "../src/app/dashboard.query.ts";
import { dashboardHandlers } from "../src/adapters/event.handlers.ts";
import { prismaPurchaseViewRepository } from "../src/adapters/purchase-view.repository.ts";
import { prismaSaleViewRepository } from "../src/adapters/sale-view.repository.ts";
import { prismaDashboardStore } from "../src/adapters/rebuild-dashboard.store.ts";
import { applySaleEvent, type SaleView } from "../src/domain/sale-view.ts";
import { listedJourney, saleSaga, SELLER } from "./support/sale-events.ts";

type Tx = Prisma.TransactionClient;
const log = createLogger("dashboard-test");

let tdb: ConsumerHarness<Tx, PrismaClient>;
let prisma: PrismaClient;
const handlers = dashboardHandlers<Tx>(
  makeProjectEvent<Tx>({ repo: prismaPurchaseViewRepository, sales: prismaSaleViewRepository, log }),
);
const queries = () => makeDashboardQueries(prismaPurchaseViewRepository, prismaSaleViewRepository, prisma);

/** One event through its handler in a raw transaction, as the live consumer runs it. */
async function deliver(e: EventEnvelope): Promise<void> {
  await tdb.apply(e);
}
const versionOf = async (sellRequestId: string) =>
  (await prisma.saleView.findUniqueOrThrow({ where: { sellRequestId } })).version;

const viewer = (id: string, role: Viewer["role"]): Viewer => ({ id, role, name: role, email: `${id}@t` });

beforeAll(async () => {
  tdb = await consumerHarness({
    context: "dashboard",
    client: (db) => new PrismaClient({ adapter: db.adapter }),
    handlers,
  });
  prisma = tdb.client;
});
afterAll(async () => {
  await tdb?.close();
});

describe("mySales from events", () => {
  const s = saleSaga(crypto.randomUUID());
  const events = [...listedJourney(s), s.cancelled, s.payoutReversed, s.returnRequested, s.returnDelivered];

  it("folds a sell request's events, shuffled across producers, into the row the saga gives", async () => {
    // Each producer's events in order, producers interleaved badly: billing and consignment first.
    const shuffled = [
      s.payoutReversed,
      s.pickupDelivered,
      s.returnDelivered,
      s.payoutPaid,
      s.pickupAssigned,
      s.listed,
      s.submitted,
      s.pickupRequested,
      s.returnRequested,
      s.pickupPickedUp,
      s.accepted,
      s.pickedUp,
      s.inspection,
      s.cancelled,
    ];
    expect(shuffled).toHaveLength(events.length);
    for (const e of shuffled) await deliver(e);
    const expected = events.reduce<SaleView | null>(applySaleEvent, null)!;
    const stored = await prismaSaleViewRepository.find(prisma, s.sellRequestId);
    expect(stored!.view).toEqual(expected);
    expect(stored!.view).toMatchObject({
      sellerId: SELLER,
      vehicleName: "2019 Hyundai Avante",
      offerKrw: 12_400_000,
      status: "CANCELLED",
      payoutStatus: "REVERSED",
      pickupStatus: "DELIVERED",
      pickupConsignmentId: s.pickupJob,
    });
  });

  it("a redelivered event is applied once: the row is not written again", async () => {
    const before = await versionOf(s.sellRequestId);
    for (const e of [s.accepted, s.payoutPaid, s.pickupAssigned, s.listed]) await deliver(e);
    expect(await versionOf(s.sellRequestId)).toBe(before);
  });

  it("answers the seller with their own rows, staff with all, a buyer with none", async () => {
    const other = saleSaga(crypto.randomUUID(), { sellerId: crypto.randomUUID() });
    await deliver(other.submitted);
    await deliver(other.rejected);
    const q = queries();
    expect((await q.mySales(viewer(SELLER, "SELLER"), 50)).map((v) => [v.sellRequestId, v.status])).toEqual([
      [s.sellRequestId, "CANCELLED"],
    ]);
    expect((await q.mySales(viewer(other.sellerId, "SELLER"), 50)).map((v) => v.status)).toEqual([
      "REJECTED",
    ]);
    expect(
      (await q.mySales(viewer(crypto.randomUUID(), "STAFF"), 50)).map((v) => v.sellRequestId).sort(),
    ).toEqual([s.sellRequestId, other.sellRequestId].sort());
    expect(await q.mySales(viewer(crypto.randomUUID(), "BUYER"), 50)).toEqual([]);
    // A row whose car and offer are not known yet is not shown.
    const early = saleSaga(crypto.randomUUID());
    await deliver(early.payoutPaid);
    expect((await q.mySales(viewer(SELLER, "SELLER"), 50)).map((v) => v.sellRequestId)).toEqual([
      s.sellRequestId,
    ]);
  });

  it("the rebuild store writes and reads the sale rows with the purchase rows", async () => {
    const store = prismaDashboardStore(prisma);
    const loaded = await store.load();
    expect(loaded.sales.length).toBe(3);
    const rows = await store.countRows();
    const removed = await store.replace(loaded.views, [], loaded.sales);
    expect(removed.rowsRemoved).toBe(rows);
    const again = await store.load();
    expect(again.sales).toEqual(loaded.sales);
    expect(again.views).toEqual(loaded.views);
  });
});

describe("returns in the purchase rows", () => {
  it("RETURN_REQUESTED then RETURNED, the return job apart from the delivery job's driver and ETA", async () => {
    const purchaseId = crypto.randomUUID();
    const buyerId = crypto.randomUUID();
    const vehicleId = crypto.randomUUID();
    const paymentId = crypto.randomUUID();
    const deliveryJob = crypto.randomUUID();
    const returnJob = crypto.randomUUID();
    const driverId = crypto.randomUUID();
    const ids = { purchaseId, buyerId };
    const ev = <T extends Parameters<typeof newEvent>[0]>(
      type: T,
      payload: Parameters<typeof newEvent<T>>[1],
    ) => newEvent(type, payload, { producer: "test" });
    const delivery = { ...ids, ...DELIVERY_JOB, consignmentId: deliveryJob, vehicleId };
    const pickup = { ...delivery, kind: "RETURN_PICKUP" as const, consignmentId: returnJob };
    const returned = ev("PurchaseReturned", { ...ids, vehicleId, paymentId, amountKrw: 9_900_000 });
    const events: EventEnvelope[] = [
      ev("PurchasePaid", {
        ...ids,
        vehicleId,
        buyerName: "Park",
        priceKrw: 9_900_000,
        paymentId,
        vehicle: { make: "Kia", model: "Morning", year: 2021 },
      }),
      ev("ConsignmentAssigned", {
        ...delivery,
        driverId,
        driverName: "Kim Driver",
        eta: "2026-03-01T11:00:00.000Z",
      }),
      ev("ConsignmentDelivered", { ...delivery, driverId }),
      ev("PurchaseDelivered", { ...ids, vehicleId }),
      ev("PurchaseReturnRequested", { ...ids, vehicleId, reason: "noise", paymentId, priceKrw: 9_900_000 }),
      ev("ConsignmentAssigned", {
        ...pickup,
        driverId,
        driverName: "Lee Return",
        eta: "2026-03-04T11:00:00.000Z",
      }),
      ev("ConsignmentPickedUp", { ...pickup, driverId }),
      ev("ConsignmentDelivered", { ...pickup, driverId }),
      returned,
      ev("PaymentRefunded", { ...ids, paymentId, amountKrw: 9_900_000 }),
    ];
    // The return completes before the delivery's own events arrive (another producer lagging).
    for (const e of [events[0]!, ...events.slice(4), ...events.slice(1, 4)]) await deliver(e);
    await deliver(returned); // redelivered
    const view = await queries().byPurchase(viewer(buyerId, "BUYER"), purchaseId);
    expect(view).toMatchObject({
      purchaseStatus: "RETURNED",
      paymentStatus: "REFUNDED",
      consignmentId: deliveryJob,
      consignmentStatus: "DELIVERED",
      driverName: "Kim Driver",
      eta: new Date("2026-03-01T11:00:00.000Z"),
      returnConsignmentId: returnJob,
      returnPickupStatus: "DELIVERED",
    });
  });
});
