import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger, DomainError, signServiceToken, verifyServiceToken } from "@junggo/runtime";
import { WithdrawalHoldsClient } from "../src/adapters/withdrawal-holds.client.ts";

// The client against a real HTTP server (node:http) speaking purchase's internal holds API as the
// contract states it: service token of acquisition, JSON bodies, the holds in a map.
const SECRET = "holds-test-secret";
const log = createLogger("holds-test");
const holds = new Map<string, { kind: string; holderId: string }>();
const calls: { method: string; path: string; body: unknown }[] = [];
let server: Server;
let base: string;
let answerSlowly = false;

const CAR_OF_A_BUYER = "11111111-1111-4111-8111-111111111111";
const CAR_UNKNOWN = "22222222-2222-4222-8222-222222222222";
const CAR_BROKEN = "33333333-3333-4333-8333-333333333333";

const send = (res: ServerResponse, status: number, body?: unknown) => {
  res.writeHead(status, body === undefined ? {} : { "content-type": "application/json" });
  res.end(body === undefined ? undefined : JSON.stringify(body));
};
const readJson = async (req: IncomingMessage) => {
  let text = "";
  for await (const chunk of req) text += chunk;
  return text ? (JSON.parse(text) as Record<string, string>) : {};
};

async function holdsApi(req: IncomingMessage, res: ServerResponse) {
  const auth = req.headers.authorization;
  const caller = await verifyServiceToken(auth?.startsWith("Bearer ") ? auth.slice(7) : undefined, SECRET);
  if (caller !== "acquisition") return send(res, 401, { code: "UNAUTHENTICATED", message: "token" });
  const path = req.url ?? "";
  if (req.method === "POST" && path === "/internal/holds") {
    const body = await readJson(req);
    calls.push({ method: "POST", path, body });
    if (answerSlowly) await new Promise((r) => setTimeout(r, 500));
    const { vehicleId, kind, holderId } = body;
    if (vehicleId === CAR_UNKNOWN) return send(res, 404, { code: "VEHICLE_NOT_FOUND", message: "unknown" });
    if (vehicleId === CAR_BROKEN) return send(res, 500, { code: "INTERNAL_SERVER_ERROR", message: "boom" });
    const held = holds.get(vehicleId!);
    if (held && held.kind === "PURCHASE")
      return send(res, 409, { code: "VEHICLE_NOT_AVAILABLE", message: "held", heldBy: held.kind });
    holds.set(vehicleId!, { kind: kind!, holderId: holderId! });
    return send(res, 200, { taken: true });
  }
  const m = /^\/internal\/holds\/([A-Z]+)\/([^/]+)$/.exec(path);
  if (req.method === "DELETE" && m) {
    calls.push({ method: "DELETE", path, body: null });
    for (const [vehicleId, h] of holds) if (h.kind === m[1] && h.holderId === m[2]) holds.delete(vehicleId);
    return send(res, 204);
  }
  send(res, 404, { code: "NOT_FOUND", message: path });
}

beforeAll(async () => {
  holds.set(CAR_OF_A_BUYER, { kind: "PURCHASE", holderId: "some-purchase" });
  server = createServer((req, res) => {
    holdsApi(req, res).catch(() => send(res, 500, { code: "INTERNAL_SERVER_ERROR", message: "test" }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
});

const client = (o: { secret?: string; url?: string; timeoutMs?: number } = {}) =>
  new WithdrawalHoldsClient({
    url: o.url ?? base,
    timeoutMs: o.timeoutMs ?? 2_000,
    serviceToken: () => signServiceToken("acquisition", o.secret ?? SECRET),
    log,
  });
const codeOf = async (p: Promise<unknown>) => {
  try {
    await p;
    return "OK";
  } catch (err) {
    if (err instanceof DomainError) return err.code;
    throw err;
  }
};

describe("WithdrawalHoldsClient against purchase's holds API", () => {
  it("takes a WITHDRAWAL hold for the sell request, idempotently, and gives it back", async () => {
    const vehicleId = crypto.randomUUID();
    const sellRequestId = crypto.randomUUID();
    expect(await client().take(vehicleId, sellRequestId)).toBe("TAKEN");
    expect(calls.at(-1)).toEqual({
      method: "POST",
      path: "/internal/holds",
      body: { vehicleId, kind: "WITHDRAWAL", holderId: sellRequestId },
    });
    expect(holds.get(vehicleId)).toEqual({ kind: "WITHDRAWAL", holderId: sellRequestId });
    expect(await client().take(vehicleId, sellRequestId)).toBe("TAKEN");
    await client().release(sellRequestId);
    expect(calls.at(-1)).toMatchObject({
      method: "DELETE",
      path: `/internal/holds/WITHDRAWAL/${sellRequestId}`,
    });
    expect(holds.has(vehicleId)).toBe(false);
    // Idempotent: releasing again is still a 204.
    await client().release(sellRequestId);
  });

  it("answers HELD_BY_BUYER on a 409 heldBy PURCHASE, and leaves the buyer's hold", async () => {
    expect(await client().take(CAR_OF_A_BUYER, crypto.randomUUID())).toBe("HELD_BY_BUYER");
    expect(holds.get(CAR_OF_A_BUYER)?.kind).toBe("PURCHASE");
  });

  it("refuses as SERVICE_UNAVAILABLE when purchase cannot decide: unknown car, 5xx, no answer, bad token", async () => {
    expect(await codeOf(client().take(CAR_UNKNOWN, crypto.randomUUID()))).toBe("SERVICE_UNAVAILABLE");
    expect(await codeOf(client().take(CAR_BROKEN, crypto.randomUUID()))).toBe("SERVICE_UNAVAILABLE");
    expect(await codeOf(client({ secret: "another-secret" }).take(crypto.randomUUID(), "x"))).toBe(
      "SERVICE_UNAVAILABLE",
    );
    expect(
      await codeOf(client({ url: "http://127.0.0.1:9" }).take(crypto.randomUUID(), crypto.randomUUID())),
    ).toBe("SERVICE_UNAVAILABLE");
    answerSlowly = true;
    try {
      expect(await codeOf(client({ timeoutMs: 100 }).take(crypto.randomUUID(), crypto.randomUUID()))).toBe(
        "SERVICE_UNAVAILABLE",
      );
    } finally {
      answerSlowly = false;
    }
    expect(await codeOf(client({ secret: "another-secret" }).release(crypto.randomUUID()))).toBe(
      "SERVICE_UNAVAILABLE",
    );
  });
});
