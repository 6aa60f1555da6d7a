import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorCode, eventually, TestSystem } from "./support/harness.ts";
import { buyWhenKnown, Q, VehiclePicker } from "./support/junggo.ts";

// Repairs through the gateway on a real stack: maintenance takes a REPAIR hold at purchase (the
// one arbiter of who holds a car), so a car in the workshop cannot be bought, and completing the
// order makes it purchasable again (purchase releases on RepairOrderCompleted). Stock's own
// IN_REPAIR status is stock's (tested there); here: the hold and purchasability.
let sys: TestSystem;
let cars: VehiclePicker;
let buyer: string, staff: string;

const R = {
  open: `mutation ($vehicleId: ID!, $description: String!) { openRepairOrder(vehicleId: $vehicleId, description: $description) {
    id kind status description notes openedAt completedAt vehicle { id make model } } }`,
  complete: `mutation ($id: ID!, $notes: String) { completeRepairOrder(id: $id, notes: $notes) { id status notes completedAt } }`,
  list: `query ($open: Boolean) { repairOrders(open: $open) { id kind status vehicle { id } } }`,
};

beforeAll(async () => {
  sys = await TestSystem.start();
  cars = new VehiclePicker(sys);
  buyer = await sys.login("buyer@junggo.test");
  staff = await sys.login("staff@junggo.test");
});
afterAll(async () => {
  await sys?.stop();
});

/** Opens a repair order once purchase's projection knows the car (stock → purchase is eventually consistent). */
const openWhenKnown = (vehicleId: string, description = "Brake pads and discs") =>
  eventually(async () => {
    const r = await sys.gql(R.open, { vehicleId, description }, staff);
    return errorCode(r) === "VEHICLE_NOT_FOUND" ? null : r;
  }, `vehicle ${vehicleId} known to purchase`);

describe("repairs", () => {
  it("a car in the workshop cannot be bought; completed, it can; an order completes once", async () => {
    const car = await cars.next();
    const opened = await openWhenKnown(car.id);
    expect(opened.errors).toBeUndefined();
    const order = opened.data.openRepairOrder;
    expect(order).toMatchObject({
      kind: "REPAIR",
      status: "OPEN",
      description: "Brake pads and discs",
      notes: null,
      completedAt: null,
      vehicle: { id: car.id, make: car.make, model: car.model },
    });
    expect(errorCode(await sys.gql(Q.requestPurchase, { vehicleId: car.id }, buyer))).toBe(
      "VEHICLE_NOT_AVAILABLE",
    );
    // Already in the workshop: a second order is refused.
    expect(errorCode(await sys.gql(R.open, { vehicleId: car.id, description: "again" }, staff))).toBe(
      "VEHICLE_NOT_AVAILABLE",
    );
    const open = (await sys.ok(R.list, { open: true }, staff)).repairOrders as { id: string }[];
    expect(open.map((o) => o.id)).toContain(order.id);

    const done = (await sys.ok(R.complete, { id: order.id, notes: "Pads and discs replaced" }, staff))
      .completeRepairOrder;
    expect(done).toMatchObject({ id: order.id, status: "COMPLETED", notes: "Pads and discs replaced" });
    expect(errorCode(await sys.gql(R.complete, { id: order.id }, staff))).toBe("REPAIR_ORDER_NOT_OPEN");
    const closed = (await sys.ok(R.list, { open: false }, staff)).repairOrders as { id: string }[];
    expect(closed.map((o) => o.id)).toContain(order.id);

    // Purchase gives the REPAIR hold back when it consumes RepairOrderCompleted: buyable again.
    const bought = await eventually(async () => {
      const r = await sys.gql(Q.requestPurchase, { vehicleId: car.id }, buyer);
      return errorCode(r) === "VEHICLE_NOT_AVAILABLE" ? null : r;
    }, "the repaired car purchasable again");
    expect(bought.errors).toBeUndefined();
    expect(bought.data.requestPurchase).toMatchObject({ status: "PAID", vehicle: { id: car.id } });

    // A car a buyer holds cannot be sent to the workshop.
    const refused = await sys.gql(R.open, { vehicleId: car.id, description: "Oil change" }, staff);
    expect(errorCode(refused)).toBe("VEHICLE_NOT_AVAILABLE");
    expect(refused.errors?.[0]?.message).toBe("This car is held by a buyer and cannot be sent to repair.");
  });

  it("a car a buyer holds is refused at once", async () => {
    const car = await cars.next();
    const r = await buyWhenKnown(sys, buyer, car.id);
    expect(r.errors).toBeUndefined();
    expect(errorCode(await sys.gql(R.open, { vehicleId: car.id, description: "Tyres" }, staff))).toBe(
      "VEHICLE_NOT_AVAILABLE",
    );
  });

  it("is staff's only, with field-level input errors", async () => {
    const car = await cars.next();
    expect(errorCode(await sys.gql(R.open, { vehicleId: car.id, description: "x" }, buyer))).toBe(
      "FORBIDDEN",
    );
    expect(errorCode(await sys.gql(R.list, { open: true }, buyer))).toBe("FORBIDDEN");
    expect(errorCode(await sys.gql(R.list, { open: true }))).toBe("UNAUTHENTICATED");
    expect(errorCode(await sys.gql(R.complete, { id: crypto.randomUUID() }, buyer))).toBe("FORBIDDEN");
    expect(errorCode(await sys.gql(R.complete, { id: crypto.randomUUID() }, staff))).toBe(
      "REPAIR_ORDER_NOT_FOUND",
    );
    const blank = await sys.gql(R.open, { vehicleId: car.id, description: "   " }, staff);
    expect(blank.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "description" });
    const badId = await sys.gql(R.open, { vehicleId: "nope", description: "x" }, staff);
    expect(badId.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "vehicleId" });
    // Nothing was held by the refusals: the car can still be bought.
    expect((await buyWhenKnown(sys, buyer, car.id)).errors).toBeUndefined();
  });
});
