import type { AddressInfo } from "node:net";
import express from "express";
import { describe, expect, it } from "vitest";
import { ConfigError, createLogger, loadSubgraphConfig, signServiceToken } from "@junggo/runtime";
import { createPaymentProvider } from "../src/adapters/payment-provider.config.ts";
import { SandboxPaymentProvider } from "../src/adapters/payment-sandbox/sandbox-payment.provider.ts";
import { billingSettings } from "../src/billing.config.ts";

const billing = (env: Record<string, string>) =>
  loadSubgraphConfig("billing", env, { settings: billingSettings }).own;

describe("PAYMENT_PROVIDER and PAYMENT_SANDBOX_MAX_RECORDS", () => {
  it("is the sandbox when unset, and refuses an unknown value with a message naming the known ones", () => {
    expect(billing({}).paymentProvider).toBe("sandbox");
    expect(billing({ PAYMENT_PROVIDER: "sandbox" }).paymentProvider).toBe("sandbox");
    expect(() => billing({ PAYMENT_PROVIDER: "tosspayments" })).toThrow(ConfigError);
    expect(() => billing({ PAYMENT_PROVIDER: "tosspayments" })).toThrow(
      'PAYMENT_PROVIDER="tosspayments": must be one of sandbox',
    );
  });

  it("remembers 100000 idempotency keys by default; refuses less than one", () => {
    expect(billing({}).sandboxMaxRecords).toBe(100_000);
    expect(billing({ PAYMENT_SANDBOX_MAX_RECORDS: "5" }).sandboxMaxRecords).toBe(5);
    expect(() => billing({ PAYMENT_SANDBOX_MAX_RECORDS: "0" })).toThrow(
      'PAYMENT_SANDBOX_MAX_RECORDS="0": must be ≥ 1',
    );
  });
});

describe("the sandbox provider's adapter", () => {
  /** Mounts what the configured provider brings and asks for the control API with a test token. */
  async function controlStatus(production: boolean): Promise<number> {
    const payment = createPaymentProvider("sandbox", {
      internalSecret: "s",
      production,
      log: createLogger("test"),
      settings: billing({}),
    });
    expect(payment.provider).toBeInstanceOf(SandboxPaymentProvider);
    const app = express();
    payment.routes?.(app);
    const server = app.listen(0, "127.0.0.1");
    await new Promise((r) => server.once("listening", r));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/internal/sandbox`, {
        headers: { authorization: `Bearer ${await signServiceToken("test", "s")}` },
      });
      return res.status;
    } finally {
      await new Promise((r) => server.close(r));
    }
  }

  it("mounts the fault-injection API outside production", async () => {
    expect(await controlStatus(false)).toBe(200);
  });

  it("still pays through the sandbox in production, without its fault-injection API", async () => {
    expect(await controlStatus(true)).toBe(404);
  });
});
