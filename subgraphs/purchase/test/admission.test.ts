import { describe, expect, it } from "vitest";
import {
  AdmissionGate,
  createLogger,
  DomainError,
  formatError,
  LoopStallMeter,
  type Viewer,
} from "@junggo/runtime";
import type { BillingPort, ChargeOutcome } from "../src/app/billing.port.ts";
import type { PurchaseDeps } from "../src/app/purchase.infra.ts";
import { makeRequestPurchase } from "../src/app/request-purchase.use-case.ts";
import { admissionMetrics } from "../src/adapters/admission.metrics.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const buyer: Viewer = { id: "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb", role: "BUYER" } as Viewer;
const car = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

/** requestPurchase over in-memory fakes: records every hold written and every charge sent. */
function fixture(answer: () => Promise<ChargeOutcome>) {
  const holds: string[] = [];
  const released: string[] = [];
  const charges: string[] = [];
  let charging = 0;
  let peakCharging = 0;
  const deps = {
    db: {},
    transact: async (fn: (tx: unknown) => Promise<unknown>) => fn({}),
    log: createLogger("test"),
    vehicles: {
      byId: async (_db: unknown, id: string) => ({
        id,
        make: "Kia",
        model: "K5",
        year: 2020,
        priceKrw: 1_000,
        status: "AVAILABLE",
      }),
    },
    holds: {
      byVehicle: async () => null,
      tryInsert: async (_db: unknown, h: { vehicleId: string }) => {
        holds.push(h.vehicleId);
        return true;
      },
      insert: async (_tx: unknown, h: { vehicleId: string }) => {
        holds.push(h.vehicleId);
      },
      release: async (_tx: unknown, h: { vehicleId: string }) => {
        released.push(h.vehicleId);
        return true;
      },
    },
    purchases: {},
  } as unknown as PurchaseDeps;
  const billing: BillingPort = {
    fastRefusal: () => null,
    charge: async (req) => {
      charges.push(req.purchaseId);
      peakCharging = Math.max(peakCharging, ++charging);
      try {
        return await answer();
      } finally {
        charging--;
      }
    },
  };
  return { deps, billing, holds, released, charges, peak: () => peakCharging };
}

/** The error code a settled purchase request ended with. */
const outcome = (r: PromiseSettledResult<unknown>) =>
  r.status === "fulfilled" ? "ok" : ((r.reason as DomainError).code ?? String(r.reason));

describe("AdmissionGate", () => {
  it("refuses invalid limits at start, naming the setting", () => {
    const settings = {
      maxConcurrent: "PURCHASE_MAX_CONCURRENT",
      maxQueued: "PURCHASE_MAX_QUEUED",
      maxWaitMs: "PURCHASE_MAX_WAIT_MS",
    };
    expect(() => new AdmissionGate({ maxConcurrent: 0, maxQueued: 1, maxWaitMs: 1, settings })).toThrow(
      /PURCHASE_MAX_CONCURRENT must be a whole number ≥ 1, got 0/,
    );
    expect(() => new AdmissionGate({ maxConcurrent: 1.5, maxQueued: 1, maxWaitMs: 1, settings })).toThrow(
      /PURCHASE_MAX_CONCURRENT/,
    );
    expect(() => new AdmissionGate({ maxConcurrent: 1, maxQueued: -1, maxWaitMs: 1, settings })).toThrow(
      /PURCHASE_MAX_QUEUED must be a whole number ≥ 0/,
    );
    expect(() => new AdmissionGate({ maxConcurrent: 1, maxQueued: 1, maxWaitMs: 2.5, settings })).toThrow(
      /PURCHASE_MAX_WAIT_MS must be a whole number ≥ 0, got 2.5/,
    );
    expect(() => new AdmissionGate({ maxConcurrent: 1, maxQueued: 0, maxWaitMs: 0 })).not.toThrow();
  });

  it("runs at most maxConcurrent at once, first come first served, and answers OVERLOADED with retryAfterSeconds when the queue is full", async () => {
    const gate = new AdmissionGate({ maxConcurrent: 2, maxQueued: 2, maxWaitMs: 5_000, what: "Purchases" });
    const order: number[] = [];
    let running = 0,
      peak = 0;
    const job = (n: number) =>
      gate.run(async () => {
        order.push(n);
        peak = Math.max(peak, ++running);
        await sleep(30);
        running--;
        return n;
      });
    const results = await Promise.allSettled([1, 2, 3, 4, 5, 6].map(job));
    expect(results.map(outcome)).toEqual(["ok", "ok", "ok", "ok", "OVERLOADED", "OVERLOADED"]);
    expect(order).toEqual([1, 2, 3, 4]);
    expect(peak).toBe(2);
    const err = (results[4] as PromiseRejectedResult).reason as DomainError;
    expect(err).toBeInstanceOf(DomainError);
    expect(err.details.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(err.message).toMatch(/Purchases are very busy.*try again in \d+ s/);
    // The GraphQL shape buyers see: code and retryAfterSeconds in the extensions.
    expect(formatError({ message: "" }, { originalError: err }).extensions).toMatchObject({
      code: "OVERLOADED",
      retryAfterSeconds: err.details.retryAfterSeconds,
    });
    expect(gate.stats()).toEqual({
      inFlight: 0,
      queued: 0,
      admitted: 4,
      queuedAdmitted: 2,
      rejectedFull: 2,
      rejectedWait: 0,
    });
  });

  it("refuses a queued request after maxWaitMs and frees its queue place", async () => {
    const gate = new AdmissionGate({ maxConcurrent: 1, maxQueued: 1, maxWaitMs: 80 });
    let finish!: () => void;
    const long = gate.run(() => new Promise<void>((r) => (finish = r)));
    const t0 = performance.now();
    const waited = await gate.run(async () => "never").catch((e: DomainError) => e);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(75);
    expect(performance.now() - t0).toBeLessThan(250);
    expect((waited as DomainError).code).toBe("OVERLOADED");
    expect(gate.stats()).toMatchObject({ inFlight: 1, queued: 0, rejectedWait: 1 });
    // The queue place is free again: the next request waits and is served once the slot frees.
    const next = gate.run(async () => "served");
    expect(gate.stats().queued).toBe(1);
    finish();
    await long;
    expect(await next).toBe("served");
    expect(gate.stats()).toMatchObject({
      inFlight: 0,
      queued: 0,
      admitted: 2,
      queuedAdmitted: 1,
      rejectedWait: 1,
      rejectedFull: 0,
    });
  });
});

describe("requestPurchase behind the admission gate", () => {
  it("sheds load before anything is held or charged: queue full → OVERLOADED at once, max wait → OVERLOADED, no hold written", async () => {
    const pending: (() => void)[] = [];
    const f = fixture(
      () =>
        new Promise((resolve) => pending.push(() => resolve({ kind: "declined", message: "card declined" }))),
    );
    const gate = new AdmissionGate({ maxConcurrent: 2, maxQueued: 2, maxWaitMs: 300, what: "Purchases" });
    const requestPurchase = makeRequestPurchase(f.deps, f.billing, { admission: gate });

    const started = performance.now();
    const requests = [1, 2, 3, 4, 5].map((n) =>
      requestPurchase(buyer, car(n)).then(
        () => "ok",
        (e: DomainError) => ({
          code: e.code,
          ms: performance.now() - started,
          retryAfterSeconds: e.details?.retryAfterSeconds,
        }),
      ),
    );
    await sleep(20);
    // Two run (holding their car, charging), two wait at the door, the fifth was refused at once.
    expect(f.holds).toEqual([car(1), car(2)]);
    expect(f.charges).toHaveLength(2);
    expect(gate.stats()).toMatchObject({ inFlight: 2, queued: 2, rejectedFull: 1 });
    expect(await requests[4]).toMatchObject({ code: "OVERLOADED" });
    expect(((await requests[4]) as { ms: number }).ms).toBeLessThan(20);

    // One charge answers: the first waiter gets the place, holds its car and charges.
    pending.shift()!();
    expect(await requests[0]).toMatchObject({ code: "PAYMENT_DECLINED" });
    await sleep(20);
    expect(f.holds).toEqual([car(1), car(2), car(3)]);

    // The other waiter never gets a place within 300 ms: OVERLOADED, having held nothing.
    const r4 = (await requests[3]) as { code: string; ms: number; retryAfterSeconds: number };
    expect(r4.code).toBe("OVERLOADED");
    expect(r4.ms).toBeGreaterThanOrEqual(290);
    expect(r4.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    while (pending.length) pending.shift()!();
    expect(await requests[1]).toMatchObject({ code: "PAYMENT_DECLINED" });
    expect(await requests[2]).toMatchObject({ code: "PAYMENT_DECLINED" });

    expect(f.holds).toEqual([car(1), car(2), car(3)]);
    expect(f.released.sort()).toEqual([car(1), car(2), car(3)]);
    expect(f.charges).toHaveLength(3);
    expect(admissionMetrics(gate.stats())).toEqual({
      junggo_purchase_admission_in_flight: 0,
      junggo_purchase_admission_queued: 0,
      junggo_purchase_admission_admitted_total: 3,
      junggo_purchase_admission_waited_total: 1,
      junggo_purchase_overloaded_total: 2,
      junggo_purchase_overloaded_queue_full_total: 1,
      junggo_purchase_overloaded_wait_total: 1,
    });
  });

  it("serves every queued request when places free up in time (32 buyers, 4 places): none refused, billing never sees more than 4", async () => {
    const f = fixture(async () => {
      await sleep(15);
      return { kind: "declined", message: "card declined" };
    });
    const gate = new AdmissionGate({ maxConcurrent: 4, maxQueued: 64, maxWaitMs: 5_000 });
    const requestPurchase = makeRequestPurchase(f.deps, f.billing, { admission: gate });
    const results = await Promise.allSettled(
      Array.from({ length: 32 }, (_, i) => requestPurchase(buyer, car(i + 1))),
    );
    expect(new Set(results.map(outcome))).toEqual(new Set(["PAYMENT_DECLINED"]));
    expect(f.peak()).toBe(4);
    expect(f.holds).toHaveLength(32);
    expect(gate.stats()).toMatchObject({
      admitted: 32,
      queuedAdmitted: 28,
      rejectedFull: 0,
      rejectedWait: 0,
      inFlight: 0,
      queued: 0,
    });
  });
});

describe("LoopStallMeter", () => {
  it("counts the time the event loop was blocked, not the time it was idle, and only while held", async () => {
    const meter = new LoopStallMeter();
    const release = meter.hold();
    const s0 = meter.stalledMs();
    await sleep(60); // idle: the probe runs on time
    const idle = meter.stalledMs() - s0;
    const end = performance.now() + 120;
    while (performance.now() < end) {
      /* blocked */
    }
    const blocked = meter.stalledMs() - s0 - idle; // includes the probe overdue right now
    release();
    expect(idle).toBeLessThan(25);
    expect(blocked).toBeGreaterThanOrEqual(100);
    expect(blocked).toBeLessThan(140);
    const after = meter.stalledMs();
    await sleep(30);
    expect(meter.stalledMs()).toBe(after); // released: no probe, no change
  });
});
