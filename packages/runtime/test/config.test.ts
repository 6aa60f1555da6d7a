import { existsSync, readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  ConfigError,
  DEFAULT_PORTS,
  int,
  loadSettings,
  loadSubgraphConfig,
  num,
  str,
  SUBGRAPH_NAMES,
} from "../src/index.ts";

const problemsOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error("no ConfigError");
};

describe("settings schemas", () => {
  it("list every bad setting at once, each named with its value and why", () => {
    const problems = problemsOf(() =>
      loadSubgraphConfig("stock", {
        PORT: "abc",
        CONSUMER_MAX_DELIVER: "1.5",
        LIVE_BUFFER: "0",
        LOG_LEVEL: "loud",
        DATABASE_URL: "not a url",
        SEED_DEMO: "maybe",
      }),
    );
    expect(problems).toEqual([
      'LOG_LEVEL="loud": must be one of debug, info, warn, error',
      'PORT="abc": must be a whole number',
      'DATABASE_URL="not a url": must be a URL',
      'SEED_DEMO="maybe": must be one of 1, true, yes, on, 0, false, no, off',
      'LIVE_BUFFER="0": must be ≥ 1',
      'CONSUMER_MAX_DELIVER="1.5": must be a whole number',
    ]);
    const err = (() => {
      try {
        loadSubgraphConfig("stock", { PORT: "abc", LIVE_BUFFER: "0" });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err?.message).toBe(
      'stock: invalid configuration (2 problems):\n  - PORT="abc": must be a whole number\n  - LIVE_BUFFER="0": must be ≥ 1',
    );
  });

  it("gives one frozen object with the declared defaults; empty counts as unset; PORT wins over <CONTEXT>_PORT", () => {
    const { service } = loadSubgraphConfig("purchase", {
      LIVE_BUFFER: "",
      SEED_DEMO: "on",
      PURCHASE_PORT: "5003",
    });
    expect(service).toMatchObject({
      context: "purchase",
      port: 5003,
      host: "127.0.0.1",
      dataDir: ".data/purchase",
      databaseUrl: undefined,
      liveBuffer: 256,
      seedDemo: true,
      production: false,
      internalSecret: "dev-only-internal-secret-change-me",
    });
    expect(Object.isFrozen(service)).toBe(true);
    expect(loadSubgraphConfig("purchase", { PORT: "0", PURCHASE_PORT: "5003" }).service.port).toBe(0);
  });

  it("integers refuse fractions, numbers accept them, both within range", () => {
    const spec = {
      count: int({ env: "COUNT", min: 1, max: 10, default: 2, description: "" }),
      rate: num({ env: "RATE", min: 0, max: 1, default: 0, description: "" }),
      minutes: num({ env: "MINUTES", min: 0, minExclusive: true, default: 15, description: "" }),
    };
    const load = (env: Record<string, string>) => loadSettings("t", spec, env, { production: false });
    expect(load({ COUNT: "3", RATE: "0.25", MINUTES: "0.05" })).toEqual({
      count: 3,
      rate: 0.25,
      minutes: 0.05,
    });
    expect(problemsOf(() => load({ COUNT: "2.5", RATE: "1.5", MINUTES: "0" }))).toEqual([
      'COUNT="2.5": must be a whole number',
      'RATE="1.5": must be ≥ 0 and ≤ 1',
      'MINUTES="0": must be > 0',
    ]);
    expect(problemsOf(() => load({ COUNT: "11", RATE: "x" }))).toEqual([
      'COUNT="11": must be ≥ 1 and ≤ 10',
      'RATE="x": must be a number',
    ]);
  });

  it("production refuses development defaults of secrets and FAILPOINTS; only what is declared is required", () => {
    expect(
      problemsOf(() =>
        loadSubgraphConfig("stock", {
          NODE_ENV: "production",
          NATS_PASSWORD: "p",
          FAILPOINTS: "relay.after-puback=crash@1",
        }),
      ),
    ).toEqual(["INTERNAL_SECRET: must be set in production (NODE_ENV=production)"]);
    expect(
      problemsOf(() =>
        loadSubgraphConfig("stock", {
          NODE_ENV: "production",
          INTERNAL_SECRET: "s",
          NATS_PASSWORD: "p",
          FAILPOINTS: "relay.after-puback=crash@1",
        }),
      ),
    ).toEqual([
      "FAILPOINTS: is set but NODE_ENV=production: crash points are for tests only; refusing to start",
    ]);
    // The runtime's subgraph settings do not include JWT_KEYS_FILE: only identity signs (its own schema).
    const { service } = loadSubgraphConfig("stock", {
      NODE_ENV: "production",
      INTERNAL_SECRET: "s",
      NATS_PASSWORD: "p",
    });
    expect(service).toMatchObject({ production: true, internalSecret: "s" });
    const keys = {
      settings: { jwtKeysFile: str({ env: "JWT_KEYS_FILE", devDefault: "dev.json", description: "" }) },
    };
    expect(
      problemsOf(() =>
        loadSubgraphConfig(
          "identity",
          { NODE_ENV: "production", INTERNAL_SECRET: "s", NATS_PASSWORD: "p" },
          keys,
        ),
      ),
    ).toEqual(["JWT_KEYS_FILE: must be set in production (NODE_ENV=production)"]);
    expect(loadSubgraphConfig("identity", {}, keys).own.jwtKeysFile).toBe("dev.json");
  });
});

describe("the list of contexts (contexts.json)", () => {
  const root = new URL("../../../", import.meta.url);
  const dirs = (path: string) =>
    readdirSync(new URL(path, root), { withFileTypes: true })
      .filter((d) => d.isDirectory() && d.name !== "node_modules")
      .map((d) => d.name);

  it("names every subgraph folder and Prisma schema once, each on its own port", () => {
    expect([...SUBGRAPH_NAMES].sort()).toEqual(dirs("subgraphs/").sort());
    expect([...SUBGRAPH_NAMES].sort()).toEqual(
      dirs("prisma/")
        .filter((d) => existsSync(new URL(`prisma/${d}/schema.prisma`, root)))
        .sort(),
    );
    const ports = Object.values(DEFAULT_PORTS);
    expect(new Set(ports).size).toBe(ports.length);
    expect(Object.keys(DEFAULT_PORTS)).toEqual(["gateway", ...SUBGRAPH_NAMES]);
  });

  it("is the list the Prisma package and its client exports use (package.json cannot read the JSON)", async () => {
    const { CONTEXTS } = await import("@junggo/prisma");
    expect(CONTEXTS).toEqual(SUBGRAPH_NAMES);
    const exports = JSON.parse(readFileSync(new URL("prisma/package.json", root), "utf8")).exports as object;
    // "./identity": its generated client, one per context.
    const clients = Object.keys(exports).filter((k) => /^\.\/[a-z]+$/.test(k));
    expect(clients.map((k) => k.slice(2))).toEqual(SUBGRAPH_NAMES);
  });
});
