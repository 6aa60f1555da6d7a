import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createLogger, signServiceToken, verifyServiceToken } from "@junggo/runtime";
import { BillingClient, type BillingClientOptions } from "../src/adapters/billing.client.ts";

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
    url, timeoutMs: 200, retries: 2, breakerThreshold: 5, halfOpenAfterMs: 300,
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
});
