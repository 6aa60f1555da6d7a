import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ConfigError, loadSubgraphConfig } from "@junggo/runtime";
import { describe, expect, it } from "vitest";
import { GATEWAY_DEFAULTS, loadGatewayConfig } from "../../../gateway/src/gateway.config.ts";
import { purchaseChecks, purchaseSettings } from "../../../subgraphs/purchase/src/purchase.config.ts";
import { CONFIGURATION_DOC, declaredVariables, renderConfigurationDocs } from "../src/config-docs.ts";
import { envReads, isEntryPoint, productionEnvReads } from "../src/env-reads.ts";

describe("environment reads of production code", () => {
  it("finds named, computed and whole reads (and the former helpers)", () => {
    const src = [
      "const a = process.env.FOO_BAR;",
      'const b = process.env["BAZ"];',
      "const c = process.env[name];",
      'const d = intEnv("QUX", 3);',
      "start(process.env);",
      "const { SECRET } = process.env;",
    ].join("\n");
    const reads = envReads("x.ts", src).map((r) => [r.line, r.name, r.whole]);
    expect(reads).toEqual(
      expect.arrayContaining([
        [1, "FOO_BAR", false],
        [2, "BAZ", false],
        [3, null, false],
        [4, "QUX", false],
        [5, null, true],
        [6, null, true],
      ]),
    );
    expect(reads).toHaveLength(6);
  });

  it("every variable production code reads is declared in a settings schema", () => {
    const declared = declaredVariables();
    const reads = productionEnvReads();
    const undeclared = reads.filter((r) => r.name !== null && !declared.has(r.name));
    expect(undeclared.map((r) => `${r.file}:${r.line} reads ${r.name}`)).toEqual([]);
    // A computed name cannot be checked against the schemas.
    const computed = reads.filter((r) => r.name === null && !r.whole);
    expect(computed.map((r) => `${r.file}:${r.line}`)).toEqual([]);
    // The environment as a whole is handed only by entry points to the loaders.
    const handed = reads.filter((r) => r.whole && !isEntryPoint(r.file));
    expect(handed.map((r) => `${r.file}:${r.line}`)).toEqual([]);
  });
});

describe("docs/configuration.md", () => {
  it("is what the schemas give (npm run docs:config)", () => {
    expect(readFileSync(CONFIGURATION_DOC, "utf8"), "stale: run npm run docs:config").toBe(
      renderConfigurationDocs(),
    );
  });
});

const problemsOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
};

describe("process configurations", () => {
  it("purchase: its own settings and the runtime's are listed together; relations checked once each is valid", () => {
    const own = { settings: purchaseSettings, checks: purchaseChecks };
    expect(
      problemsOf(() =>
        loadSubgraphConfig("purchase", { HOLD_TTL_MS: "1.5", PORT: "x", BILLING_URL: "nope" }, own),
      ),
    ).toEqual([
      'PORT="x": must be a whole number',
      'BILLING_URL="nope": must be a URL',
      'HOLD_TTL_MS="1.5": must be a whole number',
    ]);
    expect(problemsOf(() => loadSubgraphConfig("purchase", { HOLD_TTL_MS: "5000" }, own))).toEqual([
      "HOLD_TTL_MS (5000) must be at least 3 × BILLING_TIMEOUT_MS × 3 attempts (5490 ms)",
      "HOLD_TTL_MS (5000) must be at least 1.5 × (BILLING_ANSWER_TIMEOUT_MS × 3 attempts + BILLING_STALL_ALLOWANCE_MS + 500 ms backoff) (13740 ms)",
    ]);
    expect(loadSubgraphConfig("purchase", {}, own).own).toMatchObject({
      billingUrl: "http://127.0.0.1:4004",
      billingTimeoutMs: 610,
      billingAnswerTimeoutMs: undefined,
      holdTtlMs: 120_000,
    });
  });

  it("gateway: every bad setting listed; defaults in one place", () => {
    expect(
      problemsOf(() =>
        loadGatewayConfig({
          RATE_LIMIT_PER_MINUTE: "0.5",
          MAX_QUERY_DEPTH: "0",
          SUBGRAPH_URL_STOCK: "stock",
          JWKS_REFRESH_SECONDS: "soon",
        }),
      ),
    ).toEqual([
      'SUBGRAPH_URL_STOCK="stock": must be a URL',
      'JWKS_REFRESH_SECONDS="soon": must be a whole number',
      'MAX_QUERY_DEPTH="0": must be ≥ 1',
      'RATE_LIMIT_PER_MINUTE="0.5": must be a whole number',
    ]);
    expect(GATEWAY_DEFAULTS).toMatchObject({
      listenPort: 4000,
      rateLimitPerMinute: 1200,
      maxQueryBytes: 20_000,
    });
    const gw = loadGatewayConfig({ GATEWAY_PORT: "4400", SUBGRAPH_URL_STOCK: "http://s:1/graphql" });
    expect(gw.listenPort).toBe(4400);
    expect(gw.subgraphUrls).toMatchObject({ stock: "http://s:1/graphql", identity: undefined });
  });

  it("a service with bad settings exits non-zero before starting anything, listing every problem", () => {
    const root = fileURLToPath(new URL("../../..", import.meta.url));
    const r = spawnSync(process.execPath, ["--import", "tsx", "subgraphs/stock/src/main.ts"], {
      cwd: root,
      encoding: "utf8",
      env: {
        PATH: process.env.PATH,
        PORT: "-1",
        NATS_URL: "",
        CONSUMER_RETRY_MAX_MS: "1e3",
        LOG_LEVEL: "all",
      },
      timeout: 60_000,
    });
    expect(r.status).toBe(78);
    expect(r.stderr).toContain("stock: invalid configuration (3 problems):");
    expect(r.stderr).toContain('PORT="-1": must be ≥ 0 and ≤ 65535');
    expect(r.stderr).toContain('CONSUMER_RETRY_MAX_MS="1e3": must be a whole number');
    expect(r.stderr).toContain('LOG_LEVEL="all": must be one of debug, info, warn, error');
  }, 60_000);
});
