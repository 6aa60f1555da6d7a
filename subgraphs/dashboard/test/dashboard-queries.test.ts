// Projection and queries against an in-memory repository that honours versions like the Prisma one.
import { describe, expect, it } from "vitest";
import { newEvent, type EventEnvelope } from "@junggo/events";
import { DomainError, type Logger, type Viewer } from "@junggo/runtime";
import type { PurchaseView } from "../src/domain/purchase-view.ts";
import type { SaleView } from "../src/domain/sale-view.ts";
import type { PurchaseViewRepository, SaleViewRepository } from "../src/app/ports.ts";
import { makeProjectEvent } from "../src/app/project-event.use-case.ts";
import { makeDashboardQueries } from "../src/app/dashboard.query.ts";

class MemoryRepo implements PurchaseViewRepository<null> {
  rows = new Map<string, { view: PurchaseView; version: number }>();
  writes = 0;
  async find(_db: null, id: string) {
    const r = this.rows.get(id);
    return r ? structuredClone(r) : null;
  }
  async save(_db: null, view: PurchaseView, previousVersion: number | null) {
    const r = this.rows.get(view.purchaseId);
    if (previousVersion === null ? r : r?.version !== previousVersion) return false;
    this.rows.set(view.purchaseId, { view: structuredClone(view), version: (previousVersion ?? -1) + 1 });
    this.writes++;
    return true;
  }
  async listReady(_db: null, f: { buyerId?: string }, first: number) {
    return [...this.rows.values()]
      .map((r) => r.view)
      .filter((v) => v.createdAt && v.purchaseStatus && (!f.buyerId || v.buyerId === f.buyerId))
      .sort((a, b) => +b.createdAt! - +a.createdAt!)
      .slice(0, first);
  }
}

class MemorySales implements SaleViewRepository<null> {
  rows = new Map<string, { view: SaleView; version: number }>();
  writes = 0;
  async find(_db: null, id: string) {
    const r = this.rows.get(id);
    return r ? structuredClone(r) : null;
  }
  async save(_db: null, view: SaleView, previousVersion: number | null) {
    const r = this.rows.get(view.sellRequestId);
    if (previousVersion === null ? r : r?.version !== previousVersion) return false;
    this.rows.set(view.sellRequestId, { view: structuredClone(view), version: (previousVersion ?? -1) + 1 });
    this.writes++;
    return true;
  }
  async listReady(_db: null, f: { sellerId?: string }, first: number) {
    return [...this.rows.values()]
      .map((r) => r.view)
      .filter((v) => v.status && v.vehicleName && (!f.sellerId || v.sellerId === f.sellerId))
      .sort((a, b) => +b.updatedAt - +a.updatedAt)
      .slice(0, first);
  }
}

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };
const viewer = (id: string, role: Viewer["role"]): Viewer => ({
  id,
  role,
  name: role,
  email: `${role}@junggo.test`,
});
const buyer = viewer("44444444-4444-4444-8444-444444444444", "BUYER");
const buyer2 = viewer("45454545-4545-4545-8545-454545454545", "BUYER");
const staff = viewer("aaaaaaaa-0000-4000-8000-000000000000", "STAFF");
const seller = viewer("66666666-6666-4666-8666-666666666666", "SELLER");
const seller2 = viewer("67676767-6767-4767-8767-676767676767", "SELLER");

const submitted = (sellRequestId: string, sellerId: string, at: string) =>
  newEvent(
    "SellRequestSubmitted",
    {
      sellRequestId,
      sellerId,
      quoteId: "88888888-8888-4888-8888-888888888888",
      offerKrw: 12_000_000,
      vehicle: { vin: "KMHD341CBKU000001", make: "Hyundai", model: "Avante", year: 2019, mileageKm: 52_000 },
    },
    { producer: "acquisition", now: new Date(at) },
  );

const paid = (purchaseId: string, buyerId: string, at: string) =>
  newEvent(
    "PurchasePaid",
    {
      purchaseId,
      buyerId,
      vehicleId: "33333333-3333-4333-8333-333333333333",
      buyerName: "Park",
      priceKrw: 9_900_000,
      paymentId: "77777777-7777-4777-8777-777777777777",
      vehicle: { make: "Kia", model: "Morning", year: 2021 },
    },
    { producer: "purchase", now: new Date(at) },
  );
const approved = (purchaseId: string, buyerId: string) =>
  newEvent(
    "PaymentApproved",
    { purchaseId, buyerId, paymentId: "77777777-7777-4777-8777-777777777777", amountKrw: 9_900_000 },
    { producer: "billing" },
  );

const P1 = "10000000-0000-4000-8000-000000000001";
const P2 = "10000000-0000-4000-8000-000000000002";
const P3 = "10000000-0000-4000-8000-000000000003";

async function setup(events: EventEnvelope[]) {
  const repo = new MemoryRepo();
  const sales = new MemorySales();
  const project = makeProjectEvent({ repo, sales, log: silent });
  for (const e of events) await project(null, e);
  return { repo, sales, project, queries: makeDashboardQueries(repo, sales, null) };
}

describe("dashboard queries", () => {
  it("myDashboard: own ready rows newest first; staff see all; login required", async () => {
    const { queries } = await setup([
      paid(P1, buyer.id, "2026-03-01T09:00:00Z"),
      paid(P2, buyer.id, "2026-03-02T09:00:00Z"),
      paid(P3, buyer2.id, "2026-03-03T09:00:00Z"),
      approved("10000000-0000-4000-8000-000000000004", buyer.id),
    ]);
    expect((await queries.mine(buyer, 10)).map((v) => v.purchaseId)).toEqual([P2, P1]);
    expect((await queries.mine(staff, 10)).map((v) => v.purchaseId)).toEqual([P3, P2, P1]);
    expect((await queries.mine(staff, 2)).map((v) => v.purchaseId)).toEqual([P3, P2]);
    await expect(queries.mine(null, 10)).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
  });

  it("mySales: the seller's own sell requests, latest change first; staff all; a buyer none", async () => {
    const S1 = "20000000-0000-4000-8000-000000000001";
    const S2 = "20000000-0000-4000-8000-000000000002";
    const S3 = "20000000-0000-4000-8000-000000000003";
    const { queries, repo } = await setup([
      submitted(S1, seller.id, "2026-03-01T09:00:00Z"),
      submitted(S2, seller.id, "2026-03-02T09:00:00Z"),
      submitted(S3, seller2.id, "2026-03-03T09:00:00Z"),
      paid(P1, buyer.id, "2026-03-04T09:00:00Z"),
    ]);
    expect((await queries.mySales(seller, 10)).map((v) => v.sellRequestId)).toEqual([S2, S1]);
    expect((await queries.mySales(seller2, 10)).map((v) => v.sellRequestId)).toEqual([S3]);
    expect((await queries.mySales(staff, 10)).map((v) => v.sellRequestId)).toEqual([S3, S2, S1]);
    expect(await queries.mySales(buyer, 10)).toEqual([]);
    await expect(queries.mySales(null, 10)).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    // Sell-request events never touch the purchase rows, and the other way round.
    expect([...repo.rows.keys()]).toEqual([P1]);
    expect(await queries.mine(seller, 10)).toEqual([]);
  });

  it("purchaseView: owner or staff; FORBIDDEN for others; null when unknown or not ready", async () => {
    const early = "10000000-0000-4000-8000-000000000009";
    const { queries } = await setup([paid(P1, buyer.id, "2026-03-01T09:00:00Z"), approved(early, buyer.id)]);
    expect(await queries.byPurchase(buyer, P1)).toMatchObject({
      purchaseId: P1,
      vehicleName: "2021 Kia Morning",
    });
    expect(await queries.byPurchase(staff, P1)).toMatchObject({ purchaseId: P1 });
    const err = await queries.byPurchase(buyer2, P1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect(err).toMatchObject({ code: "FORBIDDEN" });
    expect(await queries.byPurchase(buyer, P2)).toBeNull();
    expect(await queries.byPurchase(buyer, early)).toBeNull();
    expect(await queries.visible(buyer2, P1)).toBeNull();
    expect(await queries.visible(null, P1)).toBeNull();
  });

  it("the projection writes once per change and not for a redelivered or stale event", async () => {
    const e = paid(P1, buyer.id, "2026-03-01T09:00:00Z");
    const { repo, project } = await setup([e]);
    await project(null, e);
    await project(null, approved(P1, buyer.id));
    expect(repo.writes).toBe(2);
    expect(repo.rows.get(P1)!.version).toBe(1);
  });

  it("a write that lost a race is retried by throwing", async () => {
    const { repo, project } = await setup([paid(P1, buyer.id, "2026-03-01T09:00:00Z")]);
    const stale = repo.find.bind(repo);
    repo.find = async (db, id) => {
      const r = await stale(db, id);
      repo.rows.get(id)!.version++; // someone else writes between our read and our write
      return r;
    };
    await expect(project(null, approved(P1, buyer.id))).rejects.toThrow(/changed concurrently/);
  });
});
