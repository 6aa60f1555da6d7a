import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { parse, specifiedRules, validate } from "graphql";
import { Supergraph } from "@apollo/federation-internals";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { createLocalJWKSet } from "jose";
import {
  createLogger,
  generateSigningKey,
  importSigningKey,
  publicJwks,
  signAccessToken,
  SUBGRAPH_NAMES,
} from "@junggo/runtime";
import { startGateway } from "../src/gateway.ts";
import { operationLimitRules, RateLimiter } from "../src/limits.ts";

// The gateway refuses abusive operations before calling any subgraph: these run with no subgraph up.
const supergraphSdl = readFileSync(new URL("../../schema/supergraph.graphql", import.meta.url), "utf8");
const apiSchema = Supergraph.build(supergraphSdl).apiSchema().toGraphQLJSSchema();
const key = await generateSigningKey();
const keyFile = { active: key.kid, keys: [key] };
const secrets = {
  accessTokenKeys: createLocalJWKSet(publicJwks(keyFile)),
  internalSecret: "test-internal-secret",
};
const buyerToken = async () =>
  signAccessToken(
    { id: "00000000-0000-4000-8000-000000000001", role: "BUYER", name: "B", email: "b@x" },
    await importSigningKey(keyFile),
    3600,
  );
const running: { stop(): Promise<void> }[] = [];

async function gateway(extra: Partial<Parameters<typeof startGateway>[0]> = {}) {
  const gw = await startGateway({
    supergraphSdl,
    port: 0,
    host: "127.0.0.1",
    ...secrets,
    log: createLogger("gateway-test"),
    // Nothing listens there: a request that got past the limits would fail differently.
    subgraphUrls: Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, "http://127.0.0.1:9/graphql"])),
    ...extra,
  });
  running.push(gw);
  return gw;
}
afterEach(async () => {
  await Promise.all(running.splice(0).map((g) => g.stop()));
});

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });

/** purchase → consignment → purchase → … `levels` times: legal GraphQL, absurd depth. */
function nested(levels: number): string {
  let inner = "id";
  for (let i = 0; i < levels; i++)
    inner = (levels - 1 - i) % 2 ? `purchase { id ${inner} }` : `consignment { id ${inner} }`;
  return `query ($id: ID!) { purchase(id: $id) { ${inner} } }`;
}

describe("operation limits (validation rules)", () => {
  const rules = operationLimitRules({ maxDepth: 6, maxCost: 500, assumedListSize: 20 });
  const check = (q: string) =>
    validate(apiSchema, parse(q), [...specifiedRules, ...rules]).map((e) => e.extensions.code ?? e.message);

  it("lets the operations the clients use through", () => {
    expect(
      check(
        `{ myPurchases { id status vehicle { make model } payment { status } consignment { status eta driver { name } } } }`,
      ),
    ).toEqual([]);
    expect(
      check(
        `{ vehicles(first: 12) { totalCount edges { cursor node { id make model year priceKrw status } } pageInfo { hasNextPage endCursor } } }`,
      ),
    ).toEqual([]);
    expect(
      check(
        `{ __schema { types { name fields { name type { name ofType { name ofType { name ofType { name } } } } } } } }`,
      ),
    ).toEqual([]);
  });

  it("refuses too deep and too expensive operations, fragments included", () => {
    expect(check(nested(6))).toEqual(["QUERY_TOO_COMPLEX"]);
    expect(
      check(
        `{ vehicles(first: 100) { edges { node { id vin make model year mileageKm priceKrw status } } } }`,
      ),
    ).toEqual(["QUERY_TOO_COMPLEX"]);
    expect(
      check(
        `query { ...A } fragment A on Query { myPurchases { ...B } } fragment B on Purchase { consignment { purchase { consignment { purchase { consignment { id } } } } } }`,
      ),
    ).toEqual(["QUERY_TOO_COMPLEX"]);
    // Aliases multiply the work: each one counts.
    const aliased = Array.from({ length: 40 }, (_, i) => `a${i}: myPurchases { id status }`).join(" ");
    expect(check(`{ ${aliased} }`)).toEqual(["QUERY_TOO_COMPLEX"]);
  });
});

describe("rate limiter", () => {
  it("allows a burst, then one request per refill interval, per key", () => {
    let now = 0;
    const r = new RateLimiter(60, 3, () => now);
    expect([r.take("a"), r.take("a"), r.take("a")]).toEqual([0, 0, 0]);
    expect(r.take("a")).toBe(1);
    expect(r.take("b")).toBe(0);
    now += 1000;
    expect(r.take("a")).toBe(0);
    expect(r.take("a")).toBeGreaterThan(0);
  });
});

describe("the gateway's HTTP door", () => {
  it("refuses deep, expensive and oversized operations and batches, before any subgraph call", async () => {
    const gw = await gateway({
      limits: { maxDepth: 8, maxCost: 2000, assumedListSize: 20 },
      maxQueryBytes: 4000,
    });
    const deep = await post(gw.url, { query: nested(12), variables: { id: "x" } });
    expect(deep.status).toBe(400);
    expect((await deep.json()).errors[0].extensions.code).toBe("QUERY_TOO_COMPLEX");

    const big = await post(gw.url, { query: `{ me { id } }`.padEnd(5000, " ") });
    expect(big.status).toBe(413);
    expect((await big.json()).errors[0].extensions.code).toBe("QUERY_TOO_LARGE");

    const batch = await post(gw.url, [{ query: "{ __typename }" }, { query: "{ __typename }" }]);
    expect(batch.status).toBe(400);

    const ok = await post(gw.url, { query: "{ __typename }" });
    expect(await ok.json()).toEqual({ data: { __typename: "Query" } });
  });

  it("refuses a GET without a preflight header (CSRF) and accepts it with one", async () => {
    const gw = await gateway();
    const url = `${gw.url}?query=${encodeURIComponent("{ __typename }")}`;
    const simple = await fetch(url);
    expect(simple.status).toBe(400);
    const preflighted = await fetch(url, { headers: { "apollo-require-preflight": "true" } });
    expect(await preflighted.json()).toEqual({ data: { __typename: "Query" } });
    // Development: Sandbox is the landing page (production below must not have it).
    expect(await (await fetch(gw.url, { headers: { accept: "text/html" } })).text()).toContain(
      "new window.EmbeddedSandbox",
    );
  });

  it("limits requests per caller with 429, RATE_LIMITED and Retry-After", async () => {
    const gw = await gateway({ rateLimit: { perMinute: 60, burst: 3 } });
    const codes = [];
    for (let i = 0; i < 4; i++) {
      const r = await post(gw.url, { query: "{ __typename }" });
      codes.push(r.status);
      if (r.status === 429) {
        expect(r.headers.get("retry-after")).toBe("1");
        expect((await r.json()).errors[0].extensions).toMatchObject({
          code: "RATE_LIMITED",
          retryAfterSeconds: 1,
        });
      }
    }
    expect(codes).toEqual([200, 200, 200, 429]);
    // Another account has its own budget.
    const token = await buyerToken();
    expect(
      (await post(gw.url, { query: "{ __typename }" }, { authorization: `Bearer ${token}` })).status,
    ).toBe(200);
  });

  it("gives login attempts a small budget per client address", async () => {
    const gw = await gateway({ loginRateLimit: { perMinute: 6, burst: 2 } });
    const login = `mutation { login(email: "buyer@junggo.test", password: "guess") { token } }`;
    const codes: unknown[] = [];
    for (let i = 0; i < 3; i++)
      codes.push((await (await post(gw.url, { query: login })).json()).errors?.[0]?.extensions?.code);
    // The first two reach identity (down here, so a gateway error); the third is refused at the door.
    expect(codes[2]).toBe("RATE_LIMITED");
    expect(codes.slice(0, 2)).not.toContain("RATE_LIMITED");
    // Other operations from the same address are not affected.
    expect((await post(gw.url, { query: "{ __typename }" })).status).toBe(200);
  });

  it("counts a login hidden from the text (comment before its parenthesis, alias, fragment) and not one in a comment or string", async () => {
    const gw = await gateway({ loginRateLimit: { perMinute: 1, burst: 2 } });
    const code = async (query: string, extra: Record<string, unknown> = {}) =>
      (await (await post(gw.url, { query, ...extra })).json()).errors?.[0]?.extensions?.code;
    // Not logins: a field named in a comment or a string argument, and a query that names no login.
    expect(await code(`query { __typename # login(email: "a", password: "b")\n }`)).not.toBe("RATE_LIMITED");
    expect(await code(`mutation { logout(note: "login(") }`)).not.toBe("RATE_LIMITED");
    expect(await code(`query { __typename }`)).not.toBe("RATE_LIMITED");
    // A comment between login and "(": the first of the two allowed attempts…
    expect(await code(`mutation { login #\n (email: "b@x", password: "guess") { token } }`)).not.toBe(
      "RATE_LIMITED",
    );
    // …an aliased one through a fragment: the second…
    expect(
      await code(
        `mutation M { ...F } fragment F on Mutation { guess: login(email: "b@x", password: "g") { token } }`,
        {
          operationName: "M",
        },
      ),
    ).not.toBe("RATE_LIMITED");
    // …so the third is refused at the door, however it is written.
    expect(await code(`mutation { login # hidden\n (email: "b@x", password: "guess") { token } }`)).toBe(
      "RATE_LIMITED",
    );
  });

  it("applies the same limits to subscriptions", async () => {
    const gw = await gateway({ limits: { maxDepth: 4, maxCost: 2000, assumedListSize: 20 } });
    const token = await buyerToken();
    const client = createClient({
      url: gw.url.replace("http", "ws"),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      retryAttempts: 0,
    });
    const errors = await new Promise<unknown>((resolve) => {
      client.subscribe(
        {
          query: `subscription { purchaseStatusChanged { consignment { purchase { consignment { purchase { id } } } } } }`,
        },
        { next: resolve, error: resolve, complete: () => resolve(null) },
      );
    });
    await client.dispose();
    expect(JSON.stringify(errors)).toContain("QUERY_TOO_COMPLEX");
  });

  it("in production: no introspection, no Sandbox, no internal messages", async () => {
    {
      const gw = await gateway({ production: true });
      const intro = await post(gw.url, { query: "{ __schema { types { name } } }" });
      expect((await intro.json()).errors[0].extensions.code).toBe("GRAPHQL_VALIDATION_FAILED");
      const landing = await (await fetch(gw.url, { headers: { accept: "text/html" } })).text();
      expect(landing).not.toContain("new window.EmbeddedSandbox");
      // The subgraph is unreachable: the client learns nothing about hosts or ports.
      const failed = await (await post(gw.url, { query: "{ vehicles { totalCount } }" })).json();
      expect(JSON.stringify(failed)).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|stack/);
      // …but it learns which part of the system is away, and that it may try again.
      expect(failed.errors[0].extensions).toEqual({ code: "SERVICE_UNAVAILABLE", service: "stock" });
      expect(failed.errors[0].message).toMatch(/stock service did not answer.*try again/);
    }
  });
});
