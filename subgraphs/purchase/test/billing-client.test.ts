import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Worker } from "node:worker_threads";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createLogger, signServiceToken, verifyServiceToken } from "@junggo/runtime";
import {
  BillingClient,
  billingMetrics,
  billingOwnMs,
  breakerStateCode,
  defaultAnswerTimeoutMs,
  type BillingClientOptions,
} from "../src/adapters/billing.client.ts";

// A real HTTP server stands in for billing; each test sets how it answers.
const secret = "test-secret";
let server: Server;
let url: string;
let hits = 0;
let answer: (req: IncomingMessage, res: ServerResponse, body: string) => void;

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
};

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      hits++;
      answer(req, res, body);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(
  () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
);
beforeEach(() => {
  hits = 0;
});

const client = (o: Partial<BillingClientOptions> = {}) =>
  new BillingClient({
    url,
    timeoutMs: 200,
    retries: 2,
    breakerThreshold: 5,
    halfOpenAfterMs: 300,
    maxConcurrent: 8,
    maxQueued: 16,
    serviceToken: () => signServiceToken("purchase", secret),
    log: createLogger("test"),
    ...o,
  });
const req = {
  purchaseId: "cccccccc-cccc-4ccc-8ccc-cccccccccccc",
  buyerId: "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb",
  amountKrw: 1_000,
};

describe("BillingClient", () => {
  it("posts the charge with a service token and returns the approval", async () => {
    let seen: { auth?: string; body?: unknown; path?: string } = {};
    answer = (r, res, body) => {
      seen = { auth: r.headers.authorization, body: JSON.parse(body), path: r.url };
      json(res, 200, { paymentId: "pay-1", status: "APPROVED", amountKrw: 1_000 });
    };
    expect(await client().charge(req)).toEqual({ kind: "approved", paymentId: "pay-1" });
    expect(seen.path).toBe("/internal/payments/charge");
    expect(seen.body).toEqual(req);
    expect(await verifyServiceToken(seen.auth?.replace("Bearer ", ""), secret)).toBe("purchase");
  });

  it("does not retry a decline, and a decline never opens the breaker", async () => {
    answer = (_r, res) => json(res, 402, { code: "PAYMENT_DECLINED", message: "card declined" });
    const c = client({ breakerThreshold: 2 });
    for (let i = 0; i < 4; i++)
      expect(await c.charge(req)).toEqual({ kind: "declined", message: "card declined" });
    expect(hits).toBe(4);
    expect(c.breakerState).toBe("closed");
  });

  it("retries 503 twice with the same purchaseId, then reports unavailable", async () => {
    const bodies: string[] = [];
    answer = (_r, res, body) => {
      bodies.push(body);
      json(res, 503, { code: "PAYMENT_UNAVAILABLE" });
    };
    const r = await client().charge(req);
    expect(r).toMatchObject({ kind: "unavailable" });
    expect(hits).toBe(3);
    expect(new Set(bodies).size).toBe(1);
  });

  it("recovers when a retry succeeds", async () => {
    answer = (_r, res) => (hits < 2 ? json(res, 503, {}) : json(res, 200, { paymentId: "pay-2" }));
    expect(await client().charge(req)).toEqual({ kind: "approved", paymentId: "pay-2" });
    expect(hits).toBe(2);
  });

  it("times out each attempt and reports unavailable", async () => {
    answer = () => {
      /* never answers */
    };
    const t0 = Date.now();
    const r = await client({ timeoutMs: 100 }).charge(req);
    expect(r).toMatchObject({ kind: "unavailable", reason: "timeout" });
    expect(hits).toBe(3);
    expect(Date.now() - t0).toBeLessThan(1500);
  });

  it("treats an unreachable billing as unavailable", async () => {
    const r = await client({ url: "http://127.0.0.1:1" }).charge(req);
    expect(r).toMatchObject({ kind: "unavailable" });
  });

  it("opens the breaker after N consecutive failures, then fails fast without calling billing", async () => {
    answer = (_r, res) => json(res, 503, {});
    const c = client({ retries: 0, breakerThreshold: 3, halfOpenAfterMs: 300 });
    for (let i = 0; i < 3; i++) await c.charge(req);
    expect(hits).toBe(3);
    expect(c.breakerState).toBe("open");

    const t0 = Date.now();
    const r = await c.charge(req);
    expect(r).toMatchObject({ kind: "unavailable", reason: "circuit open" });
    expect(r.kind === "unavailable" && r.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(hits).toBe(3);
    expect(Date.now() - t0).toBeLessThan(50);

    // After halfOpenAfter one trial call goes through; its success closes the breaker.
    await new Promise((r) => setTimeout(r, 350));
    answer = (_r, res) => json(res, 200, { paymentId: "pay-3" });
    expect(await c.charge(req)).toEqual({ kind: "approved", paymentId: "pay-3" });
    expect(c.breakerState).toBe("closed");
  });

  it("does not retry a rejected request (401) and reports it as unavailable", async () => {
    answer = (_r, res) => json(res, 401, { code: "UNAUTHENTICATED" });
    expect(await client().charge(req)).toMatchObject({ kind: "unavailable" });
    expect(hits).toBe(1);
  });

  it("maps a voided purchaseId (409 PAYMENT_VOIDED) to unavailable without retrying", async () => {
    answer = (_r, res) => json(res, 409, { code: "PAYMENT_VOIDED" });
    expect(await client().charge(req)).toMatchObject({ kind: "unavailable", reason: "payment voided" });
    expect(hits).toBe(1);
  });

  it("reports whether billing was called: a timeout or transport error may have charged, an open breaker did not", async () => {
    answer = () => {
      /* never answers */
    };
    const c = client({ timeoutMs: 80, retries: 0, breakerThreshold: 1, halfOpenAfterMs: 5_000 });
    expect(await c.charge(req)).toMatchObject({ kind: "unavailable", reason: "timeout", sent: true });
    expect(await c.charge(req)).toMatchObject({ kind: "unavailable", reason: "circuit open", sent: false });
    expect(hits).toBe(1);
    expect(await client({ url: "http://127.0.0.1:1", retries: 0 }).charge(req)).toMatchObject({
      kind: "unavailable",
      sent: true,
    });
  });

  it("counts calls, failures, timeouts, openings and refusals, and exposes them as metrics", async () => {
    answer = () => {
      /* never answers */
    };
    const c = client({ timeoutMs: 60, retries: 2, breakerThreshold: 3, halfOpenAfterMs: 5_000 });
    expect(c.stats()).toEqual({
      breaker: "closed",
      opened: 0,
      calls: 0,
      failures: 0,
      timeouts: 0,
      stallTimeouts: 0,
      rejected: 0,
      bulkheadRejected: 0,
      inFlight: 0,
    });
    await c.charge(req); // three attempts, three timeouts: the third opens the breaker
    const r = await c.charge(req);
    expect(r).toMatchObject({ kind: "unavailable", reason: "circuit open", sent: false });
    expect(r.kind === "unavailable" && r.retryAfterSeconds).toBe(5);
    expect(c.stats()).toEqual({
      breaker: "open",
      opened: 1,
      calls: 3,
      failures: 3,
      timeouts: 3,
      stallTimeouts: 0,
      rejected: 1,
      bulkheadRejected: 0,
      inFlight: 0,
    });
    expect(billingMetrics(c.stats())).toEqual({
      junggo_billing_breaker_state: 1,
      junggo_billing_breaker_opened_total: 1,
      junggo_billing_calls_total: 3,
      junggo_billing_failures_total: 3,
      junggo_billing_timeouts_total: 3,
      junggo_billing_stall_timeouts_total: 0,
      junggo_billing_rejected_total: 1,
      junggo_billing_bulkhead_rejected_total: 0,
      junggo_billing_in_flight: 0,
    });
  });

  it("maps breaker states to the gauge: 0 closed, 1 open, 2 half-open", () => {
    expect([
      breakerStateCode("closed"),
      breakerStateCode("open"),
      breakerStateCode("half-open"),
      breakerStateCode("isolated"),
    ]).toEqual([0, 1, 2, 1]);
  });

  it("bulkhead: at most maxConcurrent charges reach billing; with no queue the rest are refused at once", async () => {
    let concurrent = 0,
      peak = 0;
    answer = (_r, res) => {
      peak = Math.max(peak, ++concurrent);
      setTimeout(() => {
        concurrent--;
        json(res, 200, { paymentId: "pay-b" });
      }, 250);
    };
    const c = client({ maxConcurrent: 2, maxQueued: 0, timeoutMs: 1_000 });
    const timed = async () => {
      const t0 = Date.now();
      const r = await c.charge(req);
      return { r, ms: Date.now() - t0 };
    };
    const pending = Array.from({ length: 5 }, timed);
    // While the two admitted charges wait on billing, the gauge shows them.
    await new Promise((r) => setTimeout(r, 100));
    expect(c.stats().inFlight).toBe(2);
    const results = await Promise.all(pending);
    const approved = results.filter((x) => x.r.kind === "approved");
    const refused = results.filter((x) => x.r.kind === "unavailable");
    expect(approved).toHaveLength(2);
    expect(refused).toHaveLength(3);
    for (const x of refused) {
      expect(x.r).toMatchObject({ reason: "too many concurrent charges", sent: false });
      expect(x.r.kind === "unavailable" && x.r.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(x.ms).toBeLessThan(100);
    }
    expect(hits).toBe(2);
    expect(peak).toBe(2);
    expect(c.stats()).toMatchObject({ calls: 2, bulkheadRejected: 3, inFlight: 0, breaker: "closed" });
  });

  it("bulkhead: queued charges wait for a slot instead of being refused", async () => {
    answer = (_r, res) => setTimeout(() => json(res, 200, { paymentId: "pay-q" }), 100);
    const c = client({ maxConcurrent: 1, maxQueued: 1 });
    const results = await Promise.all([c.charge(req), c.charge(req), c.charge(req)]);
    expect(results.map((r) => r.kind).sort()).toEqual(["approved", "approved", "unavailable"]);
    expect(hits).toBe(2);
    expect(c.stats().bulkheadRejected).toBe(1);
  });

  it("half-open: one probe goes to billing, charges meanwhile are refused at once; the probe's success closes the breaker", async () => {
    answer = (_r, res) => json(res, 503, {});
    const c = client({ retries: 0, breakerThreshold: 1, halfOpenAfterMs: 100 });
    await c.charge(req);
    expect(c.breakerState).toBe("open");
    await new Promise((r) => setTimeout(r, 150));
    answer = (_r, res) => setTimeout(() => json(res, 200, { paymentId: "pay-probe" }), 150);
    const probe = c.charge(req);
    await new Promise((r) => setTimeout(r, 20));
    expect(c.breakerState).toBe("half-open");
    expect(billingMetrics(c.stats()).junggo_billing_breaker_state).toBe(2);
    const t0 = Date.now();
    expect(await c.charge(req)).toMatchObject({
      kind: "unavailable",
      reason: "circuit half-open",
      sent: false,
    });
    expect(Date.now() - t0).toBeLessThan(50);
    expect(await probe).toEqual({ kind: "approved", paymentId: "pay-probe" });
    expect(c.breakerState).toBe("closed");
    expect(hits).toBe(2);
    expect(c.stats()).toMatchObject({ opened: 1, rejected: 1 });
  });

  it("refuses a bulkhead without a slot or with a negative queue at start", () => {
    expect(() => client({ maxConcurrent: 0 })).toThrow(/BILLING_MAX_CONCURRENT/);
    expect(() => client({ maxQueued: -1 })).toThrow(/BILLING_MAX_QUEUED/);
  });

  it("fastRefusal: refuses while open or probing and when the bulkhead is full, lets the probe time through", async () => {
    answer = (_r, res) => json(res, 503, {});
    const c = client({
      retries: 0,
      breakerThreshold: 1,
      halfOpenAfterMs: 150,
      maxConcurrent: 1,
      maxQueued: 0,
      timeoutMs: 1_000,
    });
    expect(c.fastRefusal()).toBeNull();
    await c.charge(req);
    expect(c.fastRefusal()).toMatchObject({ reason: "circuit open", retryAfterSeconds: 1 });
    await new Promise((r) => setTimeout(r, 200));
    expect(c.fastRefusal()).toBeNull(); // half-open time reached: the next charge is the probe
    answer = (_r, res) => setTimeout(() => json(res, 200, { paymentId: "pay-f" }), 150);
    const probe = c.charge(req);
    await new Promise((r) => setTimeout(r, 30));
    expect(c.fastRefusal()).toMatchObject({ reason: "circuit half-open" });
    expect(await probe).toEqual({ kind: "approved", paymentId: "pay-f" });
    expect(c.fastRefusal()).toBeNull();
    // The one slot taken, no queue: refused; free again once the charge is done.
    const busy = c.charge(req);
    await new Promise((r) => setTimeout(r, 30));
    expect(c.fastRefusal()).toMatchObject({ reason: "too many concurrent charges" });
    await busy;
    expect(c.fastRefusal()).toBeNull();
    expect(c.stats()).toMatchObject({ rejected: 2, bulkheadRejected: 1 });
  });
});

// Billing in a worker thread: it keeps answering promptly while this thread's event loop is
// blocked, as billing in its own process does while purchase's process is CPU-starved.
describe("BillingClient on a CPU-starved process", () => {
  const WORKER = `
    const { parentPort } = require("node:worker_threads");
    const http = require("node:http");
    let mode = { delayMs: 5 };
    parentPort.on("message", (m) => { mode = m; parentPort.postMessage({ ack: true }); });
    const server = http.createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        parentPort.postMessage({ hit: true });
        if (mode.never) return;
        const headers = { "content-type": "application/json", ...(mode.timing ? { "server-timing": mode.timing } : {}) };
        setTimeout(() => res.writeHead(mode.status ?? 200, headers).end(JSON.stringify({ paymentId: "pay-w" })), mode.delayMs);
      });
    });
    server.listen(0, "127.0.0.1", () => parentPort.postMessage({ port: server.address().port }));
  `;
  let worker: Worker;
  let workerUrl: string;
  let workerHits = 0;
  const hitWaiters: (() => void)[] = [];
  const setMode = (m: { delayMs?: number; never?: boolean; status?: number; timing?: string }) =>
    new Promise<void>((resolve) => {
      worker.once("message", () => resolve());
      worker.postMessage(m);
    });
  const nextHit = () => new Promise<void>((r) => hitWaiters.push(r));
  /** Blocks this thread's event loop, as a burst of CPU work (or descheduling) does. */
  const spin = (ms: number) => {
    const end = performance.now() + ms;
    while (performance.now() < end) {
      /* busy */
    }
  };

  beforeAll(async () => {
    worker = new Worker(WORKER, { eval: true });
    const port = await new Promise<number>((resolve) =>
      worker.once("message", (m: { port: number }) => resolve(m.port)),
    );
    worker.on("message", (m: { hit?: boolean }) => {
      if (m.hit) {
        workerHits++;
        hitWaiters.shift()?.();
      }
    });
    workerUrl = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await worker.terminate();
  });
  beforeEach(() => {
    workerHits = 0;
  });

  it("a burst during which this process is CPU-starved does not open the breaker while billing answers promptly", async () => {
    await setMode({ delayMs: 5 });
    // Strict breaker: one failure would open it. Each turn of the event loop is blocked 200 ms,
    // longer than the 150 ms per-attempt timeout, so every answer is read late.
    const c = client({
      url: workerUrl,
      timeoutMs: 150,
      stallAllowanceMs: 10_000,
      retries: 0,
      breakerThreshold: 1,
    });
    let done = false;
    const burst = Promise.all(Array.from({ length: 6 }, () => c.charge(req))).finally(() => {
      done = true;
    });
    let turns = 0;
    while (!done && turns < 50) {
      spin(200);
      turns++;
      await new Promise((r) => setImmediate(r));
    }
    const results = await burst;
    expect(turns).toBeGreaterThan(1);
    expect(results).toEqual(Array.from({ length: 6 }, () => ({ kind: "approved", paymentId: "pay-w" })));
    expect(c.stats()).toMatchObject({
      breaker: "closed",
      opened: 0,
      failures: 0,
      timeouts: 0,
      stallTimeouts: 0,
      calls: 6,
    });
    expect(workerHits).toBe(6);
  });

  it("billing that is slow while this process is healthy still times out at the per-attempt timeout and opens the breaker", async () => {
    await setMode({ delayMs: 600 });
    const c = client({
      url: workerUrl,
      timeoutMs: 100,
      stallAllowanceMs: 10_000,
      retries: 0,
      breakerThreshold: 2,
      halfOpenAfterMs: 5_000,
    });
    for (let i = 0; i < 2; i++) {
      const t0 = performance.now();
      expect(await c.charge(req)).toMatchObject({ kind: "unavailable", reason: "timeout", sent: true });
      // Judged at the timeout, not at the far ceiling.
      expect(performance.now() - t0).toBeLessThan(400);
    }
    expect(c.stats()).toMatchObject({
      breaker: "open",
      opened: 1,
      failures: 2,
      timeouts: 2,
      stallTimeouts: 0,
    });
    expect(await c.charge(req)).toMatchObject({ kind: "unavailable", reason: "circuit open", sent: false });
  });

  it("billing failing (503) still opens the breaker with a stall allowance", async () => {
    await setMode({ delayMs: 1, status: 503 });
    const c = client({
      url: workerUrl,
      timeoutMs: 100,
      stallAllowanceMs: 10_000,
      retries: 0,
      breakerThreshold: 2,
      halfOpenAfterMs: 5_000,
    });
    await c.charge(req);
    await c.charge(req);
    expect(c.stats()).toMatchObject({ breaker: "open", failures: 2 });
  });

  it("an attempt whose time went to this process's own stall ends at the ceiling as local overload: not retried, not a breaker failure", async () => {
    await setMode({ never: true });
    const c = client({
      url: workerUrl,
      timeoutMs: 100,
      stallAllowanceMs: 300,
      retries: 2,
      breakerThreshold: 1,
    });
    const hit = nextHit();
    const pending = c.charge(req);
    await hit; // the request reached billing: the attempt's clock runs
    spin(700); // far past timeout + allowance, all of it our own stall
    const r = await pending;
    expect(r).toMatchObject({ kind: "unavailable", sent: true });
    expect(r.kind === "unavailable" && r.reason).toMatch(/local overload/);
    expect(c.stats()).toMatchObject({
      breaker: "closed",
      failures: 0,
      timeouts: 0,
      stallTimeouts: 1,
      calls: 1,
    });
    expect(billingMetrics(c.stats()).junggo_billing_stall_timeouts_total).toBe(1);
  });

  it("a late answer from a CPU-starved billing is taken when billing's Server-Timing shows its own processing within the budget", async () => {
    const c = client({
      url: workerUrl,
      timeoutMs: 100,
      answerTimeoutMs: 1_000,
      retries: 0,
      breakerThreshold: 1,
    });
    // Billing's answers say its event loop is stalled (140 ms of 150): the next attempts wait longer.
    await setMode({ delayMs: 5, timing: "app;dur=150.0, stall;dur=140.0" });
    expect(await c.charge(req)).toEqual({ kind: "approved", paymentId: "pay-w" });
    // Now it answers after 300 ms (3 × the budget), 280 ms of which it was stalled itself.
    await setMode({ delayMs: 300, timing: "app;dur=300.0, stall;dur=280.0" });
    for (let i = 0; i < 3; i++) expect(await c.charge(req)).toEqual({ kind: "approved", paymentId: "pay-w" });
    expect(c.stats()).toMatchObject({ breaker: "closed", failures: 0, timeouts: 0, calls: 4 });
  });

  it("an answer whose Server-Timing shows billing's own processing over the budget is a timeout and opens the breaker", async () => {
    await setMode({ delayMs: 300, timing: "app;dur=300.0, stall;dur=5.0" });
    const c = client({
      url: workerUrl,
      timeoutMs: 100,
      answerTimeoutMs: 1_000,
      retries: 0,
      breakerThreshold: 2,
      halfOpenAfterMs: 5_000,
    });
    expect(await c.charge(req)).toMatchObject({ kind: "unavailable", reason: "timeout", sent: true });
    expect(await c.charge(req)).toMatchObject({ kind: "unavailable", reason: "timeout", sent: true });
    expect(c.stats()).toMatchObject({ breaker: "open", failures: 2, timeouts: 2 });
    // Without billing's account, a late answer is judged on our own clock: a timeout as well.
    await setMode({ delayMs: 300 });
    const plain = client({
      url: workerUrl,
      timeoutMs: 100,
      answerTimeoutMs: 1_000,
      retries: 0,
      breakerThreshold: 1,
    });
    expect(await plain.charge(req)).toMatchObject({ kind: "unavailable", reason: "timeout" });
    expect(plain.breakerState).toBe("open");
  });

  it("no answer at all within the answer timeout (our loop healthy) is a timeout, judged there and not later", async () => {
    const c = client({
      url: workerUrl,
      timeoutMs: 100,
      answerTimeoutMs: 250,
      stallAllowanceMs: 5_000,
      retries: 0,
      breakerThreshold: 1,
    });
    // However starved billing says it is, the wait for an answer stops at answerTimeoutMs.
    await setMode({ delayMs: 5, timing: "app;dur=900.0, stall;dur=880.0" });
    expect(await c.charge(req)).toMatchObject({ kind: "approved" });
    await setMode({ never: true });
    const t0 = performance.now();
    expect(await c.charge(req)).toMatchObject({ kind: "unavailable", reason: "timeout", sent: true });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(245);
    expect(performance.now() - t0).toBeLessThan(600);
    expect(c.stats()).toMatchObject({ breaker: "open", timeouts: 1, stallTimeouts: 0, calls: 2 });
  });

  it("reads billing's own processing time from Server-Timing", () => {
    expect(billingOwnMs("app;dur=300.0, stall;dur=280.0")).toBe(20);
    expect(billingOwnMs("app;dur=42.5")).toBe(42.5);
    expect(billingOwnMs('stall;dur=10, app;desc="charge";dur=50')).toBe(40);
    expect(billingOwnMs("app;dur=10, stall;dur=99")).toBe(0);
    expect(billingOwnMs(null)).toBeNull();
    expect(billingOwnMs("db;dur=5")).toBeNull();
    expect(defaultAnswerTimeoutMs(610)).toBe(1220);
    expect(defaultAnswerTimeoutMs(3_000)).toBe(4_000);
  });

  it("refuses a negative or fractional stall allowance at start, naming the setting", () => {
    expect(() => client({ answerTimeoutMs: 150 })).toThrow(
      /BILLING_ANSWER_TIMEOUT_MS must be a whole number ≥ BILLING_TIMEOUT_MS/,
    );
    expect(() => client({ stallAllowanceMs: -1 })).toThrow(/BILLING_STALL_ALLOWANCE_MS/);
    expect(() => client({ stallAllowanceMs: 1.5 })).toThrow(/BILLING_STALL_ALLOWANCE_MS/);
    expect(() => client({ timeoutMs: 0 })).toThrow(/BILLING_TIMEOUT_MS/);
  });
});
