import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EventEnvelope, EventPayloads } from "@junggo/events";
import { createLogger, type SqlTx, sqlReader, type Viewer } from "@junggo/runtime";
import {
  type ConsumerHarness,
  consumerHarness,
  refusalOfAsync,
  testEvent as event,
} from "@junggo/runtime/testing";
import { acquisitionRepository } from "../src/adapters/acquisition.repository.ts";
import { acquisitionHandlers } from "../src/adapters/event.handlers.ts";
import { makeAdvanceSellRequest } from "../src/app/advance-sell-request.use-case.ts";
import { makeCancelSellRequest, type WithdrawalHolds } from "../src/app/cancel-sell-request.use-case.ts";
import { makeAcceptSellRequest } from "../src/app/decide-sell-request.use-case.ts";
import type { AcquisitionDeps } from "../src/app/ports.ts";
import { makeMarketProjection } from "../src/app/project-market.use-case.ts";
import { makeRequestQuote } from "../src/app/request-quote.use-case.ts";
import { makeSubmitSellRequest } from "../src/app/submit-sell-request.use-case.ts";

// Acquisition's consumers on a real database: every event goes through the context's handler map
// inside the inbox step the consumer runs (handleOnce), so a redelivered event is applied once.
let h: ConsumerHarness<SqlTx, undefined>;
let deps: AcquisitionDeps;
const seller: Viewer = { id: randomUUID(), role: "SELLER", name: "Seller", email: "s@x" };
const staff: Viewer = { id: randomUUID(), role: "STAFF", name: "Staff", email: "t@x" };
let vinSeq = 0;
const nextVin = () => `KMHE341DBMF${String(200_000 + ++vinSeq).padStart(6, "0")}`;

beforeAll(async () => {
  h = await consumerHarness({
    context: "acquisition",
    handlers: ({ db }) => {
      deps = {
        repo: acquisitionRepository,
        transact: (fn) => db.transaction(fn),
        reader: sqlReader(db),
        clock: () => new Date(),
        newId: randomUUID,
        log: createLogger("acquisition-saga-test"),
        policy: { dealerMargin: 0.12, fallbackNewPriceKrw: 35_000_000 },
      };
      return acquisitionHandlers(makeMarketProjection(deps), makeAdvanceSellRequest(deps), deps.log);
    },
  });
}, 120_000);
afterAll(async () => {
  await h?.close();
});

/** Delivers `e` to acquisition's consumer step as the durable consumer does. */
const deliver = (e: EventEnvelope) => h.deliver(e);
const outbox = async (sellRequestId: string) =>
  (
    (await h.db.query(`SELECT type, body FROM messaging.outbox ORDER BY seq`, [])) as {
      type: string;
      body: string;
    }[]
  )
    .map((r) => JSON.parse(r.body) as EventEnvelope)
    .filter((e) => e.sellRequestId === sellRequestId);
const statusOf = async (id: string) => (await acquisitionRepository.sellRequestById(deps.reader, id))?.status;

/** A sell request accepted by staff: the vehicle id stock will register the car under. */
async function accepted(vin = nextVin()) {
  const q = await makeRequestQuote(deps)(seller, {
    vin,
    make: "Kia",
    model: "K5",
    year: 2021,
    mileageKm: 30_000,
    condition: "GOOD",
  });
  const s = await makeSubmitSellRequest(deps)(seller, q.id);
  const a = await makeAcceptSellRequest(deps)(staff, s.id);
  return { id: a.id, vehicleId: a.vehicleId!, vin };
}
const pickup = (sellRequestId: string, vehicleId: string) =>
  event("ConsignmentPickedUp", {
    kind: "SELLER_PICKUP",
    purchaseId: null,
    buyerId: null,
    sellRequestId,
    sellerId: seller.id,
    consignmentId: randomUUID(),
    vehicleId,
    driverId: randomUUID(),
  });
const registered = (sellRequestId: string | null, vehicleId: string, vin: string) =>
  event("VehicleRegistered", {
    vehicleId,
    vin,
    make: "Kia",
    model: "K5",
    year: 2021,
    mileageKm: 30_000,
    priceKrw: 20_000_000,
    status: sellRequestId ? "IN_REPAIR" : "AVAILABLE",
    sellRequestId,
  });
/** Stock put the car up for sale after its repair order (an inspection by default) was done. */
const repaired = (vehicleId: string, kind: EventPayloads["VehicleRepaired"]["kind"] = "INSPECTION") =>
  event("VehicleRepaired", { vehicleId, repairOrderId: randomUUID(), kind });

describe("acquisition saga consumers", () => {
  it("picked up → PICKED_UP, registered at the lot → IN_INSPECTION, inspection done → LISTED, each step an event", async () => {
    const { id, vehicleId, vin } = await accepted();
    const up = pickup(id, vehicleId);
    expect(await deliver(up)).toBe("handled");
    expect(await statusOf(id)).toBe("PICKED_UP");

    const arrived = registered(id, vehicleId, vin);
    await deliver(arrived);
    expect(await statusOf(id)).toBe("IN_INSPECTION");
    // The market projection knows the car too: the VIN is in stock now.
    expect(await acquisitionRepository.marketCarByVin(deps.reader, vin)).toMatchObject({
      vehicleId,
      status: "IN_REPAIR",
    });

    // Listed when stock has the car for sale, not when maintenance closes the order (acquisition
    // does not handle RepairOrderCompleted): a live update then shows the car AVAILABLE.
    expect(h.handlers.RepairOrderCompleted).toBeUndefined();
    const done = repaired(vehicleId);
    await deliver(done);
    expect(await statusOf(id)).toBe("LISTED");
    expect((await acquisitionRepository.marketCarById(deps.reader, vehicleId))?.status).toBe("AVAILABLE");

    const steps = (await outbox(id)).map((e) => [e.type, e.causationId]);
    expect(steps).toEqual([
      ["SellRequestSubmitted", null],
      ["SellRequestAccepted", null],
      ["SellRequestPickedUp", up.eventId],
      ["SellRequestInspectionStarted", arrived.eventId],
      ["SellRequestListed", done.eventId],
    ]);
    expect((await outbox(id)).find((e) => e.type === "SellRequestInspectionStarted")?.payload).toEqual({
      sellRequestId: id,
      sellerId: seller.id,
      vehicleId,
    });
  });

  it("applies a redelivered event once, and a second event for a step already taken changes nothing", async () => {
    const { id, vehicleId, vin } = await accepted();
    const up = pickup(id, vehicleId);
    expect(await deliver(up)).toBe("handled");
    expect(await deliver(up)).toBe("duplicate");
    // Another pickup event (another event id) for the same request: past that step, ignored.
    expect(await deliver(pickup(id, vehicleId))).toBe("handled");
    const arrived = registered(id, vehicleId, vin);
    await deliver(arrived);
    expect(await deliver(arrived)).toBe("duplicate");
    await deliver(registered(id, vehicleId, vin));
    const done = repaired(vehicleId);
    await deliver(done);
    expect(await deliver(done)).toBe("duplicate");
    await deliver(repaired(vehicleId));
    expect(await statusOf(id)).toBe("LISTED");
    expect((await outbox(id)).map((e) => e.type)).toEqual([
      "SellRequestSubmitted",
      "SellRequestAccepted",
      "SellRequestPickedUp",
      "SellRequestInspectionStarted",
      "SellRequestListed",
    ]);
  });

  it("takes the car's arrival before a pickup event delivered late, which then changes nothing", async () => {
    const { id, vehicleId, vin } = await accepted();
    await deliver(registered(id, vehicleId, vin));
    expect(await statusOf(id)).toBe("IN_INSPECTION");
    await deliver(pickup(id, vehicleId));
    expect(await statusOf(id)).toBe("IN_INSPECTION");
    expect((await outbox(id)).map((e) => e.type)).toEqual([
      "SellRequestSubmitted",
      "SellRequestAccepted",
      "SellRequestInspectionStarted",
    ]);
  });

  it("ignores other journeys' events and events of unknown or cancelled sell requests", async () => {
    const { id, vehicleId, vin } = await accepted();
    // A purchase's delivery and a return pickup are not the seller's car.
    const delivery = {
      ...pickup(id, vehicleId),
      payload: { ...pickup(id, vehicleId).payload, kind: "DELIVERY" as const },
    };
    await deliver(delivery);
    // A repair does not list the car; nor does the inspection of a car no sell request allocated.
    await deliver(repaired(vehicleId, "REPAIR"));
    expect(await deliver(repaired(randomUUID()))).toBe("handled");
    await deliver(registered(null, randomUUID(), nextVin()));
    expect(await statusOf(id)).toBe("ACCEPTED");

    // Unknown sell request, or not an id at all: acknowledged, nothing written, no failure.
    const unknown = randomUUID();
    expect(await deliver(pickup(unknown, vehicleId))).toBe("handled");
    expect(await deliver(pickup("not-a-uuid", vehicleId))).toBe("handled");
    expect(await deliver(registered(unknown, randomUUID(), nextVin()))).toBe("handled");
    expect(await outbox(unknown)).toEqual([]);

    // The seller cancels before pickup; a late pickup changes nothing.
    const noHolds: WithdrawalHolds = {
      take: () => Promise.reject(new Error("no hold before the lot")),
      release: async () => {},
    };
    await makeCancelSellRequest(deps, noHolds)(seller, id, null);
    await deliver(pickup(id, vehicleId));
    await deliver(registered(id, vehicleId, vin));
    expect(await statusOf(id)).toBe("CANCELLED");
    expect((await outbox(id)).map((e) => e.type)).toEqual([
      "SellRequestSubmitted",
      "SellRequestAccepted",
      "SellRequestCancelled",
    ]);
  });

  it("cancels a car on the lot behind a WITHDRAWAL hold; refuses once a buyer holds it", async () => {
    const { id, vehicleId, vin } = await accepted();
    await deliver(pickup(id, vehicleId));
    await deliver(registered(id, vehicleId, vin));
    const taken: string[] = [];
    const released: string[] = [];
    const holds = (answer: "TAKEN" | "HELD_BY_BUYER"): WithdrawalHolds => ({
      take: async (v, s) => {
        taken.push(`${v}/${s}`);
        return answer;
      },
      release: async (s) => {
        released.push(s);
      },
    });
    const before = (await outbox(id)).length;
    expect(
      (await refusalOfAsync(() => makeCancelSellRequest(deps, holds("HELD_BY_BUYER"))(seller, id, null)))
        .code,
    ).toBe("SELL_REQUEST_NOT_CANCELLABLE");
    expect(await statusOf(id)).toBe("IN_INSPECTION");
    expect((await outbox(id)).length).toBe(before);

    const cancelled = await makeCancelSellRequest(deps, holds("TAKEN"))(seller, id, "sold it privately");
    expect(cancelled.status).toBe("CANCELLED");
    expect(taken).toEqual([`${vehicleId}/${id}`, `${vehicleId}/${id}`]);
    expect(released).toEqual([]);
    expect((await outbox(id)).at(-1)?.payload).toMatchObject({
      previousStatus: "IN_INSPECTION",
      reversePayout: true,
      cancelPickup: false,
      returnVehicleId: vehicleId,
    });
    // Stock listing the car afterwards (a stale inspection) does not list a cancelled request.
    await deliver(repaired(vehicleId));
    expect(await statusOf(id)).toBe("CANCELLED");
  });

  it("projects stock's events into the market data quotes and the VIN check read", async () => {
    const vin = nextVin();
    const vehicleId = randomUUID();
    await deliver(registered(null, vehicleId, vin));
    const status = async () => (await acquisitionRepository.marketCarById(deps.reader, vehicleId))?.status;
    expect(await status()).toBe("AVAILABLE");
    const purchaseId = randomUUID();
    await deliver(event("VehicleReserved", { vehicleId, purchaseId }));
    expect(await status()).toBe("RESERVED");
    await deliver(event("VehicleReleased", { vehicleId, purchaseId }));
    expect(await status()).toBe("AVAILABLE");
    await deliver(event("VehicleSentToRepair", { vehicleId, repairOrderId: randomUUID(), kind: "REPAIR" }));
    expect(await status()).toBe("IN_REPAIR");
    await deliver(event("VehicleRepaired", { vehicleId, repairOrderId: randomUUID(), kind: "REPAIR" }));
    await deliver(event("VehicleSold", { vehicleId, purchaseId }));
    expect(await acquisitionRepository.marketCarById(deps.reader, vehicleId)).toMatchObject({
      status: "SOLD",
      soldAt: expect.any(Date),
    });
    // A sale is a comparable of kind SALE; a withdrawn car is no comparable at all.
    const market = () => acquisitionRepository.comparables(deps.reader, "kia", "k5", 2021, 2021);
    expect((await market()).filter((c) => c.kind === "SALE")).toHaveLength(1);
    const other = randomUUID();
    await deliver(registered(null, other, nextVin()));
    const n = (await market()).length;
    await deliver(event("VehicleWithdrawn", { vehicleId: other, sellRequestId: randomUUID() }));
    expect((await market()).length).toBe(n - 1);
    // An event about a car never registered is acknowledged and ignored.
    expect(await deliver(event("VehicleReserved", { vehicleId: randomUUID(), purchaseId }))).toBe("handled");
  });
});
