import type { AddressInfo } from "node:net";
import express from "express";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger, signServiceToken } from "@junggo/runtime";
import { createPaymentProvider, paymentProviderFromEnv } from "../src/adapters/payment-provider.config.ts";
import { SandboxPaymentProvider } from "../src/adapters/payment-sandbox/sandbox-payment.provider.ts";

const nodeEnv = process.env.NODE_ENV;
afterEach(() => {
  process.env.NODE_ENV = nodeEnv;
});

describe("PAYMENT_PROVIDER", () => {
  it("is the sandbox when unset, and refuses an unknown value with a message naming the known ones", () => {
    expect(paymentProviderFromEnv({})).toBe("sandbox");
    expect(paymentProviderFromEnv({ PAYMENT_PROVIDER: " sandbox " })).toBe("sandbox");
    expect(() => paymentProviderFromEnv({ PAYMENT_PROVIDER: "tosspayments" })).toThrow(
      /PAYMENT_PROVIDER must be one of sandbox; got "tosspayments"/,
    );
  });
});

describe("the sandbox provider's adapter", () => {
  /** Mounts what the configured provider brings and asks for the control API with a test token. */
  async function controlStatus(): Promise<number> {
    const payment = createPaymentProvider("sandbox", { internalSecret: "s", log: createLogger("test") });
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
    process.env.NODE_ENV = "test";
    expect(await controlStatus()).toBe(200);
  });

  it("still pays through the sandbox in production, without its fault-injection API", async () => {
    process.env.NODE_ENV = "production";
    expect(await controlStatus()).toBe(404);
  });
});
