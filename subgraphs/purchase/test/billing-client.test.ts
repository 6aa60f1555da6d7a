import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createLogger, signServiceToken, verifyServiceToken } from "@junggo/runtime";
import { BillingClient, billingMetrics, breakerStateCode, type BillingClientOptions } from "../src/adapters/billing.client.ts";

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
afterAll(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));
beforeEach(() => { hits = 0; });

const client = (o: Partial<BillingClientOptions> = {}) =>
  new BillingClient({
    url, timeoutMs: 200, retries: 2, breakerThreshold: 5, halfOpenAfterMs: 300, maxConcurrent: 8, maxQueued: 16,
    serviceToken: () => signServiceToken("purchase", secret), log: createLogger("test"), ...o,
  });
const req = { purchaseId: "cccccccc-cccc-4ccc-8ccc-cccccccccccc", buyerId: "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb", amountKrw: 1_000 };

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
    for (let i = 0; i < 4; i++) expect(await c.charge(req)).toEqual({ kind: "declined", message: "card declined" });
    expect(hits).toBe(4);
    expect(c.breakerState).toBe("closed");
  });

  it("retries 503 twice with the same purchaseId, then reports unavailable", async () => {
    const bodies: string[] = [];
    answer = (_r, res, body) => { bodies.push(body); json(res, 503, { code: "PAYMENT_UNAVAILABLE" }); };
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
    answer = () => { /* never answers */ };
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
    answer = () => { /* never answers */ };
    const c = client({ timeoutMs: 80, retries: 0, breakerThreshold: 1, halfOpenAfterMs: 5_000 });
    expect(await c.charge(req)).toMatchObject({ kind: "unavailable", reason: "timeout", sent: true });
    expect(await c.charge(req)).toMatchObject({ kind: "unavailable", reason: "circuit open", sent: false });
    expect(hits).toBe(1);
    expect(await client({ url: "http://127.0.0.1:1", retries: 0 }).charge(req)).toMatchObject({ kind: "unavailable", sent: true });
  });

  it("counts calls, failures, timeouts, openings and refusals, and exposes them as metrics", async () => {
    answer = () => { /* never answers */ };
    const c = client({ timeoutMs: 60, retries: 2, breakerThreshold: 3, halfOpenAfterMs: 5_000 });
    expect(c.stats()).toEqual({ breaker: "closed", opened: 0, calls: 0, failures: 0, timeouts: 0, rejected: 0, bulkheadRejected: 0, inFlight: 0 });
    await c.charge(req); // three attempts, three timeouts: the third opens the breaker
    const r = await c.charge(req);
    expect(r).toMatchObject({ kind: "unavailable", reason: "circuit open", sent: false });
    expect(r.kind === "unavailable" && r.retryAfterSeconds).toBe(5);
    expect(c.stats()).toEqual({ breaker: "open", opened: 1, calls: 3, failures: 3, timeouts: 3, rejected: 1, bulkheadRejected: 0, inFlight: 0 });
    expect(billingMetrics(c.stats())).toEqual({
      junggo_billing_breaker_state: 1,
      junggo_billing_breaker_opened_total: 1,
      junggo_billing_calls_total: 3,
      junggo_billing_failures_total: 3,
      junggo_billing_timeouts_total: 3,
      junggo_billing_rejected_total: 1,
      junggo_billing_bulkhead_rejected_total: 0,
      junggo_billing_in_flight: 0,
    });
  });

  it("maps breaker states to the gauge: 0 closed, 1 open, 2 half-open", () => {
    expect([breakerStateCode("closed"), breakerStateCode("open"), breakerStateCode("half-open"), breakerStateCode("isolated")]).toEqual([0, 1, 2, 1]);
  });

  it("bulkhead: at most maxConcurrent charges reach billing; with no queue the rest are refused at once", async () => {
    let concurrent = 0, peak = 0;
    answer = (_r, res) => {
      peak = Math.max(peak, ++concurrent);
      setTimeout(() => { concurrent--; json(res, 200, { paymentId: "pay-b" }); }, 250);
    };
    const c = client({ maxConcurrent: 2, maxQueued: 0, timeoutMs: 1_000 });
    const timed = async () => { const t0 = Date.now(); const r = await c.charge(req); return { r, ms: Date.now() - t0 }; };
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
    expect(await c.charge(req)).toMatchObject({ kind: "unavailable", reason: "circuit half-open", sent: false });
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
    const c = client({ retries: 0, breakerThreshold: 1, halfOpenAfterMs: 150, maxConcurrent: 1, maxQueued: 0, timeoutMs: 1_000 });
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
