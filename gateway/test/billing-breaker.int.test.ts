import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signServiceToken } from "@junggo/runtime";
import { errorCode, eventually, TestSystem, type GqlResult } from "./support/harness.ts";
import { Q, randomVin, settled, VehiclePicker, type VehicleNode } from "./support/junggo.ts";
import { metrics, serviceUrl } from "./support/live.ts";
import { setBillingSandbox, stackInternalSecret } from "./support/billing-sandbox.ts";

// Purchase → billing protection on a real stack: billing's sandbox provider is slowed down in the
// running process, purchase's circuit breaker and bulkhead are observed through the gateway, its
// /metrics and /readyz, and billing's payments.

/** BILLING_TIMEOUT_MS left at its default for the breaker part. */
const TIMEOUT_MS = 610;
/** Long enough for the fail-fast checks to run while the breaker is open, even on a busy machine. */
const HALF_OPEN_MS = 4_000;
/** "Fails fast": far below one billing timeout, measured end to end through the gateway. */
const FAST_MS = 300;

const PAYMENTS = `{ payments(first: 200) { id status amountKrw purchaseId } }`;
interface PaymentRow {
  id: string;
  status: string;
  amountKrw: number;
  purchaseId: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const purchaseMetrics = (sys: TestSystem) => metrics(serviceUrl(sys, "purchase"));
const delta = (after: Record<string, number>, before: Record<string, number>, name: string) =>
  after[name]! - before[name]!;

async function readiness(
  sys: TestSystem,
): Promise<{ status: number; body: { status: string; billing: { breaker: string; inFlight: number } } }> {
  const res = await fetch(`${serviceUrl(sys, "purchase")}/readyz`);
  return { status: res.status, body: (await res.json()) as never };
}

async function timedPurchase(
  sys: TestSystem,
  token: string,
  vehicleId: string,
): Promise<{ r: GqlResult; ms: number }> {
  const t0 = performance.now();
  const r = await sys.gql(Q.requestPurchase, { vehicleId }, token);
  return { r, ms: performance.now() - t0 };
}

const retryAfter = (r: GqlResult) => r.errors?.[0]?.extensions?.retryAfterSeconds;
const payments = async (sys: TestSystem, staff: string) =>
  (await sys.ok<{ payments: PaymentRow[] }>(PAYMENTS, {}, staff)).payments;
const allPurchases = async (sys: TestSystem, staff: string) =>
  (await sys.ok<{ myPurchases: { id: string; vehicle: { id: string } }[] }>(Q.myPurchases, {}, staff))
    .myPurchases;

describe("billing circuit breaker: billing slower than the timeout", () => {
  let sys: TestSystem;
  let cars: VehiclePicker;
  let buyer: string, staff: string;

  beforeAll(async () => {
    sys = await TestSystem.start({
      serviceEnv: {
        purchase: { BILLING_BREAKER_THRESHOLD: "3", BILLING_BREAKER_HALF_OPEN_MS: String(HALF_OPEN_MS) },
      },
    });
    cars = new VehiclePicker(sys);
    buyer = await sys.login("buyer@junggo.test");
    staff = await sys.login("staff@junggo.test");
    await settled(sys);
  });
  afterAll(async () => {
    await sys?.stop();
  });

  it("keeps billing's sandbox control API closed to anyone without a test service token", async () => {
    const url = `${serviceUrl(sys, "billing")}/internal/sandbox`;
    expect((await fetch(url)).status).toBe(401);
    const asPurchase = await signServiceToken("purchase", stackInternalSecret(sys));
    expect(
      (
        await fetch(url, {
          method: "PUT",
          headers: { authorization: `Bearer ${asPurchase}`, "content-type": "application/json" },
          body: '{"latencyMs":1}',
        })
      ).status,
    ).toBe(403);
  });

  it("opens after consecutive timeouts, fails fast with retryAfterSeconds, buys and keeps nothing, and closes after a successful probe", async () => {
    const m0 = await purchaseMetrics(sys);
    expect(m0.junggo_billing_breaker_state).toBe(0);
    expect((await readiness(sys)).body.billing.breaker).toBe("closed");
    const purchasesBefore = (await allPurchases(sys, staff)).length;
    const paymentsBefore = await payments(sys, staff);
    const abandonedBefore = (await sys.events({ type: "PurchaseAbandoned" })).length;

    expect(await setBillingSandbox(sys, { latencyMs: 1500 })).toMatchObject({ latencyMs: 1500 });

    // 1. Each of the first purchase's three attempts (two retries) waits out the timeout; the third
    //    consecutive failure opens the breaker.
    const first = await cars.next();
    const slow = await timedPurchase(sys, buyer, first.id);
    const openedBefore = Date.now();
    expect(errorCode(slow.r)).toBe("PAYMENT_UNAVAILABLE");
    expect(slow.ms).toBeGreaterThanOrEqual(3 * TIMEOUT_MS);
    const m1 = await purchaseMetrics(sys);
    expect(m1.junggo_billing_breaker_state).toBe(1);
    expect({
      calls: delta(m1, m0, "junggo_billing_calls_total"),
      timeouts: delta(m1, m0, "junggo_billing_timeouts_total"),
      failures: delta(m1, m0, "junggo_billing_failures_total"),
      opened: delta(m1, m0, "junggo_billing_breaker_opened_total"),
      rejected: delta(m1, m0, "junggo_billing_rejected_total"),
    }).toEqual({ calls: 3, timeouts: 3, failures: 3, opened: 1, rejected: 0 });
    const open = await readiness(sys);
    // Purchase stays ready (queries and events do not need billing); the breaker is reported.
    expect(open.status).toBe(200);
    expect(open.body.billing.breaker).toBe("open");

    // 2. While open, purchases are refused without calling billing, well under one timeout.
    const refused: VehicleNode[] = [];
    const fastMs: number[] = [];
    for (let i = 0; i < 4; i++) {
      const car = await cars.next();
      refused.push(car);
      const { r, ms } = await timedPurchase(sys, buyer, car.id);
      fastMs.push(Math.round(ms));
      expect(errorCode(r)).toBe("PAYMENT_UNAVAILABLE");
      expect(r.errors?.[0]?.message).toMatch(/try again/i);
      expect(ms).toBeLessThan(FAST_MS);
      const after = retryAfter(r);
      expect(Number.isInteger(after)).toBe(true);
      expect(after).toBeGreaterThanOrEqual(1);
      expect(after).toBeLessThanOrEqual(HALF_OPEN_MS / 1000);
    }
    console.log(
      `billing breaker: first purchase ${Math.round(slow.ms)} ms (3 timeouts), then refused while open in ${fastMs.join(", ")} ms`,
    );
    const m2 = await purchaseMetrics(sys);
    expect(delta(m2, m1, "junggo_billing_calls_total")).toBe(0);
    expect(delta(m2, m1, "junggo_billing_rejected_total")).toBe(4);
    expect(m2.junggo_billing_breaker_state).toBe(1);

    // 3. Nothing was bought, every car is available, and the one charge that reached billing
    //    (three attempts, one purchaseId) is voided; refused requests never reached billing.
    await settled(sys);
    const everyCar = [first, ...refused];
    const purchases = await allPurchases(sys, staff);
    expect(purchases).toHaveLength(purchasesBefore);
    for (const car of everyCar) {
      expect(purchases.some((p) => p.vehicle.id === car.id)).toBe(false);
      expect((await sys.ok(Q.vehicle, { id: car.id })).vehicle.status).toBe("AVAILABLE");
    }
    const abandoned = (await sys.events({ type: "PurchaseAbandoned" })).slice(abandonedBefore);
    expect(abandoned.map((e) => (e.payload as { vehicleId: string }).vehicleId)).toEqual([first.id]);
    const timedOutPurchaseId = abandoned[0]!.purchaseId!;
    // The provider approved the late charge; billing must end up with it VOIDED at full amount
    // (a tombstone of amount 0 alone would mean the late charge was not caught yet).
    const voided = await eventually(
      async () => {
        const rows = (await payments(sys, staff)).filter((p) => p.purchaseId === timedOutPurchaseId);
        return rows.length > 0 && rows.every((p) => p.status === "VOIDED" && p.amountKrw === first.priceKrw)
          ? rows
          : null;
      },
      "billing to void the charge of the timed-out purchase",
      30_000,
    );
    expect(voided).toHaveLength(1);
    const newPayments = (await payments(sys, staff)).filter(
      (p) => !paymentsBefore.some((b) => b.id === p.id),
    );
    expect(newPayments.map((p) => p.purchaseId)).toEqual([timedOutPurchaseId]);

    // 4. Billing recovers; after the half-open time the next purchase is the probe, its success
    //    closes the breaker.
    await setBillingSandbox(sys, { latencyMs: 20 });
    await sleep(Math.max(0, openedBefore + HALF_OPEN_MS + 250 - Date.now()));
    // Open until a purchase arrives after the half-open time: that purchase is the probe.
    expect((await purchaseMetrics(sys)).junggo_billing_breaker_state).toBe(1);
    const probe = await sys.gql(Q.requestPurchase, { vehicleId: first.id }, buyer);
    expect(probe.errors).toBeUndefined();
    expect(probe.data.requestPurchase).toMatchObject({
      status: "PAID",
      vehicle: { id: first.id },
      payment: { status: "APPROVED", amountKrw: first.priceKrw },
    });
    const m3 = await purchaseMetrics(sys);
    expect(m3.junggo_billing_breaker_state).toBe(0);
    expect(delta(m3, m2, "junggo_billing_calls_total")).toBe(1);
    expect(m3.junggo_billing_breaker_opened_total).toBe(m1.junggo_billing_breaker_opened_total);
    expect((await readiness(sys)).body.billing.breaker).toBe("closed");

    // 5. No hold was left behind: every refused car can be bought now.
    for (const car of refused) {
      const r = await sys.gql(Q.requestPurchase, { vehicleId: car.id }, buyer);
      expect(r.errors).toBeUndefined();
      expect(r.data.requestPurchase).toMatchObject({ status: "PAID", vehicle: { id: car.id } });
    }
  });

  // Overload is answered at the door, not by the breaker: with purchase's default admission gate
  // and a billing timeout that does not count CPU starvation (ours or billing's) against billing,
  // a burst that saturates this 2-core machine is served in full while billing is healthy, even
  // with this stack's strict breaker (3 failures). Runs after the breaker test (healthy billing again).
  it("serves 32 concurrent buyers with distinct cars, twice over: none refused, the breaker stays closed", async () => {
    const BUYERS = 32,
      ROUNDS = 2;
    const register = `mutation ($input: RegisterVehicleInput!) { registerVehicle(input: $input) { id } }`;
    const fresh: string[] = [];
    for (let i = 0; i < BUYERS * ROUNDS; i++) {
      const input = {
        vin: randomVin(),
        make: "Kia",
        model: "Ray",
        year: 2022,
        mileageKm: 10_000 + i,
        priceKrw: 9_000_000 + i * 1_000,
      };
      fresh.push(
        (await sys.ok<{ registerVehicle: { id: string } }>(register, { input }, staff)).registerVehicle.id,
      );
    }
    await settled(sys); // purchase knows every new car
    const buyer2 = await sys.login("buyer2@junggo.test");
    const m0 = await purchaseMetrics(sys);
    const t0 = performance.now();
    const results = await Promise.all(
      Array.from({ length: BUYERS }, async (_, b) => {
        const mine: { r: GqlResult; ms: number }[] = [];
        for (let round = 0; round < ROUNDS; round++)
          mine.push(await timedPurchase(sys, b % 2 ? buyer2 : buyer, fresh[round * BUYERS + b]!));
        return mine;
      }),
    );
    const all = results.flat();
    const ms = all.map((x) => x.ms).sort((a, b) => a - b);
    const m1 = await purchaseMetrics(sys);
    const refusals = all.filter((x) => x.r.errors).map((x) => errorCode(x.r));
    console.log(
      `32 buyers: ${all.length} purchases in ${Math.round(performance.now() - t0)} ms, p50 ${Math.round(ms[ms.length >> 1]!)} ms, max ${Math.round(ms.at(-1)!)} ms; ` +
        `waited at the door ${delta(m1, m0, "junggo_purchase_admission_waited_total")}, stall timeouts ${delta(m1, m0, "junggo_billing_stall_timeouts_total")}, billing timeouts ${delta(m1, m0, "junggo_billing_timeouts_total")}, billing failures ${delta(m1, m0, "junggo_billing_failures_total")}, refusals ${JSON.stringify(refusals)}`,
    );
    expect(refusals).toEqual([]);
    for (const x of all)
      expect(x.r.data.requestPurchase).toMatchObject({ status: "PAID", payment: { status: "APPROVED" } });
    expect({
      opened: delta(m1, m0, "junggo_billing_breaker_opened_total"),
      failures: delta(m1, m0, "junggo_billing_failures_total"),
      rejected: delta(m1, m0, "junggo_billing_rejected_total"),
      bulkheadRejected: delta(m1, m0, "junggo_billing_bulkhead_rejected_total"),
      overloaded: delta(m1, m0, "junggo_purchase_overloaded_total"),
      breaker: m1.junggo_billing_breaker_state,
    }).toEqual({ opened: 0, failures: 0, rejected: 0, bulkheadRejected: 0, overloaded: 0, breaker: 0 });
    await settled(sys);
  });
});

// A second stack: the bulkhead needs charges that succeed slowly (1000 ms), so its timeout must be
// above that; with the default 610 ms the admitted charges would time out and trip the breaker.
describe("billing bulkhead: at most 2 concurrent charges, no queue", () => {
  let sys: TestSystem;
  let cars: VehiclePicker;
  let buyer: string, staff: string;

  beforeAll(async () => {
    sys = await TestSystem.start({
      serviceEnv: {
        purchase: { BILLING_MAX_CONCURRENT: "2", BILLING_MAX_QUEUED: "0", BILLING_TIMEOUT_MS: "3000" },
      },
    });
    cars = new VehiclePicker(sys);
    buyer = await sys.login("buyer@junggo.test");
    staff = await sys.login("staff@junggo.test");
    await settled(sys);
  });
  afterAll(async () => {
    await sys?.stop();
  });

  it("lets 2 of 6 concurrent purchases reach billing and refuses the others at once, holding and charging nothing for them", async () => {
    const m0 = await purchaseMetrics(sys);
    const purchasesBefore = (await allPurchases(sys, staff)).length;
    const paymentsBefore = await payments(sys, staff);
    const abandonedBefore = (await sys.events({ type: "PurchaseAbandoned" })).length;
    await setBillingSandbox(sys, { latencyMs: 1000 });

    const batch: VehicleNode[] = [];
    for (let i = 0; i < 6; i++) batch.push(await cars.next());
    let peak = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, (await purchaseMetrics(sys)).junggo_billing_in_flight!);
        await sleep(100);
      }
    })();
    const results = await Promise.all(batch.map((car) => timedPurchase(sys, buyer, car.id)));
    sampling = false;
    await sampler;

    const paid = results.filter((x) => !x.r.errors);
    const refused = results.filter((x) => x.r.errors);
    expect(paid).toHaveLength(2);
    expect(refused).toHaveLength(4);
    for (const x of paid) {
      expect(x.r.data.requestPurchase).toMatchObject({ status: "PAID", payment: { status: "APPROVED" } });
      expect(x.ms).toBeGreaterThanOrEqual(1000);
    }
    for (const x of refused) {
      expect(errorCode(x.r)).toBe("PAYMENT_UNAVAILABLE");
      expect(retryAfter(x.r)).toBeGreaterThanOrEqual(1);
      // Refused without waiting for billing (which takes 1000 ms per charge).
      expect(x.ms).toBeLessThan(700);
    }
    expect(peak).toBe(2);

    const m1 = await purchaseMetrics(sys);
    expect({
      calls: delta(m1, m0, "junggo_billing_calls_total"),
      bulkheadRejected: delta(m1, m0, "junggo_billing_bulkhead_rejected_total"),
      failures: delta(m1, m0, "junggo_billing_failures_total"),
      inFlight: m1.junggo_billing_in_flight,
      breaker: m1.junggo_billing_breaker_state,
    }).toEqual({ calls: 2, bulkheadRejected: 4, failures: 0, inFlight: 0, breaker: 0 });

    // Billing saw exactly the two admitted charges; the refused requests left no purchase, no
    // abandonment to void and no hold.
    await settled(sys);
    const paidIds = paid.map((x) => x.r.data.requestPurchase.id as string).sort();
    const newPayments = (await payments(sys, staff)).filter(
      (p) => !paymentsBefore.some((b) => b.id === p.id),
    );
    expect(newPayments.map((p) => p.purchaseId).sort()).toEqual(paidIds);
    expect((await allPurchases(sys, staff)).length).toBe(purchasesBefore + 2);
    expect((await sys.events({ type: "PurchaseAbandoned" })).length).toBe(abandonedBefore);

    await setBillingSandbox(sys, { latencyMs: 20 });
    const refusedCars = batch.filter((_, i) => results[i]!.r.errors);
    for (const car of refusedCars) {
      const r = await sys.gql(Q.requestPurchase, { vehicleId: car.id }, buyer);
      expect(r.errors).toBeUndefined();
      expect(r.data.requestPurchase).toMatchObject({ status: "PAID", vehicle: { id: car.id } });
    }
  });
});
