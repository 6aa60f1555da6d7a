import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { describe, expect, it } from "vitest";
import { createLogger, signServiceToken } from "@junggo/runtime";
import { chargeRoutes, serverTiming } from "../src/adapters/charge.routes.ts";

describe("charge route Server-Timing", () => {
  it("formats billing's handler time and its own event-loop stall", () => {
    expect(serverTiming(12.345, 3.21)).toBe("app;dur=12.3, stall;dur=3.2");
    expect(serverTiming(5, 9)).toBe("app;dur=5.0, stall;dur=5.0");
  });

  it("reports app and stall on a charge answer; a stall inside the handler shows as stall, not as billing's own time", async () => {
    const app = express();
    const secret = "test-secret";
    chargeRoutes(app, {
      internalSecret: secret,
      log: createLogger("test"),
      charge: async (cmd) => {
        await new Promise((r) => setTimeout(r, 50)); // waiting on the provider: billing's own time
        const end = performance.now() + 150;
        while (performance.now() < end) {
          /* the loop is blocked: stall */
        }
        await new Promise((r) => setTimeout(r, 10));
        return { kind: "declined", message: `no ${cmd.amountKrw}` };
      },
    });
    const server = createServer(app);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const res = await fetch(
        `http://127.0.0.1:${(server.address() as AddressInfo).port}/internal/payments/charge`,
        {
          method: "POST",
          headers: {
            "content-type": "application/json",
            authorization: `Bearer ${await signServiceToken("purchase", secret)}`,
          },
          body: JSON.stringify({
            purchaseId: "cccccccc-cccc-4ccc-8ccc-cccccccccccc",
            buyerId: "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb",
            amountKrw: 1_000,
          }),
        },
      );
      expect(res.status).toBe(402);
      const m = /^app;dur=([0-9.]+), stall;dur=([0-9.]+)$/.exec(res.headers.get("server-timing") ?? "");
      expect(m).not.toBeNull();
      const [appMs, stallMs] = [Number(m![1]), Number(m![2])];
      expect(appMs).toBeGreaterThanOrEqual(205);
      expect(stallMs).toBeGreaterThanOrEqual(120);
      expect(appMs - stallMs).toBeLessThan(120);
      expect(appMs - stallMs).toBeGreaterThanOrEqual(50);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
