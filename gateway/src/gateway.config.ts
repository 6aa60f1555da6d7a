import { fileURLToPath } from "node:url";
import {
  type ContextName,
  int,
  isProductionEnv,
  loadSettings,
  processChecks,
  processSettings,
  type Setting,
  type SettingsOf,
  str,
  SUBGRAPH_NAMES,
} from "@junggo/runtime";
import { DEFAULT_LIMITS } from "./limits.ts";

const subgraphUrls = Object.fromEntries(
  SUBGRAPH_NAMES.map((n) => [
    `subgraphUrl_${n}`,
    str({
      env: `SUBGRAPH_URL_${n.toUpperCase()}`,
      format: "url",
      defaultDoc: "the supergraph's URL",
      description: `GraphQL URL of the ${n} subgraph.`,
    }),
  ]),
) as Record<`subgraphUrl_${ContextName}`, Setting<string | undefined>>;

/** The gateway's settings: every environment variable it reads. */
export const gatewaySettings = {
  ...processSettings("gateway"),
  supergraphPath: str({
    env: "SUPERGRAPH_PATH",
    default: fileURLToPath(new URL("../../schema/supergraph.graphql", import.meta.url)),
    defaultDoc: "`schema/supergraph.graphql`",
    description: "The composed supergraph schema (`npm run compose`).",
  }),
  ...subgraphUrls,
  webDistDir: str({
    env: "WEB_DIST_DIR",
    default: fileURLToPath(new URL("../../web/dist", import.meta.url)),
    defaultDoc: "`web/dist`",
    description: "The built web client served at `/` (not served when the directory is absent).",
  }),
  jwksUrl: str({
    env: "JWKS_URL",
    format: "url",
    defaultDoc: "identity's URL + `/.well-known/jwks.json`",
    description: "Where the access-token verification keys are read.",
  }),
  jwksRefreshSeconds: int({
    env: "JWKS_REFRESH_SECONDS",
    min: 1,
    default: 300,
    description: "How often the JWKS is re-read (a retired key stops working within this).",
  }),
  jwksCooldownSeconds: int({
    env: "JWKS_COOLDOWN_SECONDS",
    min: 0,
    default: 10,
    description: "Least time between two fetches of the JWKS for an unknown key id.",
  }),
  subscriptionBuffer: int({
    env: "SUBSCRIPTION_BUFFER",
    min: 1,
    default: 64,
    description: "Events a subscriber may be behind before `SUBSCRIPTION_OVERFLOW`.",
  }),
  maxQueryDepth: int({
    env: "MAX_QUERY_DEPTH",
    min: 1,
    default: DEFAULT_LIMITS.maxDepth,
    description: "Deepest operation accepted (HTTP and subscriptions), else `QUERY_TOO_COMPLEX`.",
  }),
  maxQueryCost: int({
    env: "MAX_QUERY_COST",
    min: 1,
    default: DEFAULT_LIMITS.maxCost,
    description: "Costliest operation accepted (fields × page sizes), else `QUERY_TOO_COMPLEX`.",
  }),
  assumedListSize: int({
    env: "ASSUMED_LIST_SIZE",
    min: 1,
    default: DEFAULT_LIMITS.assumedListSize,
    description: "Items a list without `first` counts as in the cost.",
  }),
  maxQueryBytes: int({
    env: "MAX_QUERY_BYTES",
    min: 1,
    default: 20_000,
    description: "Largest operation text accepted, else `QUERY_TOO_LARGE` (HTTP 413).",
  }),
  rateLimitPerMinute: int({
    env: "RATE_LIMIT_PER_MINUTE",
    min: 1,
    default: 1200,
    description: "Requests per account (or client IP when anonymous) per minute, else `RATE_LIMITED`.",
  }),
  rateLimitBurst: int({
    env: "RATE_LIMIT_BURST",
    min: 1,
    default: 200,
    description: "Burst of requests allowed above the rate.",
  }),
  loginRateLimitPerMinute: int({
    env: "LOGIN_RATE_LIMIT_PER_MINUTE",
    min: 1,
    default: 10,
    description: "`login` attempts per client IP per minute (password guessing).",
  }),
  loginRateLimitBurst: int({
    env: "LOGIN_RATE_LIMIT_BURST",
    min: 1,
    default: 10,
    description: "Burst of `login` attempts allowed above the rate.",
  }),
};

export type GatewaySettings = SettingsOf<typeof gatewaySettings>;

export interface GatewayConfig extends GatewaySettings {
  /** PORT, else GATEWAY_PORT. */
  listenPort: number;
  production: boolean;
  /** SUBGRAPH_URL_<NAME> overrides by subgraph name. */
  subgraphUrls: Record<string, string | undefined>;
}

/** The gateway's configuration from `env`; throws a ConfigError listing every problem. */
export function loadGatewayConfig(env: Readonly<Record<string, string | undefined>>): GatewayConfig {
  const production = isProductionEnv(env);
  const s = loadSettings("gateway", gatewaySettings, env, { production, checks: processChecks });
  return Object.freeze({
    ...s,
    listenPort: s.port ?? s.namedPort,
    production,
    subgraphUrls: Object.freeze(Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, s[`subgraphUrl_${n}`]]))),
  });
}

/** The defaults of every gateway setting (what an unset environment gives). */
export const GATEWAY_DEFAULTS = loadGatewayConfig({});
