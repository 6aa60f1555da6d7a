import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger, signServiceToken } from "@junggo/runtime";
import {
  parseSandboxPatch,
  sandboxControlRoutes,
} from "../src/adapters/payment-sandbox/sandbox-control.routes.ts";
import { SandboxPaymentProvider } from "../src/adapters/payment-sandbox/sandbox-payment.provider.ts";
import { ProviderUnavailableError } from "../src/app/payment-provider.port.ts";

const secret = "test-secret";
const log = createLogger("test");
let server: Server | null = null;
const nodeEnv = process.env.NODE_ENV;
afterEach(async () => {
  process.env.NODE_ENV = nodeEnv;
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = null;
});

/** Billing's sandbox control routes on a real HTTP server, in front of a real sandbox provider. */
async function start() {
  const sandbox = new SandboxPaymentProvider({
    latencyMs: 0,
    declineRate: 0,
    errorRate: 0,
    declineAboveKrw: null,
    random: () => 0.5,
  });
  const app = express();
  const mounted = sandboxControlRoutes(app, { sandbox, internalSecret: secret, log });
  server = app.listen(0, "127.0.0.1");
  await new Promise((r) => server!.once("listening", r));
  const url = `http://127.0.0.1:${(server!.address() as AddressInfo).port}/internal/sandbox`;
  const call = async (method: "GET" | "PUT", o: { caller?: string; token?: string; body?: string } = {}) => {
    const token = o.token ?? (o.caller ? await signServiceToken(o.caller, secret) : undefined);
    const res = await fetch(url, {
      method,
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: o.body,
    });
    return {
      status: res.status,
      body: (await res.json().catch(() => null)) as Record<string, unknown> | null,
    };
  };
  return { sandbox, mounted, call };
}

describe("payment sandbox control API", () => {
  it("reads and changes the running sandbox's behaviour for a test service token", async () => {
    const { sandbox, mounted, call } = await start();
    expect(mounted).toBe(true);
    expect(await call("GET", { caller: "test" })).toEqual({
      status: 200,
      body: { latencyMs: 0, declineRate: 0, errorRate: 0, declineAboveKrw: null },
    });

    const put = await call("PUT", { caller: "test", body: JSON.stringify({ latencyMs: 120, errorRate: 1 }) });
    expect(put).toEqual({
      status: 200,
      body: { latencyMs: 120, declineRate: 0, errorRate: 1, declineAboveKrw: null },
    });
    // The provider itself behaves differently from the next call on.
    const t0 = Date.now();
    await expect(sandbox.charge({ idempotencyKey: "k", buyerId: "b", amountKrw: 1 })).rejects.toBeInstanceOf(
      ProviderUnavailableError,
    );
    expect(Date.now() - t0).toBeGreaterThanOrEqual(100);

    expect(
      (
        await call("PUT", {
          caller: "test",
          body: JSON.stringify({ latencyMs: 0, errorRate: 0, declineRate: 1 }),
        })
      ).status,
    ).toBe(200);
    expect(await sandbox.charge({ idempotencyKey: "k2", buyerId: "b", amountKrw: 1 })).toMatchObject({
      outcome: "DECLINED",
    });
    expect((await call("GET", { caller: "test" })).body).toEqual({
      latencyMs: 0,
      declineRate: 1,
      errorRate: 0,
      declineAboveKrw: null,
    });
  });

  it("refuses callers without a valid token (401) and other services (403), changing nothing", async () => {
    const { sandbox, call } = await start();
    const body = JSON.stringify({ latencyMs: 5000 });
    expect((await call("PUT", { body })).status).toBe(401);
    expect(
      (await call("PUT", { token: await signServiceToken("test", "another-secret"), body })).status,
    ).toBe(401);
    expect((await call("GET", { token: "not-a-token" })).status).toBe(401);
    const other = await call("PUT", { caller: "purchase", body });
    expect(other).toMatchObject({ status: 403, body: { code: "FORBIDDEN" } });
    expect((await call("GET", { caller: "gateway" })).status).toBe(403);
    expect(sandbox.behaviour.latencyMs).toBe(0);
  });

  it("answers BAD_USER_INPUT for invalid values and malformed JSON, changing nothing", async () => {
    const { sandbox, call } = await start();
    const bad = await call("PUT", { caller: "test", body: JSON.stringify({ errorRate: 1.5 }) });
    expect(bad).toMatchObject({ status: 400, body: { code: "BAD_USER_INPUT", field: "errorRate" } });
    expect(await call("PUT", { caller: "test", body: "{not json" })).toMatchObject({
      status: 400,
      body: { code: "BAD_USER_INPUT", field: "body" },
    });
    expect(sandbox.behaviour.errorRate).toBe(0);
  });

  it("is not mounted when NODE_ENV=production", async () => {
    process.env.NODE_ENV = "production";
    const { sandbox, mounted, call } = await start();
    expect(mounted).toBe(false);
    expect((await call("GET", { caller: "test" })).status).toBe(404);
    expect((await call("PUT", { caller: "test", body: JSON.stringify({ latencyMs: 5000 }) })).status).toBe(
      404,
    );
    expect(sandbox.behaviour.latencyMs).toBe(0);
  });
});

describe("parseSandboxPatch", () => {
  it("accepts any subset of the fields, within range", () => {
    expect(parseSandboxPatch({})).toEqual({ ok: true, value: {} });
    expect(parseSandboxPatch({ latencyMs: 1500 })).toEqual({ ok: true, value: { latencyMs: 1500 } });
    expect(
      parseSandboxPatch({ latencyMs: 0, declineRate: 0.25, errorRate: 1, declineAboveKrw: null }),
    ).toEqual({
      ok: true,
      value: { latencyMs: 0, declineRate: 0.25, errorRate: 1, declineAboveKrw: null },
    });
    expect(parseSandboxPatch({ declineAboveKrw: 20_000_000 })).toEqual({
      ok: true,
      value: { declineAboveKrw: 20_000_000 },
    });
  });

  it("names the field that is wrong", () => {
    const field = (b: unknown) => {
      const r = parseSandboxPatch(b);
      return r.ok ? null : r.field;
    };
    expect(field(null)).toBe("body");
    expect(field([])).toBe("body");
    expect(field({ latencyMs: -1 })).toBe("latencyMs");
    expect(field({ latencyMs: 60_001 })).toBe("latencyMs");
    expect(field({ latencyMs: 1.5 })).toBe("latencyMs");
    expect(field({ latencyMs: "100" })).toBe("latencyMs");
    expect(field({ declineRate: -0.1 })).toBe("declineRate");
    expect(field({ errorRate: Number.NaN })).toBe("errorRate");
    expect(field({ errorRate: "1" })).toBe("errorRate");
    expect(field({ declineAboveKrw: -5 })).toBe("declineAboveKrw");
    expect(field({ latency: 100 })).toBe("latency");
  });
});
