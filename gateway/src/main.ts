import { existsSync, readFileSync } from "node:fs";
import {
  applyProcessSettings,
  configOrExit,
  createLogger,
  initTracing,
  shutdownTracing,
} from "@junggo/runtime";
import { startGateway } from "./gateway.ts";
import { loadGatewayConfig } from "./gateway.config.ts";

// Every setting read once, here; a bad one stops the gateway with the list of all problems.
const config = configOrExit(() => loadGatewayConfig(process.env));
applyProcessSettings(config);
// Before anything that makes spans; a no-op without an OTLP endpoint.
await initTracing("gateway", config);
const log = createLogger("gateway");

const gw = await startGateway({
  supergraphSdl: readFileSync(config.supergraphPath, "utf8"),
  port: config.listenPort,
  host: config.host,
  internalSecret: config.internalSecret,
  production: config.production,
  subgraphUrls: config.subgraphUrls,
  jwks: {
    url: config.jwksUrl,
    refreshMs: config.jwksRefreshSeconds * 1000,
    cooldownMs: config.jwksCooldownSeconds * 1000,
  },
  log,
  subscriptionBuffer: config.subscriptionBuffer,
  limits: {
    maxDepth: config.maxQueryDepth,
    maxCost: config.maxQueryCost,
    assumedListSize: config.assumedListSize,
  },
  maxQueryBytes: config.maxQueryBytes,
  rateLimit: { perMinute: config.rateLimitPerMinute, burst: config.rateLimitBurst },
  loginRateLimit: { perMinute: config.loginRateLimitPerMinute, burst: config.loginRateLimitBurst },
  // The web client built by `pnpm --filter @junggo/web build`, served at / when present.
  webDir: existsSync(config.webDistDir) ? config.webDistDir : undefined,
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
