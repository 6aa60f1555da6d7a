import type { Server } from "node:http";
import express from "express";
import { ApolloGateway } from "@apollo/gateway";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import {
  ApolloServerPluginLandingPageLocalDefault,
  ApolloServerPluginLandingPageProductionDefault,
} from "@apollo/server/plugin/landingPage/default";
import {
  cachedLoginVerifier,
  DEFAULT_PORTS,
  DomainError,
  formatError,
  HttpServer,
  httpErrorHandler,
  keepAliveHttp,
  Lifecycle,
  opsRoutes,
  processMetrics,
  traceHttpRequests,
  tracingPlugins,
  type AccessTokenKeys,
  type Logger,
} from "@junggo/runtime";
import { parseBearer } from "./bearer.ts";
import type { GatewayContext } from "./context.ts";
import { GATEWAY_DEFAULTS } from "./gateway.config.ts";
import { graphqlHttpRoute } from "./graphql-http.ts";
import { IdentityForwardingDataSource } from "./identity-forwarding.data-source.ts";
import { RemoteKeySet } from "./jwks.ts";
import { operationLimitRules, RateLimiter, type OperationLimits } from "./limits.ts";
import { overloadPlugin } from "./overload.plugin.ts";
import { FederatedSubscriptions } from "./subscriptions.ts";
import { webRoutes } from "./web.routes.ts";

export type { GatewayContext } from "./context.ts";
export { viewerFromAuthorization } from "./graphql-http.ts";

export interface GatewayOptions {
  supergraphSdl: string;
  port: number;
  host: string;
  internalSecret: string;
  /** NODE_ENV=production: no introspection, the production landing page. Default: development. */
  production?: boolean;
  /**
   * Access-token verification keys. Default: identity's JWKS (`jwks.url`, else the identity
   * subgraph's /.well-known/jwks.json), cached and refreshed.
   */
  accessTokenKeys?: AccessTokenKeys;
  jwks?: { url?: string; refreshMs?: number; cooldownMs?: number };
  /** Subgraph URL overrides by subgraph name (tests and deployments use other ports/hosts); others use the supergraph's. */
  subgraphUrls: Record<string, string | undefined>;
  log: Logger;
  /** Pending events per subscription (SUBSCRIPTION_BUFFER). */
  subscriptionBuffer?: number;
  /** Built web client served at / (absent: not served). */
  webDir?: string;
  /** Depth and cost limits of every operation (HTTP and subscriptions). */
  limits?: OperationLimits;
  /** Largest accepted operation text, in bytes (MAX_QUERY_BYTES). */
  maxQueryBytes?: number;
  /** Requests per minute and burst per account (or per IP when anonymous). */
  rateLimit?: { perMinute: number; burst: number };
  /** Login attempts per minute and burst per client IP (password guessing). */
  loginRateLimit?: { perMinute: number; burst: number };
}

// Options left out take the defaults of the gateway's settings (gateway.config.ts), declared once.
const D = GATEWAY_DEFAULTS;

/**
 * The gateway's components, started in order and stopped in reverse: subgraph connections, Apollo
 * (the federated executor), subscriptions, HTTP, the JWKS refresher.
 */
export async function startGateway(
  o: GatewayOptions,
): Promise<{ url: string; server: Server; stop(): Promise<void> }> {
  const life = new Lifecycle(o.log);
  const production = o.production ?? false;
  // The URL each subgraph is really called at (override or the supergraph's), for /readyz.
  const inUse = new Map<string, string>();
  const dataSources: Record<string, IdentityForwardingDataSource> = {};
  const subgraphHttp = keepAliveHttp();
  await life.start({ name: "subgraph connections", stop: () => subgraphHttp.close() });
  const gateway = new ApolloGateway({
    supergraphSdl: o.supergraphSdl,
    buildService: ({ name, url }) => {
      const target = o.subgraphUrls[name] ?? url!;
      inUse.set(name, target);
      return (dataSources[name] = new IdentityForwardingDataSource(
        target,
        o.internalSecret,
        name,
        o.log,
        subgraphHttp.fetcher,
      ));
    },
  });
  const remoteKeys = o.accessTokenKeys
    ? undefined
    : new RemoteKeySet({
        url: () =>
          o.jwks?.url ??
          (
            o.subgraphUrls.identity ??
            inUse.get("identity") ??
            `http://127.0.0.1:${DEFAULT_PORTS.identity}/graphql`
          ).replace(/\/graphql$/, "/.well-known/jwks.json"),
        refreshMs: o.jwks?.refreshMs ?? D.jwksRefreshSeconds * 1000,
        cooldownMs: o.jwks?.cooldownMs ?? D.jwksCooldownSeconds * 1000,
        log: o.log,
      });
  const tokenKeys = o.accessTokenKeys ?? remoteKeys!.getKey;
  const logins = cachedLoginVerifier(tokenKeys, () => remoteKeys?.generation ?? 0);
  const app = express();
  app.disable("x-powered-by");
  traceHttpRequests(app);
  const http = new HttpServer(app);
  // Idle keep-alive connections are closed by the client side (browsers, a reverse proxy's pool),
  // not by us after Node's 5 s default, which races a request sent on the socket at that moment.
  http.server.keepAliveTimeout = 65_000;
  http.server.headersTimeout = 66_000;
  const limitRules = operationLimitRules(
    o.limits ?? { maxDepth: D.maxQueryDepth, maxCost: D.maxQueryCost, assumedListSize: D.assumedListSize },
  );
  const maxQueryBytes = o.maxQueryBytes ?? D.maxQueryBytes;
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    validationRules: limitRules,
    // Explicit although they are Apollo's defaults: a browser form cannot post an operation
    // (CSRF), and one HTTP request carries one operation (no batching amplification).
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    formatError,
    includeStacktraceInErrorResponses: false,
    introspection: !production,
    // main.ts owns SIGTERM/SIGINT so shutdown runs in one place.
    stopOnTerminationSignals: false,
    plugins: [
      // Apollo's stop closes the HTTP server and waits for requests in flight.
      ApolloServerPluginDrainHttpServer({ httpServer: http.server }),
      overloadPlugin<GatewayContext>(),
      ...tracingPlugins<GatewayContext>(),
      production
        ? ApolloServerPluginLandingPageProductionDefault({ footer: false })
        : ApolloServerPluginLandingPageLocalDefault({ embed: true, footer: false }),
    ],
  });
  await life.start({ name: "apollo", start: () => apollo.start(), stop: () => apollo.stop() });

  const subscriptions = new FederatedSubscriptions({
    supergraphSdl: o.supergraphSdl,
    dataSources: () => dataSources,
    subgraphUrl: (name) => inUse.get(name)!,
    internalSecret: o.internalSecret,
    authenticate: async (authorization) => {
      const bearer = parseBearer(authorization);
      // A token that does not verify is refused (4403); keys that cannot be fetched close with 4500 so
      // clients retry instead of logging out.
      return bearer.kind === "token"
        ? logins.verify(bearer.token).catch((err) => {
            if (err instanceof DomainError && err.code === "AUTH_UNAVAILABLE") throw err;
            return null;
          })
        : null;
    },
    bufferSize: o.subscriptionBuffer ?? D.subscriptionBuffer,
    validationRules: limitRules,
    maxQueryBytes,
    log: o.log,
  });
  await life.start({
    name: "subscriptions",
    start: () => subscriptions.attach(http.server, "/graphql"),
    stop: () => subscriptions.dispose(),
  });

  opsRoutes(app, {
    service: "gateway",
    readiness: async () => {
      const checks = await Promise.all(
        [...inUse].map(async ([name, url]) => {
          const health = url.replace(/\/graphql$/, "/healthz");
          const ok = await fetch(health, { signal: AbortSignal.timeout(1000) }).then(
            (r) => r.ok,
            () => false,
          );
          return [name, ok] as const;
        }),
      );
      const ready = checks.every(([, ok]) => ok);
      return { ready, body: { status: ready ? "ready" : "degraded", subgraphs: Object.fromEntries(checks) } };
    },
    metrics: () => {
      const s = subscriptions.stats();
      return {
        junggo_ws_connections: s.connections,
        junggo_subscriptions_active: s.subscriptions,
        junggo_upstream_sockets: s.upstreamSockets,
        junggo_upstream_subscriptions: s.upstreamSubscriptions,
        junggo_subscription_events_total: s.delivered,
        junggo_subscription_overflows_total: s.overflowed,
        ...processMetrics(),
        ...(remoteKeys
          ? {
              junggo_jwks_keys: remoteKeys.size,
              junggo_jwks_fetches_total: remoteKeys.fetches,
              junggo_jwks_fetch_failures_total: remoteKeys.failures,
            }
          : {}),
      };
    },
  });
  graphqlHttpRoute(app, {
    apollo,
    maxQueryBytes,
    verify: logins.verify,
    rate: new RateLimiter(
      o.rateLimit?.perMinute ?? D.rateLimitPerMinute,
      o.rateLimit?.burst ?? D.rateLimitBurst,
    ),
    loginRate: new RateLimiter(
      o.loginRateLimit?.perMinute ?? D.loginRateLimitPerMinute,
      o.loginRateLimit?.burst ?? D.loginRateLimitBurst,
    ),
  });
  if (o.webDir) webRoutes(app, o.webDir);
  app.use(httpErrorHandler);

  let port = 0;
  // Closed by Apollo's drain plugin on stop.
  await life.start({
    name: "http",
    start: async () => {
      port = await http.listen(o.port, o.host);
    },
  });
  const url = `http://${o.host === "0.0.0.0" ? "localhost" : o.host}:${port}/graphql`;
  if (remoteKeys)
    await life.start({
      name: "jwks refresh",
      start: () => {
        remoteKeys.start();
        // Warm the key cache so the first request does not wait on identity (a failure is retried lazily).
        remoteKeys.refresh().catch(() => {});
      },
      stop: () => remoteKeys.stop(),
    });
  o.log.info("gateway ready", { url });
  return { url, server: http.server, stop: () => life.stop() };
}
