import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import {
  ApolloGateway,
  RemoteGraphQLDataSource,
  type GraphQLDataSourceProcessOptions,
} from "@apollo/gateway";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import {
  ApolloServerPluginLandingPageLocalDefault,
  ApolloServerPluginLandingPageProductionDefault,
} from "@apollo/server/plugin/landingPage/default";
import { expressMiddleware } from "@as-integrations/express5";
import { GraphQLError } from "graphql";
import {
  DomainError,
  formatError,
  httpErrorHandler,
  IDENTITY_HEADER,
  isProduction,
  processMetrics,
  prometheus,
  signForwardedIdentity,
  cachedLoginVerifier,
  traceHttpRequests,
  tracingPlugins,
  type AccessTokenKeys,
  type ErrorCode,
  type Logger,
  type Viewer,
} from "@junggo/runtime";
import { RemoteKeySet } from "./jwks.ts";
import { overloadPlugin } from "./overload.plugin.ts";
import { subgraphFetcher, type SubgraphResponse } from "./subgraph-fetcher.ts";

type SubgraphFetcher = (
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string },
) => Promise<SubgraphResponse>;
import { DEFAULT_LIMITS, operationLimitRules, RateLimiter, type OperationLimits } from "./limits.ts";
import { FederatedSubscriptions } from "./subscriptions.ts";

export interface GatewayContext {
  viewer: Viewer | null;
  /** The signed identity forwarded to every subgraph fetch of this request (signed once). */
  forwardedIdentity?: Promise<string>;
  /** When the login behind a websocket expires (ms since epoch). */
  expiresAt?: number;
}

export interface GatewayOptions {
  supergraphSdl: string;
  port: number;
  host: string;
  internalSecret: string;
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

/** Forwards the gateway-verified identity as a short-lived token the subgraphs verify. */
class IdentityForwardingDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    url: string,
    private readonly internalSecret: string,
    private readonly service: string,
    private readonly log: Logger,
    fetcher: SubgraphFetcher,
  ) {
    // Pooled sockets retire before the subgraph would close them (subgraph-fetcher.ts); the default
    // fetcher keeps idle sockets forever and races the server's close.
    super({ url, fetcher: fetcher as unknown as RemoteGraphQLDataSource["fetcher"] });
  }

  /**
   * A subgraph that cannot be reached (down, restarting, connection dropped) is a named, retryable
   * condition for the client, not an internal error. A dropped connection may come after the
   * subgraph acted, so the message does not promise that nothing happened.
   */
  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>) {
    try {
      return await super.process(options);
    } catch (err) {
      // The client sees a masked error; operators need to know which subgraph answered what.
      const status = (err as GraphQLError).extensions?.response as { status?: number } | undefined;
      this.log.warn("subgraph request failed", {
        service: this.service,
        url: this.url,
        status: status?.status,
        err: (err as Error).message,
      });
      if (err instanceof GraphQLError) throw err;
      throw new GraphQLError(
        `The ${this.service} service did not answer. Please try again shortly; if you were changing something, check whether it went through first.`,
        { extensions: { code: "SERVICE_UNAVAILABLE" satisfies ErrorCode, service: this.service } },
      );
    }
  }

  override async willSendRequest({
    request,
    context,
  }: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<void> {
    const ctx = context as GatewayContext;
    ctx.forwardedIdentity ??= signForwardedIdentity(ctx.viewer ?? null, this.internalSecret);
    request.http?.headers.set(IDENTITY_HEADER, await ctx.forwardedIdentity);
  }
}

export async function viewerFromAuthorization(
  header: string | undefined,
  verify: (token: string) => Promise<{ viewer: Viewer }>,
): Promise<Viewer | null> {
  if (!header) return null;
  const m = /^Bearer\s+(.+)$/i.exec(header.trim());
  if (!m)
    throw new GraphQLError("The Authorization header must be 'Bearer <token>'.", {
      extensions: { code: "UNAUTHENTICATED" satisfies ErrorCode, http: { status: 401 } },
    });
  try {
    return (await verify(m[1]!)).viewer;
  } catch (err) {
    if (err instanceof DomainError && err.code === "AUTH_UNAVAILABLE") {
      throw new GraphQLError(err.message, { extensions: { code: err.code, http: { status: 503 } } });
    }
    const message = err instanceof DomainError ? err.message : "Invalid token.";
    throw new GraphQLError(message, {
      extensions: { code: "UNAUTHENTICATED" satisfies ErrorCode, http: { status: 401 } },
    });
  }
}

export async function startGateway(
  o: GatewayOptions,
): Promise<{ url: string; server: Server; stop(): Promise<void> }> {
  // The URL each subgraph is really called at (override or the supergraph's), for /readyz.
  const inUse = new Map<string, string>();
  const dataSources: Record<string, IdentityForwardingDataSource> = {};
  const subgraphHttp = subgraphFetcher();
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
          (o.subgraphUrls.identity ?? inUse.get("identity") ?? "http://127.0.0.1:4001/graphql").replace(
            /\/graphql$/,
            "/.well-known/jwks.json",
          ),
        refreshMs: o.jwks?.refreshMs ?? 300_000,
        cooldownMs: o.jwks?.cooldownMs ?? 10_000,
        log: o.log,
      });
  const tokenKeys = o.accessTokenKeys ?? remoteKeys!.getKey;
  const logins = cachedLoginVerifier(tokenKeys, () => remoteKeys?.generation ?? 0);
  const app = express();
  app.disable("x-powered-by");
  traceHttpRequests(app);
  const server = createServer(app);
  // Idle keep-alive connections are closed by the client side (browsers, a reverse proxy's pool),
  // not by us after Node's 5 s default, which races a request sent on the socket at that moment.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  const limitRules = operationLimitRules(o.limits ?? DEFAULT_LIMITS);
  const maxQueryBytes = o.maxQueryBytes ?? 20_000;
  const rate = new RateLimiter(o.rateLimit?.perMinute ?? 1200, o.rateLimit?.burst ?? 200);
  const loginRate = new RateLimiter(o.loginRateLimit?.perMinute ?? 10, o.loginRateLimit?.burst ?? 10);
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    validationRules: limitRules,
    // Explicit although they are Apollo's defaults: a browser form cannot post an operation
    // (CSRF), and one HTTP request carries one operation (no batching amplification).
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    formatError,
    includeStacktraceInErrorResponses: false,
    introspection: !isProduction(),
    // main.ts owns SIGTERM/SIGINT so shutdown runs in one place.
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer: server }),
      overloadPlugin<GatewayContext>(),
      ...tracingPlugins<GatewayContext>(),
      isProduction()
        ? ApolloServerPluginLandingPageProductionDefault({ footer: false })
        : ApolloServerPluginLandingPageLocalDefault({ embed: true, footer: false }),
    ],
  });
  await apollo.start();

  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok", service: "gateway", pid: process.pid });
  });
  app.get("/readyz", async (_req, res) => {
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
    const subgraphs = Object.fromEntries(checks);
    const ready = checks.every(([, ok]) => ok);
    res.status(ready ? 200 : 503).json({ status: ready ? "ready" : "degraded", subgraphs });
  });
  const subscriptions = new FederatedSubscriptions({
    supergraphSdl: o.supergraphSdl,
    dataSources: () => dataSources,
    subgraphUrl: (name) => inUse.get(name)!,
    internalSecret: o.internalSecret,
    authenticate: async (authorization) => {
      const m = /^Bearer\s+(.+)$/i.exec(authorization?.trim() ?? "");
      // A token that does not verify is refused (4403); keys that cannot be fetched close with 4500 so
      // clients retry instead of logging out.
      return m
        ? logins.verify(m[1]!).catch((err) => {
            if (err instanceof DomainError && err.code === "AUTH_UNAVAILABLE") throw err;
            return null;
          })
        : null;
    },
    bufferSize: o.subscriptionBuffer ?? 64,
    validationRules: limitRules,
    maxQueryBytes,
    log: o.log,
  });
  subscriptions.attach(server, "/graphql");
  app.get("/metrics", (_req, res) => {
    const s = subscriptions.stats();
    res.type("text/plain; version=0.0.4").send(
      prometheus("gateway", {
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
      }),
    );
  });
  app.use(
    "/graphql",
    express.json({ limit: "256kb" }),
    (req, res, next) => {
      const query =
        (req.method === "GET" ? req.query.query : (req.body as { query?: unknown } | undefined)?.query) ?? "";
      if (typeof query === "string" && Buffer.byteLength(query) > maxQueryBytes) {
        res.status(413).json({
          errors: [
            {
              message: `The operation is larger than ${maxQueryBytes} bytes.`,
              extensions: { code: "QUERY_TOO_LARGE" satisfies ErrorCode, maxQueryBytes },
            },
          ],
        });
        return;
      }
      next();
    },
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        const viewer = await viewerFromAuthorization(req.headers.authorization, logins.verify);
        const query =
          (req.method === "GET" ? req.query.query : (req.body as { query?: unknown } | undefined)?.query) ??
          "";
        // Password guessing: login attempts have their own, much smaller budget per client address.
        const loginWait =
          typeof query === "string" && /\blogin\s*\(/.test(query) ? loginRate.take(`ip:${req.ip}`) : 0;
        const wait = Math.max(loginWait, rate.take(viewer ? `account:${viewer.id}` : `ip:${req.ip}`));
        if (wait > 0) {
          throw new GraphQLError(`Too many requests; try again in ${wait} s.`, {
            extensions: {
              code: "RATE_LIMITED" satisfies ErrorCode,
              retryAfterSeconds: wait,
              http: { status: 429, headers: new Map([["retry-after", String(wait)]]) },
            },
          });
        }
        return { viewer };
      },
    }),
  );

  if (o.webDir) {
    const webDir = o.webDir;
    app.use(
      express.static(webDir, {
        index: "index.html",
        maxAge: "1h",
        setHeaders: (res, path) => {
          if (path.endsWith(".html")) res.setHeader("cache-control", "no-cache");
        },
      }),
    );
    // Client-side routes: any other page a browser asks for is the app.
    app.get(/^\/(?!graphql|healthz|readyz|metrics).*/, (req, res, next) =>
      req.accepts("html")
        ? res.sendFile("index.html", { root: webDir, headers: { "cache-control": "no-cache" } })
        : next(),
    );
  }

  app.use(httpErrorHandler);

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const url = `http://${o.host === "0.0.0.0" ? "localhost" : o.host}:${(server.address() as AddressInfo).port}/graphql`;
  remoteKeys?.start();
  // Warm the key cache so the first request does not wait on identity (a failure is retried lazily).
  remoteKeys?.refresh().catch(() => {});
  o.log.info("gateway ready", { url });
  return {
    url,
    server,
    stop: async () => {
      remoteKeys?.stop();
      await subscriptions.dispose();
      await apollo.stop();
      subgraphHttp.close();
    },
  };
}
