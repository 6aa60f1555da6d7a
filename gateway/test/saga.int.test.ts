import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorCode, eventually, TestSystem } from "./support/harness.ts";
import { buyWhenKnown, purchaseOf, Q, randomVin, settled, VehiclePicker } from "./support/junggo.ts";

// The core purchase saga, end to end through the gateway, on a real stack.
let sys: TestSystem;
let cars: VehiclePicker;
let buyer: string, buyer2: string, driver: string, driver2: string, staff: string;
const DECLINE_ABOVE = 150_000_000;

beforeAll(async () => {
  sys = await TestSystem.start({
    serviceEnv: { billing: { PAYMENT_SANDBOX_DECLINE_ABOVE_KRW: String(DECLINE_ABOVE) } },
  });
  cars = new VehiclePicker(sys);
  buyer = await sys.login("buyer@junggo.test");
  buyer2 = await sys.login("buyer2@junggo.test");
  driver = await sys.login("driver@junggo.test");
  driver2 = await sys.login("driver2@junggo.test");
  staff = await sys.login("staff@junggo.test");
});
afterAll(async () => {
  await sys?.stop();
});

async function buy(token = buyer) {
  const car = await cars.next();
  const r = await buyWhenKnown(sys, token, car.id);
  expect(r.errors).toBeUndefined();
  return { car, purchase: r.data.requestPurchase };
}

async function openJobFor(purchaseId: string) {
  return eventually(async () => {
    const d = await sys.ok(Q.openConsignments, {}, driver);
    return (d.openConsignments as { id: string; purchaseId: string }[]).find(
      (c) => c.purchaseId === purchaseId,
    );
  }, `a delivery job for purchase ${purchaseId}`);
}

describe("the stack's service processes", () => {
  it("cap V8's young generation in the subgraphs on PostgreSQL only: not in the gateway, not next to an embedded PGlite", () => {
    const onPostgres = Boolean(process.env.JUNGGO_TEST_POSTGRES_URL);
    for (const name of ["stock", "purchase", "notification"] as const)
      expect(sys.stack.service(name).spec.args.includes("--max-semi-space-size=1"), name).toBe(onPostgres);
    expect(sys.stack.service("gateway").spec.args.some((a) => a.startsWith("--max-semi-space-size"))).toBe(
      false,
    );
  });
});

describe("buying a car", () => {
  it("runs purchase → accept → pick up → deliver, with vehicle, payment, consignment and dashboard consistent", async () => {
    const before = await sys.ok(Q.stockSummary);
    const { car, purchase } = await buy();
    expect(purchase).toMatchObject({
      status: "PAID",
      priceKrw: car.priceKrw,
      buyer: { name: "Kim Minjun" },
      vehicle: { id: car.id, make: car.make },
    });
    expect(purchase.payment).toMatchObject({ status: "APPROVED", amountKrw: car.priceKrw });

    // Reserved in stock, job offered to drivers.
    await eventually(
      async () => (await sys.ok(Q.vehicle, { id: car.id })).vehicle.status === "RESERVED",
      "vehicle RESERVED",
    );
    const job = await openJobFor(purchase.id);

    const accepted = (await sys.ok(Q.accept, { id: job.id }, driver)).acceptConsignment;
    expect(accepted).toMatchObject({ status: "ASSIGNED", driver: { name: "Jung Hyunwoo" } });
    expect(new Date(accepted.eta).getTime()).toBeGreaterThan(Date.now());
    // The buyer is told who and when.
    const seen = await purchaseOf(sys, buyer, purchase.id);
    expect(seen.consignment).toMatchObject({ status: "ASSIGNED", driver: { name: "Jung Hyunwoo" } });
    expect(seen.consignment.eta).toBe(accepted.eta);

    expect((await sys.ok(Q.pickUp, { id: job.id }, driver)).pickUpConsignment.status).toBe("PICKED_UP");
    await eventually(
      async () => (await purchaseOf(sys, buyer, purchase.id)).status === "DELIVERING",
      "purchase DELIVERING",
    );
    await eventually(
      async () => (await sys.ok(Q.vehicle, { id: car.id })).vehicle.status === "SOLD",
      "vehicle SOLD",
    );
    const line = (s: any) => s.stockSummary.find((l: any) => l.make === car.make && l.model === car.model);
    const afterPickup = await sys.ok(Q.stockSummary);
    expect(line(afterPickup).onLot).toBe(line(before).onLot - 1);

    expect((await sys.ok(Q.complete, { id: job.id }, driver)).completeConsignment.status).toBe("DELIVERED");
    const done = await eventually(async () => {
      const p = await purchaseOf(sys, buyer, purchase.id);
      return p.status === "DELIVERED" ? p : null;
    }, "purchase DELIVERED");
    expect(done).toMatchObject({
      vehicle: { status: "SOLD" },
      payment: { status: "APPROVED" },
      consignment: { status: "DELIVERED" },
    });

    const view = await eventually(async () => {
      const rows = (await sys.ok(Q.myDashboard, {}, buyer)).myDashboard as any[];
      const row = rows.find((r) => r.purchaseId === purchase.id);
      return row?.consignmentStatus === "DELIVERED" && row.purchaseStatus === "DELIVERED" ? row : null;
    }, "dashboard row DELIVERED");
    expect(view).toMatchObject({
      vehicleId: car.id,
      vehicleName: `${car.year} ${car.make} ${car.model}`,
      priceKrw: car.priceKrw,
      paymentStatus: "APPROVED",
      driverName: "Jung Hyunwoo",
      eta: accepted.eta,
    });

    // The saga's events form one causal chain under the purchase's correlation key.
    await settled(sys);
    const events = await sys.events({ purchaseId: purchase.id });
    const one = (type: string) => {
      const found = events.filter((e) => e.type === type);
      expect(found, type).toHaveLength(1);
      return found[0]!;
    };
    const paid = one("PurchasePaid");
    expect(paid.causationId).toBeNull();
    const pickedUp = one("ConsignmentPickedUp");
    const delivered = one("ConsignmentDelivered");
    for (const [effect, cause] of [
      ["VehicleReserved", paid],
      ["ConsignmentRequested", paid],
      ["VehicleSold", pickedUp],
      ["PurchaseDeliveryStarted", pickedUp],
      ["PurchaseDelivered", delivered],
    ] as const)
      expect(one(effect).causationId, effect).toBe(cause.eventId);
  });

  it("cancels before pickup: refunds once, cancels the job, vehicle AVAILABLE again", async () => {
    const { car, purchase } = await buy();
    await openJobFor(purchase.id);
    const cancelled = (
      await sys.ok(Q.cancelPurchase, { id: purchase.id, reason: "Found another car" }, buyer)
    ).cancelPurchase;
    expect(cancelled.status).toBe("CANCELLED");
    const p = await eventually(async () => {
      const p = await purchaseOf(sys, buyer, purchase.id);
      return p.payment?.status === "REFUNDED" &&
        p.consignment?.status === "CANCELLED" &&
        p.vehicle.status === "AVAILABLE"
        ? p
        : null;
    }, "refund, job cancelled, vehicle available");
    expect(p.status).toBe("CANCELLED");
    await settled(sys);
    const events = await sys.events({ purchaseId: purchase.id });
    const count = (t: string) => events.filter((e) => e.type === t).length;
    expect([count("PaymentRefunded"), count("ConsignmentCancelled"), count("VehicleReleased")]).toEqual([
      1, 1, 1,
    ]);
    // Every compensation names the cancellation that caused it, under the same correlation key.
    const cancelledEvent = events.find((e) => e.type === "PurchaseCancelled")!;
    for (const t of ["PaymentRefunded", "ConsignmentCancelled", "VehicleReleased"]) {
      expect(events.find((e) => e.type === t)).toMatchObject({
        causationId: cancelledEvent.eventId,
        purchaseId: purchase.id,
        version: 1,
      });
    }
    // Not offered to drivers any more; a second cancel is refused.
    expect(
      (await sys.ok(Q.openConsignments, {}, driver)).openConsignments.map((c: any) => c.purchaseId),
    ).not.toContain(purchase.id);
    expect(errorCode(await sys.gql(Q.cancelPurchase, { id: purchase.id }, buyer))).toBe(
      "PURCHASE_NOT_CANCELLABLE",
    );
    // The car can be bought again.
    await eventually(
      async () => (await sys.ok(Q.vehicle, { id: car.id })).vehicle.status === "AVAILABLE",
      "vehicle AVAILABLE",
    );
    const again = await buyWhenKnown(sys, buyer2, car.id);
    expect(again.errors?.[0]?.extensions?.code ?? null).toBe(null);
  });

  it("cancels after pickup: the car comes back, refund once, stock increases again", async () => {
    const { car, purchase } = await buy();
    const job = await openJobFor(purchase.id);
    await sys.ok(Q.accept, { id: job.id }, driver2);
    await sys.ok(Q.pickUp, { id: job.id }, driver2);
    await eventually(
      async () => (await sys.ok(Q.vehicle, { id: car.id })).vehicle.status === "SOLD",
      "vehicle SOLD",
    );
    await eventually(
      async () => (await purchaseOf(sys, buyer, purchase.id)).status === "DELIVERING",
      "purchase DELIVERING",
    );

    expect((await sys.ok(Q.cancelPurchase, { id: purchase.id }, buyer)).cancelPurchase.status).toBe(
      "CANCELLED",
    );
    await eventually(async () => {
      const p = await purchaseOf(sys, buyer, purchase.id);
      return (
        p.payment?.status === "REFUNDED" &&
        p.consignment?.status === "CANCELLED" &&
        p.vehicle.status === "AVAILABLE"
      );
    }, "compensations after pickup");
    await settled(sys);
    const events = await sys.events({ purchaseId: purchase.id });
    expect(events.filter((e) => e.type === "PaymentRefunded")).toHaveLength(1);
    const cancelledJob = events.find((e) => e.type === "ConsignmentCancelled");
    expect(cancelledJob?.payload).toMatchObject({ previousStatus: "PICKED_UP", returnToLot: true });
    // The driver can no longer complete a cancelled job.
    expect(errorCode(await sys.gql(Q.complete, { id: job.id }, driver2))).toBe("CONSIGNMENT_INVALID_STATE");
  });

  it("lets exactly one of two racing buyers have the car; the other is not charged", async () => {
    const car = await cars.next();
    await settled(sys); // purchase's projection knows every seeded car
    const approvedBefore = (await sys.events({ type: "PaymentApproved" })).length;
    const [a, b] = await Promise.all([
      sys.gql(Q.requestPurchase, { vehicleId: car.id }, buyer),
      sys.gql(Q.requestPurchase, { vehicleId: car.id }, buyer2),
    ]);
    const wins = [a, b].filter((r) => !r.errors);
    const losses = [a, b].filter((r) => r.errors);
    expect(wins).toHaveLength(1);
    expect(losses.map(errorCode)).toEqual(["VEHICLE_NOT_AVAILABLE"]);
    await settled(sys);
    expect((await sys.events({ type: "PaymentApproved" })).length).toBe(approvedBefore + 1);
    expect(
      (await sys.events({ type: "PurchasePaid" })).filter((e) => (e.payload as any).vehicleId === car.id),
    ).toHaveLength(1);
  });

  it("refuses a declined payment: PAYMENT_DECLINED, no purchase, the car stays available", async () => {
    const vin = randomVin();
    const v = (
      await sys.ok(
        Q.registerVehicle,
        {
          input: {
            vin,
            make: "Genesis",
            model: "G90",
            year: 2024,
            mileageKm: 1200,
            priceKrw: DECLINE_ABOVE + 40_000_000,
          },
        },
        staff,
      )
    ).registerVehicle;
    const r = await buyWhenKnown(sys, buyer, v.id);
    expect(errorCode(r)).toBe("PAYMENT_DECLINED");
    expect((await sys.ok(Q.myPurchases, {}, buyer)).myPurchases.map((p: any) => p.vehicle.id)).not.toContain(
      v.id,
    );
    await settled(sys);
    expect(
      (await sys.events({ type: "PurchasePaid" })).some((e) => (e.payload as any).vehicleId === v.id),
    ).toBe(false);
    expect((await sys.ok(Q.vehicle, { id: v.id })).vehicle.status).toBe("AVAILABLE");
  });

  it("changes nothing when events are delivered again", async () => {
    const { purchase } = await buy();
    await openJobFor(purchase.id);
    await sys.ok(Q.cancelPurchase, { id: purchase.id }, buyer);
    await eventually(
      async () => (await purchaseOf(sys, buyer, purchase.id)).payment?.status === "REFUNDED",
      "refund",
    );
    await settled(sys);
    const before = await sys.events({ purchaseId: purchase.id });
    const dashboardBefore = (await sys.ok(Q.purchaseView, { id: purchase.id }, buyer)).purchaseView;
    for (const e of before.filter((e) => e.type === "PurchasePaid" || e.type === "PurchaseCancelled"))
      await sys.redeliver(e);
    await settled(sys);
    const after = await sys.events({ purchaseId: purchase.id });
    // Only the two copies we injected are new; no consumer reacted to them.
    expect(after.length).toBe(before.length + 2);
    const p = await purchaseOf(sys, buyer, purchase.id);
    expect(p).toMatchObject({
      status: "CANCELLED",
      payment: { status: "REFUNDED" },
      consignment: { status: "CANCELLED" },
      vehicle: { status: "AVAILABLE" },
    });
    expect((await sys.ok(Q.purchaseView, { id: purchase.id }, buyer)).purchaseView).toEqual(dashboardBefore);
  });
});

describe("who may do what", () => {
  it("requires a login to buy and a BUYER account", async () => {
    const car = await cars.next();
    expect(errorCode(await sys.gql(Q.requestPurchase, { vehicleId: car.id }))).toBe("UNAUTHENTICATED");
    expect(errorCode(await sys.gql(Q.requestPurchase, { vehicleId: car.id }, driver))).toBe("FORBIDDEN");
    expect(errorCode(await sys.gql(Q.me, {}, "not-a-token"))).toBe("UNAUTHENTICATED");
    expect((await sys.ok(Q.me, {}, buyer)).me).toMatchObject({ email: "buyer@junggo.test", role: "BUYER" });
  });

  it("shows a purchase only to its buyer and staff", async () => {
    const { purchase } = await buy();
    expect(errorCode(await sys.gql(Q.purchase, { id: purchase.id }, buyer2))).toBe("FORBIDDEN");
    expect((await sys.ok(Q.purchase, { id: purchase.id }, staff)).purchase.id).toBe(purchase.id);
    expect((await sys.ok(Q.myPurchases, {}, buyer2)).myPurchases.map((p: any) => p.id)).not.toContain(
      purchase.id,
    );
    expect(errorCode(await sys.gql(Q.purchaseView, { id: purchase.id }, buyer2))).toBe("FORBIDDEN");
  });

  it("refuses requests sent straight to a subgraph, with or without a forged identity", async () => {
    const url = `http://127.0.0.1:${sys.stack.ports.get("purchase")}/graphql`;
    for (const headers of [{}, { "x-junggo-identity": "forged" }] as Record<string, string>[]) {
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify({ query: "{ myPurchases { id } }" }),
      });
      const body = (await res.json()) as any;
      expect(body.data?.myPurchases).toBeUndefined();
      expect(body.errors[0].extensions.code).toBe("UNAUTHENTICATED");
    }
  });

  it("validates vehicle registration with field-level errors and rejects duplicate VINs", async () => {
    const input = {
      vin: randomVin(),
      make: "Kia",
      model: "K5",
      year: 2021,
      mileageKm: 30_000,
      priceKrw: 21_500_000,
    };
    expect(errorCode(await sys.gql(Q.registerVehicle, { input }, buyer))).toBe("FORBIDDEN");
    const bad = await sys.gql(Q.registerVehicle, { input: { ...input, vin: "SHORT" } }, staff);
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "vin" });
    const neg = await sys.gql(Q.registerVehicle, { input: { ...input, mileageKm: -1 } }, staff);
    expect(neg.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "mileageKm" });
    await sys.ok(Q.registerVehicle, { input }, staff);
    expect(errorCode(await sys.gql(Q.registerVehicle, { input }, staff))).toBe("DUPLICATE_VIN");
  });
});
