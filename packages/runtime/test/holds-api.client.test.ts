import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signServiceToken, verifyServiceToken } from "../src/auth.ts";
import { HoldsApiClient, HoldsApiError } from "../src/holds-api.client.ts";
import { createLogger } from "../src/logger.ts";
import { activeTraceIds, initTracing, inSpan, shutdownTracing } from "../src/tracing.ts";

// The client against a real HTTP server (node:http) speaking purchase's internal holds API as
// holds.routes.ts does; the same server takes the spans the tracing SDK exports (/v1/traces).
const SECRET = "holds-api-test-secret";
const log = createLogger("holds-api-test");
const calls: { method: string; path: string; headers: IncomingMessage["headers"]; body: unknown }[] = [];
let server: Server;
let base: string;
/** Status and body the next POST / DELETE answers with, and a delay before answering. */
let next: { status: number; body?: unknown; delayMs?: number } = { status: 200, body: { taken: true } };
/** Failures to send before the DELETE answers 204 (retries). */
let failReleases = 0;

const send = (res: ServerResponse, status: number, body?: unknown) => {
  res.writeHead(status, body === undefined ? {} : { "content-type": "application/json" });
  res.end(body === undefined ? undefined : JSON.stringify(body));
};

async function holdsApi(req: IncomingMessage, res: ServerResponse) {
  let text = "";
  for await (const chunk of req) text += chunk;
  const path = req.url ?? "";
  if (path === "/v1/traces") return send(res, 200, {});
  const auth = req.headers.authorization;
  const caller = await verifyServiceToken(auth?.startsWith("Bearer ") ? auth.slice(7) : undefined, SECRET);
  if (caller !== "maintenance") return send(res, 401, { code: "UNAUTHENTICATED", message: "token" });
  calls.push({ method: req.method ?? "", path, headers: req.headers, body: text ? JSON.parse(text) : null });
  if (req.method === "DELETE" && failReleases > 0) {
    failReleases--;
    return send(res, 503, { code: "INTERNAL_SERVER_ERROR", message: "busy" });
  }
  if (next.delayMs) await new Promise((r) => setTimeout(r, next.delayMs));
  if (req.method === "DELETE") return send(res, 204);
  send(res, next.status, next.body);
}

beforeAll(async () => {
  server = createServer((req, res) => {
    holdsApi(req, res).catch(() => send(res, 500, { code: "INTERNAL_SERVER_ERROR", message: "test" }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await shutdownTracing();
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
});

const client = (o: { secret?: string; url?: string; timeoutMs?: number } = {}) =>
  new HoldsApiClient({
    url: o.url ?? base,
    timeoutMs: o.timeoutMs ?? 2_000,
    serviceToken: () => signServiceToken("maintenance", o.secret ?? SECRET),
    log,
  });
const failureOf = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (err) {
    if (err instanceof HoldsApiError) return { status: err.status, code: err.code, message: err.message };
    throw err;
  }
  throw new Error("expected a HoldsApiError");
};
const answering = (status: number, body?: unknown, delayMs?: number) => {
  next = { status, body, delayMs };
};

describe("HoldsApiClient against purchase's holds API", () => {
  it("posts the hold as JSON with the service token, and maps 200, 409 and 404 to purchase's decision", async () => {
    const vehicleId = crypto.randomUUID();
    const holderId = crypto.randomUUID();
    answering(200, { taken: true });
    expect(await client().take("REPAIR", vehicleId, holderId)).toEqual({ taken: true });
    expect(calls.at(-1)).toMatchObject({
      method: "POST",
      path: "/internal/holds",
      headers: { "content-type": "application/json" },
      body: { vehicleId, kind: "REPAIR", holderId },
    });
    answering(409, { code: "VEHICLE_NOT_AVAILABLE", heldBy: "PURCHASE", message: "held" });
    expect(await client().take("WITHDRAWAL", vehicleId, holderId)).toEqual({
      taken: false,
      heldBy: "PURCHASE",
    });
    answering(404, { code: "VEHICLE_NOT_FOUND", message: "unknown" });
    expect(await client().take("REPAIR", vehicleId, holderId)).toEqual({ taken: false, notFound: true });
  });

  it("throws HoldsApiError with the status on any other answer: 5xx, 400, a 404 or 409 without its code, a bad token", async () => {
    answering(500, { code: "INTERNAL_SERVER_ERROR", message: "boom" });
    expect(await failureOf(client().take("REPAIR", crypto.randomUUID(), crypto.randomUUID()))).toEqual({
      status: 500,
      code: "INTERNAL_SERVER_ERROR",
      message: "purchase answered 500 INTERNAL_SERVER_ERROR to a REPAIR hold",
    });
    answering(400, { code: "BAD_USER_INPUT", field: "holderId", message: "busy" });
    expect(await failureOf(client().take("REPAIR", crypto.randomUUID(), "x"))).toMatchObject({
      status: 400,
      code: "BAD_USER_INPUT",
    });
    // A 404 of some proxy (not purchase's VEHICLE_NOT_FOUND) and a non-JSON body decide nothing.
    answering(404, "<html>not here</html>");
    expect(await failureOf(client().take("REPAIR", crypto.randomUUID(), crypto.randomUUID()))).toMatchObject({
      status: 404,
      code: undefined,
    });
    answering(409, { code: "SOMETHING_ELSE" });
    expect(await failureOf(client().take("REPAIR", crypto.randomUUID(), crypto.randomUUID()))).toMatchObject({
      status: 409,
    });
    expect(
      await failureOf(client({ secret: "another-secret" }).take("REPAIR", crypto.randomUUID(), "x")),
    ).toMatchObject({ status: 401, code: "UNAUTHENTICATED" });
  });

  it("throws HoldsApiError with status null when no answer comes: timeout, no connection", async () => {
    answering(200, { taken: true }, 600);
    const started = Date.now();
    expect(
      await failureOf(client({ timeoutMs: 100 }).take("REPAIR", crypto.randomUUID(), crypto.randomUUID())),
    ).toMatchObject({ status: null, message: expect.stringMatching(/^purchase unreachable: /) });
    expect(Date.now() - started).toBeLessThan(600);
    answering(200, { taken: true });
    expect(
      await failureOf(client({ url: "http://127.0.0.1:9" }).take("REPAIR", crypto.randomUUID(), "x")),
    ).toMatchObject({ status: null });
  });

  it("gives a hold back with DELETE /internal/holds/:kind/:holderId, retrying only when asked to", async () => {
    const holderId = crypto.randomUUID();
    await client().release("WITHDRAWAL", holderId);
    expect(calls.at(-1)).toMatchObject({ method: "DELETE", path: `/internal/holds/WITHDRAWAL/${holderId}` });
    expect(calls.at(-1)?.headers["content-type"]).toBeUndefined();

    failReleases = 1;
    expect(await failureOf(client().release("REPAIR", holderId))).toMatchObject({ status: 503 });
    const before = calls.length;
    failReleases = 2;
    await client().release("REPAIR", holderId, { attempts: 3 });
    expect(calls.length - before).toBe(3);
    failReleases = 3;
    expect(await failureOf(client().release("REPAIR", holderId, { attempts: 3 }))).toMatchObject({
      status: 503,
    });
    failReleases = 0;
    expect(await failureOf(client({ url: "http://127.0.0.1:9" }).release("REPAIR", holderId))).toMatchObject({
      status: null,
    });
  });

  it("carries the caller's trace context (traceparent of the active span) when tracing is on", async () => {
    answering(200, { taken: true });
    await client().take("REPAIR", crypto.randomUUID(), crypto.randomUUID());
    expect(calls.at(-1)?.headers.traceparent).toBeUndefined();

    expect(await initTracing("maintenance", { otelTracesEndpoint: `${base}/v1/traces` })).toBe(true);
    let ids: { traceId: string; spanId: string } | undefined;
    await inSpan("openRepairOrder", async () => {
      ids = activeTraceIds();
      await client().take("REPAIR", crypto.randomUUID(), crypto.randomUUID());
    });
    expect(ids).toBeDefined();
    expect(calls.at(-1)?.headers.traceparent).toBe(`00-${ids!.traceId}-${ids!.spanId}-01`);
    await inSpan("cancelSellRequest", async () => {
      ids = activeTraceIds();
      await client().release("WITHDRAWAL", crypto.randomUUID());
    });
    expect(calls.at(-1)?.headers.traceparent).toBe(`00-${ids!.traceId}-${ids!.spanId}-01`);
  });
});
