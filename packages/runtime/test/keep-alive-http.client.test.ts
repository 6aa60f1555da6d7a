import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keepAliveHttp } from "../src/index.ts";

// A real node:http server: the pool, the response and the abort as the services use them.
let server: Server;
let base: string;
const ports: number[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    ports.push(req.socket.remotePort ?? 0);
    if (req.url === "/slow") {
      setTimeout(() => res.end("late"), 2_000).unref();
      return;
    }
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      res.writeHead(201, { "content-type": "application/json", "server-timing": "app;dur=3" });
      res.end(JSON.stringify({ echo: body, method: req.method }));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe("keepAliveHttp", () => {
  it("posts, reads status, headers and JSON, and reuses one pooled socket", async () => {
    const http = keepAliveHttp();
    try {
      ports.length = 0;
      for (const n of [1, 2]) {
        const res = await http.fetcher(`${base}/x`, { method: "POST", body: `{"n":${n}}` });
        expect(res).toMatchObject({ ok: true, status: 201 });
        expect(res.headers.get("Server-Timing")).toBe("app;dur=3");
        expect(await res.json()).toEqual({ echo: `{"n":${n}}`, method: "POST" });
      }
      expect(ports).toHaveLength(2);
      expect(ports[0]).toBe(ports[1]);
    } finally {
      http.close();
    }
  });

  it("aborts a request with its signal's reason, before it is sent or while it waits", async () => {
    const http = keepAliveHttp();
    try {
      const gone = AbortSignal.abort(new Error("already cancelled"));
      await expect(http.fetcher(`${base}/x`, { body: "{}", signal: gone })).rejects.toThrow(
        "already cancelled",
      );
      const started = Date.now();
      await expect(
        http.fetcher(`${base}/slow`, { body: "{}", signal: AbortSignal.timeout(100) }),
      ).rejects.toMatchObject({ name: "TimeoutError" });
      expect(Date.now() - started).toBeLessThan(1_500);
      // The pool still serves the next call.
      expect((await http.fetcher(`${base}/x`, { body: "{}" })).status).toBe(201);
    } finally {
      http.close();
    }
  });
});
