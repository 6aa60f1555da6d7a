import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorCode, eventually, type GqlResult, TestSystem } from "./support/harness.ts";
import { buyWhenKnown, purchaseOf, Q, VehiclePicker } from "./support/junggo.ts";
import { LiveClient } from "./support/live.ts";
import { S, SellerSide, sellerCar } from "./support/seller.ts";

// The seller side, repairs and returns (issue 14), end to end through the gateway on one shared
// stack: every step a user takes, every compensation and every refusal, as the contract names them.
let sys: TestSystem;
let cars: VehiclePicker;
let seller: string, seller2: string, buyer: string, buyer2: string, driver: string, staff: string;
const clients: LiveClient[] = [];

beforeAll(async () => {
  sys = await TestSystem.start();
  cars = new VehiclePicker(sys);
  seller = await sys.login("seller@junggo.test");
  seller2 = await sys.login("seller2@junggo.test");
  buyer = await sys.login("buyer@junggo.test");
  buyer2 = await sys.login("buyer2@junggo.test");
  driver = await sys.login("driver@junggo.test");
  staff = await sys.login("staff@junggo.test");
  side = new SellerSide(sys, { seller, driver, staff });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await sys?.stop();
});

let side: SellerSide;
const car = sellerCar;
const offer = (token = seller, input = car()) => side.offer(token, input);
const sellRequestOf = (id: string, token = seller) => side.sellRequestOf(id, token);
const until = (id: string, pred: (s: any) => boolean, what: string, token = seller) =>
  side.until(id, pred, what, token);
const jobFor = (pred: (j: any) => boolean, what: string) => side.jobFor(pred, what);
const drive = (jobId: string) => side.drive(jobId);
const onLot = (make: string, model: string) => side.onLot(make, model);
const toTheLot = (token = seller, input = car()) => side.toTheLot(token, input);
const inspectionOf = (vehicleId: string) => side.inspectionOf(vehicleId);

describe("selling a car to the dealer", () => {
  it("quote → submit → accept (payout PAID, pickup job) → picked up → at the lot (IN_REPAIR, inspection) → LISTED → bought by a buyer, live and in mySales", async () => {
    const input = car({ make: "Kia", model: "K5", year: 2021 });
    const before = await onLot("Kia", "K5");
    const live = new LiveClient(sys, seller);
    clients.push(live);

    const quote = (await sys.ok(S.requestQuote, { input }, seller)).requestQuote;
    expect(quote.offerKrw).toBeGreaterThan(0);
    expect(quote.basis.length).toBeGreaterThan(10);
    expect(new Date(quote.validUntil).getTime() - Date.now()).toBeGreaterThan(6.9 * 86_400_000);

    const submitted = (await sys.ok(S.submit, { quoteId: quote.id }, seller)).submitSellRequest;
    expect(submitted.status).toBe("PENDING");
    const id = submitted.id as string;
    const sub = live.subscribe(S.live, { id });
    expect(
      (await sys.ok(S.sellRequests, { status: "PENDING" }, staff)).sellRequests.map((s: any) => s.id),
    ).toContain(id);
    expect((await sys.ok(S.mySellRequests, {}, seller)).mySellRequests.map((s: any) => s.id)).toContain(id);

    expect((await sys.ok(S.accept, { id }, staff)).acceptSellRequest.status).toBe("ACCEPTED");
    await sub.waitFor((p) => p.data?.sellRequestStatusChanged?.status === "ACCEPTED", "ACCEPTED pushed live");
    const accepted = await until(
      id,
      (s) => s.payout?.status === "PAID" && s.pickup?.status === "REQUESTED",
      "payout and pickup",
    );
    expect(accepted.payout.amountKrw).toBe(quote.offerKrw);
    expect(accepted.pickup.kind).toBe("SELLER_PICKUP");

    const job = await jobFor((j) => j.sellRequestId === id, "the SELLER_PICKUP job offered to drivers");
    expect(job.kind).toBe("SELLER_PICKUP");
    // The driver sees which car to fetch, before stock has it.
    expect(job.vehicle).toMatchObject({ make: "Kia", model: "K5", status: "INCOMING" });
    expect((await sys.ok(Q.vehicle, { id: job.vehicleId })).vehicle.status).toBe("INCOMING");
    expect(errorCode(await sys.gql(Q.vehicles, { filter: { status: "INCOMING" } }))).toBe("BAD_USER_INPUT");
    await sys.ok(Q.accept, { id: job.id }, driver);
    await sys.ok(Q.pickUp, { id: job.id }, driver);
    await until(id, (s) => s.status === "PICKED_UP", "PICKED_UP");
    await sys.ok(Q.complete, { id: job.id }, driver);

    const atLot = await until(id, (s) => s.status === "IN_INSPECTION", "IN_INSPECTION");
    expect(atLot.vehicle.status).toBe("IN_REPAIR");
    expect(await onLot("Kia", "K5")).toBe(before + 1);
    // In the workshop it cannot be bought.
    expect(errorCode(await sys.gql(Q.requestPurchase, { vehicleId: atLot.vehicle.id }, buyer))).toBe(
      "VEHICLE_NOT_AVAILABLE",
    );

    const inspection = await inspectionOf(atLot.vehicle.id);
    await sys.ok(S.completeRepair, { id: inspection.id, notes: "all fine" }, staff);
    const listed = await until(
      id,
      (s) => s.status === "LISTED" && s.vehicle.status === "AVAILABLE",
      "LISTED",
    );
    await sub.waitFor((p) => p.data?.sellRequestStatusChanged?.status === "LISTED", "LISTED pushed live");

    // Another buyer purchases it.
    const bought = await buyWhenKnown(sys, buyer2, listed.vehicle.id);
    expect(bought.errors).toBeUndefined();
    expect(bought.data.requestPurchase.status).toBe("PAID");
    expect(bought.data.requestPurchase.priceKrw).toBe(listed.vehicle.priceKrw);

    const sale = await eventually(
      async () =>
        (await sys.ok(S.mySales, {}, seller)).mySales.find(
          (r: any) => r.sellRequestId === id && r.status === "LISTED",
        ),
      "the LISTED row in mySales",
    );
    expect(sale).toMatchObject({ offerKrw: quote.offerKrw, payoutStatus: "PAID", pickupStatus: "DELIVERED" });
    // Each step told the seller.
    const kinds = await eventually(async () => {
      const k = (await sys.ok(S.notifications, {}, seller)).myNotifications.map((n: any) => n.kind as string);
      return k.filter((x: string) => /SELL_REQUEST/.test(x)).length >= 4 ? k : null;
    }, "the seller's notifications");
    expect(kinds.join(" ")).toMatch(/ACCEPTED/);
    expect(kinds.join(" ")).toMatch(/LISTED/);
  });

  it("staff reject with a reason; decided twice → SELL_REQUEST_NOT_PENDING; the VIN may be offered again", async () => {
    const o = await offer();
    const r = (await sys.ok(S.reject, { id: o.sellRequest.id, reason: "Flood damage in the photos" }, staff))
      .rejectSellRequest;
    expect(r).toMatchObject({ status: "REJECTED", rejectReason: "Flood damage in the photos" });
    expect(errorCode(await sys.gql(S.accept, { id: o.sellRequest.id }, staff))).toBe(
      "SELL_REQUEST_NOT_PENDING",
    );
    const again = await offer(seller, o.input);
    expect(again.sellRequest.status).toBe("PENDING");
  });

  it("refuses a VIN in two live requests, a car already in stock, and bad input field by field", async () => {
    const o = await offer();
    const q = (await sys.ok(S.requestQuote, { input: o.input }, seller2)).requestQuote;
    expect(errorCode(await sys.gql(S.submit, { quoteId: q.id }, seller2))).toBe("VIN_ALREADY_OFFERED");

    const inStock = await cars.next();
    const full = (
      await sys.ok(Q.vehicles, { filter: { status: "AVAILABLE" }, first: 100 })
    ).vehicles.edges.find((e: any) => e.node.id === inStock.id).node;
    const q2 = (await sys.ok(S.requestQuote, { input: car({ vin: full.vin }) }, seller)).requestQuote;
    expect(errorCode(await sys.gql(S.submit, { quoteId: q2.id }, seller))).toBe("VIN_IN_STOCK");

    for (const [field, bad] of [
      ["vin", "SHORT"],
      ["year", 1900],
      ["mileageKm", -1],
      ["make", ""],
    ] as const) {
      const r = await sys.gql(S.requestQuote, { input: car({ [field]: bad }) }, seller);
      expect(errorCode(r), field).toBe("BAD_USER_INPUT");
      expect(r.errors?.[0]?.extensions?.field, field).toBe(field);
    }
  });

  it("only sellers ask for quotes, only staff decide, only the owner sees or cancels", async () => {
    expect(errorCode(await sys.gql(S.requestQuote, { input: car() }, buyer))).toBe("FORBIDDEN");
    expect(errorCode(await sys.gql(S.requestQuote, { input: car() }))).toBe("UNAUTHENTICATED");
    const o = await offer();
    expect(errorCode(await sys.gql(S.accept, { id: o.sellRequest.id }, seller))).toBe("FORBIDDEN");
    expect((await sys.ok(S.sellRequest, { id: o.sellRequest.id }, seller2)).sellRequest).toBeNull();
    expect(errorCode(await sys.gql(S.cancel, { id: o.sellRequest.id }, seller2))).toBe(
      "SELL_REQUEST_NOT_FOUND",
    );
    expect(errorCode(await sys.gql(S.sellRequests, {}, buyer))).toBe("FORBIDDEN");
  });
});

describe("a seller cancels", () => {
  it("PENDING: CANCELLED, nothing was paid", async () => {
    const o = await offer();
    expect((await sys.ok(S.cancel, { id: o.sellRequest.id }, seller)).cancelSellRequest.status).toBe(
      "CANCELLED",
    );
    const s = await sellRequestOf(o.sellRequest.id);
    expect(s.payout).toBeNull();
  });

  it("ACCEPTED, before pickup: payout REVERSED and the pickup CANCELLED, once", async () => {
    const o = await offer();
    await sys.ok(S.accept, { id: o.sellRequest.id }, staff);
    await until(
      o.sellRequest.id,
      (s) => s.payout?.status === "PAID" && s.pickup?.status === "REQUESTED",
      "paid",
    );
    await sys.ok(S.cancel, { id: o.sellRequest.id, reason: "sold it to my cousin" }, seller);
    await until(
      o.sellRequest.id,
      (s) => s.status === "CANCELLED" && s.payout?.status === "REVERSED" && s.pickup?.status === "CANCELLED",
      "payout reversed and pickup cancelled",
    );
    const reversed = (await sys.events({ type: "PayoutReversed" })).filter(
      (e) => e.sellRequestId === o.sellRequest.id,
    );
    expect(reversed).toHaveLength(1);
    // The cancelled pickup still names its car: the seller kept it.
    const job = (
      await sys.ok(
        `query ($id: ID!) { sellRequest(id: $id) { pickup { status vehicle { status } } } }`,
        { id: o.sellRequest.id },
        seller,
      )
    ).sellRequest.pickup;
    expect(job).toEqual({ status: "CANCELLED", vehicle: { status: "WITHDRAWN" } });
  });

  it("PICKED_UP (on the road): SELL_REQUEST_NOT_CANCELLABLE", async () => {
    const o = await offer();
    await sys.ok(S.accept, { id: o.sellRequest.id }, staff);
    const job = await jobFor((j) => j.sellRequestId === o.sellRequest.id, "pickup job");
    await sys.ok(Q.accept, { id: job.id }, driver);
    await sys.ok(Q.pickUp, { id: job.id }, driver);
    await until(o.sellRequest.id, (s) => s.status === "PICKED_UP", "PICKED_UP");
    expect(errorCode(await sys.gql(S.cancel, { id: o.sellRequest.id }, seller))).toBe(
      "SELL_REQUEST_NOT_CANCELLABLE",
    );
    await sys.ok(Q.complete, { id: job.id }, driver);
  });

  it("on the lot, no buyer: payout REVERSED, the car withdrawn (count falls), a SELLER_RETURN job drives it back", async () => {
    const input = car({ make: "Genesis", model: "G80", year: 2019 });
    const { sellRequest, vehicleId } = await toTheLot(seller, input);
    const lot = await onLot("Genesis", "G80");
    await sys.ok(S.cancel, { id: sellRequest.id }, seller);
    await until(
      sellRequest.id,
      (s) => s.status === "CANCELLED" && s.payout?.status === "REVERSED",
      "reversed",
    );
    await eventually(
      async () => (await sys.ok(Q.vehicle, { id: vehicleId })).vehicle?.status === "WITHDRAWN",
      "vehicle WITHDRAWN",
    );
    expect(await onLot("Genesis", "G80")).toBe(lot - 1);
    const back = await jobFor(
      (j) => j.sellRequestId === sellRequest.id && j.kind === "SELLER_RETURN",
      "the SELLER_RETURN job",
    );
    await drive(back.id);
    // The inspection of a withdrawn car is closed, and the car stays out of stock.
    await eventually(
      async () =>
        !(await sys.ok(S.repairOrders, { open: true }, staff)).repairOrders.some(
          (r: any) => r.vehicle.id === vehicleId,
        ),
      "no open order for the withdrawn car",
    );
    expect(errorCode(await sys.gql(Q.requestPurchase, { vehicleId }, buyer))).toBe("VEHICLE_NOT_AVAILABLE");
  });

  it("once a buyer holds the car: SELL_REQUEST_NOT_CANCELLABLE", async () => {
    const { sellRequest, vehicleId } = await toTheLot();
    const inspection = await inspectionOf(vehicleId);
    await sys.ok(S.completeRepair, { id: inspection.id }, staff);
    await until(sellRequest.id, (s) => s.status === "LISTED", "LISTED");
    const bought = await buyWhenKnown(sys, buyer, vehicleId);
    expect(bought.errors).toBeUndefined();
    expect(errorCode(await sys.gql(S.cancel, { id: sellRequest.id }, seller))).toBe(
      "SELL_REQUEST_NOT_CANCELLABLE",
    );
    expect((await sellRequestOf(sellRequest.id)).status).toBe("LISTED");
  });
});

describe("repairs", () => {
  it("open on an AVAILABLE car → IN_REPAIR, not purchasable → complete → AVAILABLE and purchasable", async () => {
    const v = await cars.next();
    const opened = (
      await sys.ok(S.openRepair, { vehicleId: v.id, description: "Replace the brake pads" }, staff)
    ).openRepairOrder;
    expect(opened).toMatchObject({ kind: "REPAIR", status: "OPEN" });
    await eventually(
      async () => (await sys.ok(Q.vehicle, { id: v.id })).vehicle.status === "IN_REPAIR",
      "IN_REPAIR",
    );
    expect(errorCode(await sys.gql(Q.requestPurchase, { vehicleId: v.id }, buyer))).toBe(
      "VEHICLE_NOT_AVAILABLE",
    );
    expect(errorCode(await sys.gql(S.openRepair, { vehicleId: v.id, description: "again" }, staff))).toBe(
      "VEHICLE_NOT_AVAILABLE",
    );
    const done = (await sys.ok(S.completeRepair, { id: opened.id, notes: "pads replaced" }, staff))
      .completeRepairOrder;
    expect(done).toMatchObject({ status: "COMPLETED", notes: "pads replaced" });
    expect(errorCode(await sys.gql(S.completeRepair, { id: opened.id }, staff))).toBe(
      "REPAIR_ORDER_NOT_OPEN",
    );
    await eventually(
      async () => (await sys.ok(Q.vehicle, { id: v.id })).vehicle.status === "AVAILABLE",
      "AVAILABLE",
    );
    const r = await buyWhenKnown(sys, buyer, v.id);
    expect(r.errors).toBeUndefined();
  });

  it("a car held by a buyer cannot go to the workshop; only staff open orders", async () => {
    const v = await cars.next();
    expect((await buyWhenKnown(sys, buyer, v.id)).errors).toBeUndefined();
    expect(errorCode(await sys.gql(S.openRepair, { vehicleId: v.id, description: "dent" }, staff))).toBe(
      "VEHICLE_NOT_AVAILABLE",
    );
    const other = await cars.next();
    expect(errorCode(await sys.gql(S.openRepair, { vehicleId: other.id, description: "dent" }, buyer))).toBe(
      "FORBIDDEN",
    );
    const bad = await sys.gql(S.openRepair, { vehicleId: other.id, description: " " }, staff);
    expect(errorCode(bad)).toBe("BAD_USER_INPUT");
  });
});

describe("returns", () => {
  async function delivered() {
    const v = await cars.next();
    const r = await buyWhenKnown(sys, buyer, v.id);
    expect(r.errors).toBeUndefined();
    const id = r.data.requestPurchase.id as string;
    const job = await jobFor((j) => j.purchaseId === id && j.kind === "DELIVERY", "delivery job");
    await drive(job.id);
    await eventually(async () => (await purchaseOf(sys, buyer, id)).status === "DELIVERED", "DELIVERED");
    return { v, id };
  }

  it("within the window: RETURN_REQUESTED → RETURN_PICKUP job → back at the lot: REFUNDED, AVAILABLE, RETURNED", async () => {
    const { v, id } = await delivered();
    const lot = await onLot(v.make, v.model);
    expect(
      (await sys.ok(S.requestReturn, { purchaseId: id, reason: "The engine knocks" }, buyer)).requestReturn
        .status,
    ).toBe("RETURN_REQUESTED");
    expect(errorCode(await sys.gql(S.requestReturn, { purchaseId: id, reason: "again" }, buyer))).toBe(
      "PURCHASE_NOT_RETURNABLE",
    );
    const job = await jobFor(
      (j) => j.purchaseId === id && j.kind === "RETURN_PICKUP",
      "the RETURN_PICKUP job",
    );
    await drive(job.id);
    const p = await eventually(async () => {
      const p = await purchaseOf(sys, buyer, id);
      return p.status === "RETURNED" && p.payment.status === "REFUNDED" ? p : null;
    }, "RETURNED and REFUNDED");
    expect(p.vehicle.status).toBe("AVAILABLE");
    expect(await onLot(v.make, v.model)).toBe(lot + 1);
    // The car can be bought again.
    expect((await buyWhenKnown(sys, buyer2, v.id)).errors).toBeUndefined();
    const refunds = (await sys.events({ purchaseId: id, type: "PaymentRefunded" })).length;
    expect(refunds).toBe(1);
  });

  it("refuses before delivery, for someone else's purchase, and without a reason", async () => {
    const v = await cars.next();
    const r = await buyWhenKnown(sys, buyer, v.id);
    const id = r.data.requestPurchase.id;
    expect(errorCode(await sys.gql(S.requestReturn, { purchaseId: id, reason: "no" }, buyer))).toBe(
      "PURCHASE_NOT_RETURNABLE",
    );
    const d = await delivered();
    expect(
      errorCode(await sys.gql(S.requestReturn, { purchaseId: d.id, reason: "mine now" }, buyer2)),
    ).not.toBeUndefined();
    expect(errorCode(await sys.gql(S.requestReturn, { purchaseId: d.id, reason: "" }, buyer))).toBe(
      "BAD_USER_INPUT",
    );
  });
});

// The seller side's rows of the authorization matrix in docs/api-reference.md, cell by cell.
type Persona =
  | "anonymous"
  | "buyer (owner)"
  | "buyer (other)"
  | "seller (owner)"
  | "seller (other)"
  | "staff"
  | "driver";
const PERSONAS: Persona[] = [
  "anonymous",
  "buyer (owner)",
  "buyer (other)",
  "seller (owner)",
  "seller (other)",
  "staff",
  "driver",
];
const row = (...cells: string[]) => Object.fromEntries(PERSONAS.map((p, i) => [p, cells[i]!]));
// ok: answered; own: only the caller's rows; all: everyone's rows; empty: nothing to see; null: hidden;
// an error code: refused with it.
const U = "UNAUTHENTICATED";
const F = "FORBIDDEN";
const MATRIX: Record<string, Record<string, string>> = {
  //                 anonymous buyer(owner) buyer(other) seller(owner) seller(other) staff  driver
  quote: row(U, "null", "null", "ok", "null", "ok", "null"),
  sellRequest: row(U, "null", "null", "ok", "null", "ok", "null"),
  mySellRequests: row(U, F, F, "own", "own", F, F),
  sellRequests: row(U, F, F, F, F, "all", F),
  mySales: row(U, "empty", "empty", "own", "own", "all", "empty"),
  repairOrders: row(U, F, F, F, F, "ok", F),
  requestQuote: row(U, F, F, "ok", "ok", F, F),
  submitSellRequest: row(U, F, F, "ok", "QUOTE_NOT_FOUND", F, F),
  acceptSellRequest: row(U, F, F, F, F, "ok", F),
  rejectSellRequest: row(U, F, F, F, F, "ok", F),
  cancelSellRequest: row(U, F, F, "ok", "SELL_REQUEST_NOT_FOUND", F, F),
  openRepairOrder: row(U, F, F, F, F, "ok", F),
  completeRepairOrder: row(U, F, F, F, F, "ok", F),
  requestReturn: row(U, "ok", F, F, F, F, F),
};

describe("authorization matrix (seller side, repairs, returns)", () => {
  it("answers every new operation for every caller exactly as the matrix says", async () => {
    const token: Record<Persona, string | undefined> = {
      anonymous: undefined,
      "buyer (owner)": buyer,
      "buyer (other)": buyer2,
      "seller (owner)": seller,
      "seller (other)": seller2,
      staff,
      driver,
    };
    const me: Record<string, string> = {};
    for (const p of PERSONAS) if (token[p]) me[p] = (await sys.ok(Q.me, {}, token[p])).me.id;
    const mine = async (p: Persona) =>
      new Set<string>(
        token[p] && p.startsWith("seller")
          ? (await sys.ok(S.mySellRequests, {}, token[p])).mySellRequests.map((s: any) => s.id)
          : [],
      );
    const classify = async (p: Persona, field: string, r: GqlResult): Promise<string> => {
      const code = r.errors?.[0]?.extensions?.code as string | undefined;
      if (code) return code;
      const v = r.data?.[field];
      if (v === null || v === undefined) return "null";
      if (!Array.isArray(v)) return "ok";
      if (v.length === 0) return "empty";
      if (field === "repairOrders") return "ok";
      const own = await mine(p);
      const ids = v.map((x: any) => x.id ?? x.sellRequestId);
      return ids.every((id: string) => own.has(id)) ? "own" : "all";
    };
    const actual: Record<string, Record<string, string>> = {};
    const record = async (op: string, p: Persona, r: GqlResult) => {
      (actual[op] ??= {})[p] = await classify(p, op, r);
    };

    // Objects owned by "seller (owner)" and "buyer (owner)", and rows of "seller (other)".
    const o = await offer(seller);
    await offer(seller2);
    await sys.ok(S.accept, { id: o.sellRequest.id }, staff);
    await eventually(
      async () =>
        (await sys.ok(S.mySales, {}, seller)).mySales.some((r: any) => r.sellRequestId === o.sellRequest.id),
      "the owner's mySales row",
    );
    const reads: Record<string, [string, Record<string, unknown>]> = {
      quote: [`query ($id: ID!) { quote(id: $id) { id } }`, { id: o.quote.id }],
      sellRequest: [`query ($id: ID!) { sellRequest(id: $id) { id } }`, { id: o.sellRequest.id }],
      mySellRequests: [S.mySellRequests, {}],
      sellRequests: [`{ sellRequests { id } }`, {}],
      mySales: [`{ mySales { sellRequestId } }`, {}],
      repairOrders: [`{ repairOrders { id } }`, {}],
    };
    for (const [op, [query, vars]] of Object.entries(reads))
      for (const p of PERSONAS) await record(op, p, await sys.gql(query, vars, token[p]));

    // Mutations: each caller on an object of its own, so an allowed one cannot hide a refusal.
    for (const p of PERSONAS) {
      await record("requestQuote", p, await sys.gql(S.requestQuote, { input: car() }, token[p]));
      const q = (await sys.ok(S.requestQuote, { input: car() }, seller)).requestQuote;
      await record("submitSellRequest", p, await sys.gql(S.submit, { quoteId: q.id }, token[p]));
      for (const [op, query, extra] of [
        ["acceptSellRequest", S.accept, {}],
        ["rejectSellRequest", S.reject, { reason: "Not for us" }],
        ["cancelSellRequest", S.cancel, {}],
      ] as const) {
        const pending = (await offer(seller)).sellRequest;
        await record(op, p, await sys.gql(query, { id: pending.id, ...extra }, token[p]));
      }
      const v = await cars.next();
      await record(
        "openRepairOrder",
        p,
        await sys.gql(S.openRepair, { vehicleId: v.id, description: "Matrix check" }, token[p]),
      );
      const w = await cars.next();
      const order = (await sys.ok(S.openRepair, { vehicleId: w.id, description: "Matrix check" }, staff))
        .openRepairOrder;
      await record("completeRepairOrder", p, await sys.gql(S.completeRepair, { id: order.id }, token[p]));
    }
    const delivered = async () => {
      const v = await cars.next();
      const id = (await buyWhenKnown(sys, buyer, v.id)).data.requestPurchase.id as string;
      await drive((await jobFor((j) => j.purchaseId === id && j.kind === "DELIVERY", "delivery job")).id);
      await eventually(async () => (await purchaseOf(sys, buyer, id)).status === "DELIVERED", "DELIVERED");
      return id;
    };
    const shared = await delivered();
    for (const p of PERSONAS) {
      const id = p === "buyer (owner)" ? await delivered() : shared;
      await record(
        "requestReturn",
        p,
        await sys.gql(S.requestReturn, { purchaseId: id, reason: "Matrix" }, token[p]),
      );
    }
    expect(actual).toEqual(MATRIX);
  });
});
