import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import express, { type Express } from "express";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginInlineTraceDisabled } from "@apollo/server/plugin/disabled";
import { expressMiddleware } from "@as-integrations/express5";
import { buildSubgraphSchema } from "@apollo/subgraph";
import { GraphQLError, parse, type GraphQLSchema } from "graphql";
import { WebSocketServer } from "ws";
import { useServer } from "graphql-ws/use/ws";
import { IDENTITY_HEADER, verifyForwardedIdentity, verifyServiceToken, type Viewer } from "./auth.ts";
import { EventBus } from "./bus.ts";
import { boolEnv, intEnv, loadServiceConfig, type ContextName, type ServiceConfig } from "./config.ts";
import { EventConsumer, type HandlerMap, type TransactionalClient } from "./consumer.ts";
import { migrate, openDatabase, type Database } from "./database.ts";
import { DeadLetters } from "./dead-letters.ts";
import { deadLetterRoutes } from "./dead-letters.routes.ts";
import { type ErrorCode, formatError, formatExecutionResult, parseOperation } from "./errors.ts";
import { startFailpoints } from "./failpoints.ts";
import { LiveEvents } from "./live.ts";
import { createLogger, type Logger } from "./logger.ts";
import { eventsAppended, OutboxRelay, type SqlTx } from "./outbox.ts";
import { processMetrics } from "./process-metrics.ts";
import { initTracing, inSpan, shutdownTracing, traceHttpRequests, tracingPlugins } from "./tracing.ts";

export interface RequestContext {
  viewer: Viewer | null;
}

export interface PrismaLike<Tx extends SqlTx> extends TransactionalClient<Tx> {
  $disconnect(): Promise<void>;
}

/** What a context gets to build its use cases, resolvers and event handlers. */
export interface Infra<P extends PrismaLike<Tx>, Tx extends SqlTx> {
  config: ServiceConfig;
  log: Logger;
  db: Database;
  prisma: P;
  bus: EventBus;
  relay: OutboxRelay;
  /** Live domain events for GraphQL subscriptions served by this context. */
  live: LiveEvents;
  /** Runs `fn` in one transaction (state + outbox), then wakes the relay. */
  transact<R>(fn: (tx: Tx) => Promise<R>): Promise<R>;
  /**
   * Runs `fn` in one plain-SQL transaction on the driver (no Prisma query compiler: the hot paths),
   * then wakes the relay if it appended events.
   */
  sqlTransact<R>(fn: (tx: SqlTx) => Promise<R>): Promise<R>;
}

// The resolver map buildSubgraphSchema takes: @apollo/subgraph does not export its type. Each context
// types its own resolvers with the types generated from its schema (`npm run codegen`).
type SchemaModule = Extract<
  Extract<Parameters<typeof buildSubgraphSchema>[0], readonly unknown[]>[number],
  { typeDefs: unknown }
>;
export type SubgraphResolvers = NonNullable<SchemaModule["resolvers"]>;

export interface ContextModule<Tx> {
  resolvers: SubgraphResolvers;
  handlers?: HandlerMap<Tx>;
  /**
   * The handlers use only `$executeRawUnsafe` / `$queryRawUnsafe` of their tx: the consumer then runs
   * each event's transaction in plain SQL on the driver, without the Prisma client (see
   * `ConsumerOptions.raw`). Dead-letter replays still run them in a Prisma transaction.
   */
  rawHandlers?: boolean;
  /** Extra HTTP routes (internal APIs), mounted before /graphql. */
  routes?: (app: Express) => void;
  /** Idempotent demo data, run when SEED_DEMO is on. */
  seed?: () => Promise<void>;
  /** Extra readiness checks. */
  health?: () => Record<string, unknown>;
  /** Extra gauges/counters for /metrics, by metric name. */
  metrics?: () => Record<string, number>;
  /** Stops the module's own background workers; called on shutdown after the consumer stopped, before the database closes. */
  stop?: () => Promise<void>;
}

export interface SubgraphServiceOptions<P extends PrismaLike<Tx>, Tx extends SqlTx> {
  context: ContextName;
  typeDefs: string;
  migrationsDir: string;
  createPrisma: (adapter: Database["adapter"]) => P;
  build: (infra: Infra<P, Tx>) => ContextModule<Tx> | Promise<ContextModule<Tx>>;
}

export interface RunningService {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * Starts one bounded context: database (migrated), NATS bus, outbox relay, durable consumer and
 * the Apollo subgraph with /healthz and /readyz. SIGTERM/SIGINT shut it down gracefully: stop
 * accepting, finish in-flight work, flush the outbox, close.
 */
export async function runSubgraphService<P extends PrismaLike<Tx>, Tx extends SqlTx>(
  o: SubgraphServiceOptions<P, Tx>,
): Promise<RunningService> {
  const config = loadServiceConfig(o.context);
  // Before anything that makes spans; a no-op without OTEL_EXPORTER_OTLP_ENDPOINT.
  await initTracing(o.context);
  const log = createLogger(o.context);
  // Crash points for resilience tests, from configuration, before anything starts (production refuses them).
  const failpoints = startFailpoints();
  const db = await openDatabase({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  // `main.js migrate` migrates and exits (a deployment's migration step, once per rollout);
  // MIGRATE_ON_START=false then leaves the schema to that step instead of every replica's start.
  if (process.argv[2] === "migrate") {
    const applied = await migrate(db, o.migrationsDir, log);
    await db.close();
    log.info("migrations done", { applied: applied.length });
    process.exit(0);
  }
  if (boolEnv("MIGRATE_ON_START", true)) await migrate(db, o.migrationsDir, log);
  const prisma = o.createPrisma(db.adapter);
  const bus = new EventBus(config.natsUrl, o.context, log, config.nats);
  const relay = new OutboxRelay(db, bus, log, { failpoints });
  const transact = async <R>(fn: (tx: Tx) => Promise<R>): Promise<R> => {
    const r = await inSpan("prisma.transaction", () =>
      prisma.$transaction(fn, { timeout: 20_000, maxWait: 20_000 }),
    );
    relay.nudge();
    return r;
  };
  const live = new LiveEvents(bus, log, intEnv("LIVE_BUFFER", 256));
  const sqlTransact = async <R>(fn: (tx: SqlTx) => Promise<R>): Promise<R> => {
    const appended = eventsAppended();
    const r = await db.transaction(fn);
    // Only a transaction that appended events gives the relay work (e.g. taking a hold appends none).
    if (eventsAppended() !== appended) relay.nudge();
    return r;
  };
  const infra: Infra<P, Tx> = { config, log, db, prisma, bus, relay, live, transact, sqlTransact };
  const mod = await o.build(infra);

  if (config.seedDemo && mod.seed) {
    await mod.seed();
    log.info("demo data seeded");
  }

  relay.start();
  const consumer = mod.handlers
    ? new EventConsumer<Tx>({
        bus,
        prisma,
        durable: o.context,
        handlers: mod.handlers,
        log,
        relay,
        raw: mod.rawHandlers ? db : undefined,
        maxDeliver: intEnv("CONSUMER_MAX_DELIVER", 5),
        retryBaseMs: intEnv("CONSUMER_RETRY_BASE_MS", 250),
        retryMaxMs: intEnv("CONSUMER_RETRY_MAX_MS", 10_000),
        failpoints,
      })
    : null;
  // Same consumer name and handlers as the consumer: a replay is one more delivery, exactly once.
  const deadLetters = new DeadLetters<Tx>({
    prisma,
    consumer: o.context,
    handlers: mod.handlers ?? {},
    log,
    relay,
  });
  consumer?.start();

  const schema = buildSubgraphSchema({
    typeDefs: parse(o.typeDefs),
    resolvers: mod.resolvers,
  });
  const apollo = new ApolloServer<RequestContext>({
    schema,
    formatError,
    includeStacktraceInErrorResponses: false,
    introspection: true,
    // Our own SIGTERM handler stops everything in order; Apollo's would re-raise the signal after
    // its stop() and kill the process before the consumer, outbox and database are closed.
    stopOnTerminationSignals: false,
    // No Apollo Studio here: the federated trace (ftv1) plugin a subgraph installs by default is per-request work for nobody.
    plugins: [ApolloServerPluginInlineTraceDisabled(), ...tracingPlugins<RequestContext>()],
  });
  await apollo.start();

  const app = express();
  app.disable("x-powered-by");
  traceHttpRequests(app);
  // The pid lets a supervisor tell its own child from another process that holds the port.
  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok", service: o.context, pid: process.pid });
  });
  app.get("/readyz", async (_req, res) => {
    let database = false;
    try {
      await db.query("SELECT 1");
      database = true;
    } catch {
      /* reported below */
    }
    const ready = database && bus.connected;
    res.status(ready ? 200 : 503).json({
      status: ready ? "ready" : "not-ready",
      database,
      nats: bus.connected,
      outboxPending: await relay.pendingCount().catch(() => null),
      ...(mod.health?.() ?? {}),
    });
  });
  app.get("/metrics", async (_req, res) => {
    const l = live.stats();
    res.type("text/plain; version=0.0.4").send(
      prometheus(o.context, {
        junggo_ws_connections: wsConnections,
        junggo_live_listeners: l.listeners,
        junggo_live_nats_subscriptions: l.natsSubscriptions,
        junggo_live_delivered_total: l.delivered,
        junggo_live_overflows_total: l.overflowed,
        junggo_outbox_pending: await relay.pendingCount().catch(() => -1),
        junggo_dead_letters_pending: await deadLetters.pendingCount().catch(() => -1),
        // Since this process started: events handled, and redeliveries the inbox absorbed.
        junggo_consumer_handled_total: consumer?.handled ?? 0,
        junggo_consumer_duplicates_total: consumer?.duplicates ?? 0,
        // Events of types this context does not handle, acknowledged unread.
        junggo_consumer_skipped_total: consumer?.skipped ?? 0,
        ...processMetrics(),
        ...mod.metrics?.(),
      }),
    );
  });
  deadLetterRoutes(app, { deadLetters, internalSecret: config.internalSecret, log });
  mod.routes?.(app);
  app.use(
    "/graphql",
    express.json({ limit: "1mb" }),
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        const header = req.headers[IDENTITY_HEADER];
        const verified = await verifyForwardedIdentity(
          Array.isArray(header) ? header[0] : header,
          config.internalSecret,
        );
        if (!verified) {
          throw new GraphQLError("Requests must come through the Junggo gateway.", {
            extensions: { code: "UNAUTHENTICATED" satisfies ErrorCode, http: { status: 401 } },
          });
        }
        return { viewer: verified.viewer };
      },
    }),
  );

  const server: Server = createServer(app);
  // Idle keep-alive sockets are closed by the caller (the gateway's agent drops them after 5 s), never
  // by us while a request may be on its way: Node's default of 5 s on both sides races (ECONNRESET).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  let wsConnections = 0;
  const subscriptions = serveSubscriptions(server, schema, config.internalSecret, {
    opened: () => wsConnections++,
    closed: () => wsConnections--,
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${config.host}:${port}/graphql`;
  log.info("subgraph ready", { url });

  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      log.info("shutting down");
      const closed = new Promise<void>((r) => {
        server.close(() => r());
        server.closeIdleConnections();
      });
      live.close();
      await subscriptions.dispose();
      await closed;
      await apollo.stop();
      await consumer?.stop();
      await mod.stop?.();
      await relay.flush();
      await relay.stop();
      await bus.close();
      await prisma.$disconnect();
      await db.close();
      log.info("stopped");
      await shutdownTracing();
    })());
  for (const sig of ["SIGTERM", "SIGINT"] as const) {
    process.once(sig, () => {
      stop().then(
        () => process.exit(0),
        (err) => {
          log.error("shutdown failed", { err });
          process.exit(1);
        },
      );
    });
  }
  return { url, port, stop };
}

/**
 * graphql-ws on the subgraph's own /graphql. Only the gateway may connect (a service token in
 * `connection_init`); each subscription carries the gateway-signed identity of the person it is for
 * in `extensions.identity`, so one upstream socket serves every user's subscriptions.
 */
function serveSubscriptions(
  server: Server,
  schema: GraphQLSchema,
  secret: string,
  track: { opened(): void; closed(): void },
) {
  const wss = new WebSocketServer({ server, path: "/graphql" });
  return useServer<{ serviceToken?: string }>(
    {
      connectionInitWaitTimeout: 5000,
      onConnect: async (ctx) => {
        const service = await verifyServiceToken(ctx.connectionParams?.serviceToken, secret);
        if (service !== "gateway") return false;
        track.opened();
        (ctx.extra.socket as import("ws").WebSocket).once("close", () => track.closed());
        return true;
      },
      onSubscribe: async (_ctx, _id, payload) => {
        const verified = await verifyForwardedIdentity(
          payload.extensions?.identity as string | undefined,
          secret,
        );
        if (!verified)
          return [
            new GraphQLError("Subscriptions must come through the Junggo gateway.", {
              extensions: { code: "UNAUTHENTICATED" satisfies ErrorCode },
            }),
          ];
        const parsed = parseOperation(schema, payload.query);
        if ("errors" in parsed) return parsed.errors;
        const { document } = parsed;
        const contextValue: RequestContext = { viewer: verified.viewer };
        return {
          schema,
          document,
          variableValues: payload.variables,
          operationName: payload.operationName ?? undefined,
          contextValue,
        };
      },
      onNext: (_ctx, _id, _payload, _args, result) => formatExecutionResult(result),
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => formatError(e.toJSON(), e)),
    },
    wss,
  );
}

/** Prometheus text exposition of a flat set of gauges/counters. */
export function prometheus(service: string, values: Record<string, number>): string {
  return `${Object.entries(values)
    .map(([k, v]) => `${k}{service="${service}"} ${v}`)
    .join("\n")}\n`;
}
