import { randomUUID } from "node:crypto";
import { migrationsDir } from "@junggo/prisma";
import { createLogger, sqlReader, type Viewer } from "@junggo/runtime";
import { openTestDatabase, refusalOfAsync, type TestDatabase } from "@junggo/runtime/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { acquisitionRepository } from "../src/adapters/acquisition.repository.ts";
import { makeCancelSellRequest, type WithdrawalHolds } from "../src/app/cancel-sell-request.use-case.ts";
import { makeAcceptSellRequest, makeRejectSellRequest } from "../src/app/decide-sell-request.use-case.ts";
import type { AcquisitionDeps } from "../src/app/ports.ts";
import { makeMarketProjection } from "../src/app/project-market.use-case.ts";
import { makeRequestQuote } from "../src/app/request-quote.use-case.ts";
import { makeSellRequestQueries } from "../src/app/sell-request.query.ts";
import { makeSubmitSellRequest } from "../src/app/submit-sell-request.use-case.ts";
import { newEvent } from "@junggo/events";

// Acquisition's use cases on a real database with its migrations (PGlite, or PostgreSQL in CI).
let testDb: TestDatabase;
let deps: AcquisitionDeps;
let now = new Date("2026-12-03T10:00:00Z");
const seller: Viewer = { id: randomUUID(), role: "SELLER", name: "Seller", email: "s@x" };
const other: Viewer = { id: randomUUID(), role: "SELLER", name: "Other", email: "o@x" };
const staff: Viewer = { id: randomUUID(), role: "STAFF", name: "Staff", email: "t@x" };
const buyer: Viewer = { id: randomUUID(), role: "BUYER", name: "Buyer", email: "b@x" };
const car = (vin: string) => ({
  vin,
  make: "Hyundai",
  model: "Sonata",
  year: 2021,
  mileageKm: 52_000,
  condition: "GOOD",
});

beforeAll(async () => {
  testDb = await openTestDatabase(migrationsDir("acquisition"));
  deps = {
    repo: acquisitionRepository,
    transact: (fn) => testDb.db.transaction(fn),
    reader: sqlReader(testDb.db),
    clock: () => now,
    newId: randomUUID,
    log: createLogger("test"),
    policy: { dealerMargin: 0.12, fallbackNewPriceKrw: 35_000_000 },
  };
  // Stock's events, as the consumer would hand them over: three Sonatas listed, one sold.
  const market = makeMarketProjection(deps);
  const sonatas = [
    ["KMHE341DBLF000011", 2020, 60_000, 19_000_000],
    ["KMHE341DBMF000012", 2021, 40_000, 22_000_000],
    ["KMHE341DBNF000013", 2022, 30_000, 24_500_000],
  ] as const;
  for (const [vin, year, mileageKm, priceKrw] of sonatas) {
    const vehicleId = randomUUID();
    const e = newEvent(
      "VehicleRegistered",
      { vehicleId, vin, make: "Hyundai", model: "Sonata", year, mileageKm, priceKrw, status: "AVAILABLE" },
      { producer: "stock" },
    );
    await testDb.db.transaction((tx) => market.registered(tx, e));
    if (year === 2022) await testDb.db.transaction((tx) => market.status(tx, vehicleId, "SOLD", now));
  }
}, 120_000);

afterAll(async () => {
  await testDb?.close();
});

const outbox = async () =>
  (await testDb.db.query(`SELECT type FROM messaging.outbox ORDER BY seq`, [])) as { type: string }[];

describe("acquisition use cases", () => {
  it("quotes from the projection of stock: 2 listings and 1 sale", async () => {
    const q = await makeRequestQuote(deps)(seller, car("KMHE341DBMF100001"));
    expect(q).toMatchObject({ comparableCount: 3, sellerId: seller.id, vin: "KMHE341DBMF100001" });
    expect(q.basis).toContain("median of 3 comparable 2 listings and 1 sale");
    expect(q.offerKrw).toBeGreaterThan(0);
    expect((await makeSellRequestQueries(deps).quote(seller, q.id))?.offerKrw).toBe(q.offerKrw);
    expect(await makeSellRequestQueries(deps).quote(other, q.id)).toBeNull();
  });

  it("is for sellers only, with field-level errors", async () => {
    expect((await refusalOfAsync(() => makeRequestQuote(deps)(buyer, car("KMHE341DBMF100002")))).code).toBe(
      "FORBIDDEN",
    );
    expect(
      await refusalOfAsync(() => makeRequestQuote(deps)(seller, { ...car("X"), vin: "short" })),
    ).toMatchObject({
      code: "BAD_USER_INPUT",
    });
  });

  it("submits once per quote and once per live VIN; a VIN in stock is refused", async () => {
    const quote = makeRequestQuote(deps);
    const submit = makeSubmitSellRequest(deps);
    const q1 = await quote(seller, car("KMHE341DBMF100003"));
    const s1 = await submit(seller, q1.id);
    expect(s1).toMatchObject({ status: "PENDING", vehicleName: "2021 Hyundai Sonata" });
    expect((await refusalOfAsync(() => submit(seller, q1.id))).code).toBe("QUOTE_ALREADY_SUBMITTED");
    const q2 = await quote(seller, car("KMHE341DBMF100003"));
    expect((await refusalOfAsync(() => submit(seller, q2.id))).code).toBe("VIN_ALREADY_OFFERED");
    expect((await refusalOfAsync(() => submit(other, q2.id))).code).toBe("QUOTE_NOT_FOUND");
    const inStock = await quote(seller, car("KMHE341DBLF000011"));
    expect((await refusalOfAsync(() => submit(seller, inStock.id))).code).toBe("VIN_IN_STOCK");
    // A car stock sold keeps its record there: it could not be registered again.
    const sold = await quote(seller, car("KMHE341DBNF000013"));
    expect(await refusalOfAsync(() => submit(seller, sold.id))).toMatchObject({
      code: "VIN_IN_STOCK",
      message: expect.stringContaining("sold or returned this car before"),
    });
    // A rejected request frees its VIN.
    await makeRejectSellRequest(deps)(staff, s1.id, "Flood damage");
    expect((await submit(seller, q2.id)).status).toBe("PENDING");
  });

  it("refuses an expired quote and writes nothing", async () => {
    const q = await makeRequestQuote(deps)(seller, car("KMHE341DBMF100004"));
    const before = (await outbox()).length;
    now = new Date(now.getTime() + 8 * 86_400_000);
    try {
      expect((await refusalOfAsync(() => makeSubmitSellRequest(deps)(seller, q.id))).code).toBe(
        "QUOTE_EXPIRED",
      );
    } finally {
      now = new Date(now.getTime() - 8 * 86_400_000);
    }
    expect((await outbox()).length).toBe(before);
  });

  it("staff decides once; the seller cancels with the compensations; events go through the outbox", async () => {
    const q = await makeRequestQuote(deps)(seller, car("KMHE341DBMF100005"));
    const s = await makeSubmitSellRequest(deps)(seller, q.id);
    expect((await refusalOfAsync(() => makeAcceptSellRequest(deps)(seller, s.id))).code).toBe("FORBIDDEN");
    const accepted = await makeAcceptSellRequest(deps)(staff, s.id);
    expect(accepted.status).toBe("ACCEPTED");
    expect((await refusalOfAsync(() => makeAcceptSellRequest(deps)(staff, s.id))).code).toBe(
      "SELL_REQUEST_NOT_PENDING",
    );
    const holds: WithdrawalHolds = { take: async () => "TAKEN", release: async () => {} };
    const cancel = makeCancelSellRequest(deps, holds);
    expect((await refusalOfAsync(() => cancel(other, s.id, null))).code).toBe("SELL_REQUEST_NOT_FOUND");
    const cancelled = await cancel(seller, s.id, " changed my mind ");
    expect(cancelled).toMatchObject({ status: "CANCELLED", cancelReason: "changed my mind" });
    const [last] = (await testDb.db.query(
      `SELECT type, body FROM messaging.outbox ORDER BY seq DESC LIMIT 1`,
      [],
    )) as { type: string; body: string }[];
    expect(last!.type).toBe("SellRequestCancelled");
    expect(JSON.parse(last!.body).payload).toMatchObject({ reversePayout: true, cancelPickup: true });
    expect((await outbox()).map((r) => r.type)).toEqual(
      expect.arrayContaining(["SellRequestSubmitted", "SellRequestAccepted", "SellRequestRejected"]),
    );
    expect((await makeSellRequestQueries(deps).mine(seller)).map((r) => r.id)).toContain(s.id);
    expect(await makeSellRequestQueries(deps).sellRequest(other, s.id)).toBeNull();
  });
});
