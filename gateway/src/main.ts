import { existsSync, readFileSync } from "node:fs";
import {
  createLogger,
  env,
  gatewaySecrets,
  initTracing,
  intEnv,
  shutdownTracing,
  SUBGRAPH_NAMES,
} from "@junggo/runtime";
import { startGateway } from "./gateway.ts";

// Before anything that makes spans; a no-op without OTEL_EXPORTER_OTLP_ENDPOINT.
await initTracing("gateway");
const log = createLogger("gateway");
const supergraphPath = env(
  "SUPERGRAPH_PATH",
  new URL("../../schema/supergraph.graphql", import.meta.url).pathname,
);
const subgraphUrls: Record<string, string | undefined> = {};
for (const name of SUBGRAPH_NAMES) {
  subgraphUrls[name] = process.env[`SUBGRAPH_URL_${name.toUpperCase()}`];
}

// The web client built by `pnpm --filter @junggo/web build`, served at / when present.
const webDir = env("WEB_DIST_DIR", new URL("../../web/dist", import.meta.url).pathname);

const gw = await startGateway({
  supergraphSdl: readFileSync(supergraphPath, "utf8"),
  port: intEnv("PORT", intEnv("GATEWAY_PORT", 4000)),
  host: env("HOST", "127.0.0.1"),
  ...gatewaySecrets(),
  subgraphUrls,
  jwks: {
    url: process.env.JWKS_URL || undefined,
    refreshMs: intEnv("JWKS_REFRESH_SECONDS", 300) * 1000,
    cooldownMs: intEnv("JWKS_COOLDOWN_SECONDS", 10) * 1000,
  },
  log,
  subscriptionBuffer: intEnv("SUBSCRIPTION_BUFFER", 64),
  limits: {
    maxDepth: intEnv("MAX_QUERY_DEPTH", 10),
    maxCost: intEnv("MAX_QUERY_COST", 5000),
    assumedListSize: intEnv("ASSUMED_LIST_SIZE", 20),
  },
  maxQueryBytes: intEnv("MAX_QUERY_BYTES", 20_000),
  rateLimit: { perMinute: intEnv("RATE_LIMIT_PER_MINUTE", 1200), burst: intEnv("RATE_LIMIT_BURST", 200) },
  loginRateLimit: {
    perMinute: intEnv("LOGIN_RATE_LIMIT_PER_MINUTE", 10),
    burst: intEnv("LOGIN_RATE_LIMIT_BURST", 10),
  },
  webDir: existsSync(webDir) ? webDir : undefined,
});

for (const sig of ["SIGTERM", "SIGINT"] as const) {
  process.once(sig, () => {
    log.info("shutting down");
    gw.stop().then(
      () => shutdownTracing().then(() => process.exit(0)),
      () => process.exit(1),
    );
  });
}
