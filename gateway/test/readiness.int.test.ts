import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { composeServices } from "@apollo/composition";
import { parse } from "graphql";
import { createLogger, SUBGRAPH_NAMES } from "@junggo/runtime";
import { startGateway } from "../src/gateway.ts";

// Without URL overrides the gateway calls the URLs written in the supergraph; its readiness must
// check those same URLs.
const servers: Server[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

const healthServer = async (healthy: boolean) => {
  const s = createServer((req, res) => {
    res.statusCode = healthy && req.url === "/healthz" ? 200 : 503;
    res.end("{}");
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}/graphql`;
};

describe("gateway /readyz", () => {
  it("checks the subgraph URLs of the supergraph when none are overridden", async () => {
    const urls = Object.fromEntries(
      await Promise.all(SUBGRAPH_NAMES.map(async (n) => [n, await healthServer(n !== "billing")] as const)),
    );
    const { supergraphSdl, errors } = composeServices(
      SUBGRAPH_NAMES.map((name) => ({
        name,
        url: urls[name],
        typeDefs: parse(
          readFileSync(new URL(`../../subgraphs/${name}/schema.graphql`, import.meta.url), "utf8"),
        ),
      })),
    );
    expect(errors).toBeUndefined();
    const gw = await startGateway({
      supergraphSdl: supergraphSdl!,
      port: 0,
      host: "127.0.0.1",
      accessTokenKeys: async () => {
        throw new Error("no tokens in this test");
      },
      internalSecret: "i",
      subgraphUrls: {},
      log: createLogger("test"),
    });
    try {
      const res = await fetch(gw.url.replace(/\/graphql$/, "/readyz"));
      expect(res.status).toBe(503);
      expect(((await res.json()) as { subgraphs: Record<string, boolean> }).subgraphs).toEqual(
        Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, n !== "billing"])),
      );
    } finally {
      await gw.stop();
      gw.server.close();
    }
  });
});
