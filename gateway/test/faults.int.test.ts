import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "nats";
import { SUBGRAPHS } from "@junggo/devstack";
import { errorCode, eventually, TestSystem } from "./support/harness.ts";
import { buyWhenKnown, purchaseOf, Q, settled, VehiclePicker } from "./support/junggo.ts";

// Fault isolation: real processes stopped and started while the system is used through the gateway.
let sys: TestSystem;
let cars: VehiclePicker;
let buyer: string, driver: string;

beforeAll(async () => {
  sys = await TestSystem.start({ serviceEnv: { purchase: { BILLING_BREAKER_HALF_OPEN_MS: "1000" } } });
  cars = new VehiclePicker(sys);
  buyer = await sys.login("buyer@junggo.test");
  driver = await sys.login("driver@junggo.test");
  await settled(sys);
});
afterAll(async () => {
  await sys?.stop();
});

describe("fault isolation", () => {
  it("answers PAYMENT_UNAVAILABLE and creates no purchase while billing is down, and recovers", async () => {
    const car = await cars.next();
    await sys.stack.service("billing").stop();
    const r = await sys.gql(Q.requestPurchase, { vehicleId: car.id }, buyer);
    expect(errorCode(r)).toBe("PAYMENT_UNAVAILABLE");
    expect(r.errors?.[0]?.message).toMatch(/try again/i);
    expect((await sys.ok(Q.myPurchases, {}, buyer)).myPurchases.map((p: any) => p.vehicle.id)).not.toContain(
      car.id,
    );
    expect((await sys.ok(Q.vehicle, { id: car.id })).vehicle.status).toBe("AVAILABLE");

    await sys.stack.service("billing").start();
    const ok = await eventually(async () => {
      const r = await sys.gql(Q.requestPurchase, { vehicleId: car.id }, buyer);
      return r.errors ? null : r.data.requestPurchase;
    }, "purchases to work again after billing is back");
    expect(ok).toMatchObject({ status: "PAID", payment: { status: "APPROVED" } });
  });

  it("accepts purchases while consignment is down; every missed job appears after it restarts", async () => {
    await sys.stack.service("consignment").stop();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const car = await cars.next();
      const r = await buyWhenKnown(sys, buyer, car.id);
      expect(r.errors).toBeUndefined();
      ids.push(r.data.requestPurchase.id);
    }
    await sys.stack.service("consignment").start();
    const open = await eventually(async () => {
      const jobs = (await sys.ok(Q.openConsignments, {}, driver)).openConsignments as {
        purchaseId: string;
      }[];
      return ids.every((id) => jobs.some((j) => j.purchaseId === id)) ? jobs : null;
    }, "every missed consignment");
    expect(open.filter((j) => ids.includes(j.purchaseId))).toHaveLength(3);
    for (const id of ids) expect((await purchaseOf(sys, buyer, id)).consignment.status).toBe("REQUESTED");
  });

  it("accepts purchases while NATS is down; the outbox delivers every event once it is back", async () => {
    await settled(sys);
    const car = await cars.next();
    await sys.nc.close();
    await sys.stack.nats.stop();
    const r = await sys.gql(Q.requestPurchase, { vehicleId: car.id }, buyer);
    expect(r.errors).toBeUndefined();
    const id = r.data.requestPurchase.id;
    expect(r.data.requestPurchase).toMatchObject({ status: "PAID", payment: { status: "APPROVED" } });

    await sys.stack.nats.start();
    sys.nc = await connect(sys.stack.natsOptions());
    const p = await eventually(async () => {
      const p = await purchaseOf(sys, buyer, id);
      return p.consignment?.status === "REQUESTED" && p.vehicle.status === "RESERVED" ? p : null;
    }, "the saga to continue after NATS returns");
    expect(p.status).toBe("PAID");
    await settled(sys);
    const events = await sys.events({ purchaseId: id });
    for (const t of ["PurchasePaid", "PaymentApproved", "VehicleReserved", "ConsignmentRequested"]) {
      expect(
        events.filter((e) => e.type === t),
        t,
      ).toHaveLength(1);
    }
  });

  it("keeps the dashboard answering with every other subgraph stopped", async () => {
    await settled(sys);
    const before = (await sys.ok(Q.myDashboard, {}, buyer)).myDashboard;
    expect(before.length).toBeGreaterThanOrEqual(4);
    await Promise.all(SUBGRAPHS.filter((n) => n !== "dashboard").map((n) => sys.stack.service(n).stop()));
    const during = await sys.ok(Q.myDashboard, {}, buyer);
    expect(during.myDashboard).toEqual(before);
    expect((await sys.ok(Q.purchaseView, { id: before[0].purchaseId }, buyer)).purchaseView.purchaseId).toBe(
      before[0].purchaseId,
    );
  });
});
