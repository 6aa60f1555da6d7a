import express, { type Express } from "express";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginInlineTraceDisabled } from "@apollo/server/plugin/disabled";
import { expressMiddleware } from "@as-integrations/express5";
import { buildSubgraphSchema } from "@apollo/subgraph";
import { GraphQLError, parse } from "graphql";
import { IDENTITY_HEADER, verifyForwardedIdentity, type Viewer } from "./auth.ts";
import { EventBus } from "./bus.ts";
import {
  applyProcessSettings,
  configOrExit,
  loadSubgraphConfig,
  type ContextName,
  type ServiceConfig,
} from "./config.ts";
import type { HandlerMap, TransactionalClient } from "./consumer.ts";
import { migrate, openDatabase, type Database } from "./database.ts";
import type { DeadLetters } from "./dead-letters.ts";
import { deadLetterRoutes } from "./dead-letters.routes.ts";
import { type ErrorCode, formatError } from "./errors.ts";
import { startFailpoints } from "./failpoints.ts";
import { HttpServer } from "./http-server.ts";
import { Lifecycle } from "./lifecycle.ts";
import type { LiveEvents } from "./live.ts";
import { createLogger, type Logger } from "./logger.ts";
import { opsRoutes } from "./ops.routes.ts";
import type { OutboxRelay, SqlTx } from "./outbox.ts";
import { processMetrics } from "./process-metrics.ts";
import type { SettingsOf, SettingsSpec } from "./settings.ts";
import { SubgraphMessaging } from "./subgraph-messaging.ts";
import { serveSubscriptions } from "./subgraph-subscriptions.ts";
import { initTracing, shutdownTracing, traceHttpRequests, tracingPlugins } from "./tracing.ts";

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

/**
 * A context's wiring. Building it has no side effects (no timer, no connection): background work
 * begins in `start` and ends in `stop`.
 */
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
  /** Starts the module's own background workers (sweeps, pollers), after the outbox relay started. */
  start?: () => void | Promise<void>;
  /** Stops the module's own background workers; called on shutdown after the consumer stopped, before the database closes. */
  stop?: () => Promise<void>;
}

export interface SubgraphServiceOptions<P extends PrismaLike<Tx>, Tx extends SqlTx, S extends SettingsSpec> {
  context: ContextName;
  typeDefs: string;
  migrationsDir: string;
  /** The process's environment: read once, here, against the runtime's and the context's settings. */
  env: Readonly<Record<string, string | undefined>>;
  /** The context's own settings (and checks relating them), validated with the runtime's. */
  settings?: { settings: S; checks?: (values: SettingsOf<S>) => string[] };
  createPrisma: (adapter: Database["adapter"]) => P;
  build: (infra: Infra<P, Tx>, settings: SettingsOf<S>) => ContextModule<Tx> | Promise<ContextModule<Tx>>;
}

export interface RunningService {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * Starts one bounded context from its validated configuration, one component after another:
 * database (migrated), Prisma, NATS bus, demo data, outbox relay, the module's workers, durable
 * consumer, Apollo, subscriptions, HTTP. Shutdown (SIGTERM/SIGINT) stops them in reverse: stop
 * accepting, finish in-flight work, flush the outbox, close.
 */
export async function runSubgraphService<
  P extends PrismaLike<Tx>,
  Tx extends SqlTx,
  S extends SettingsSpec = Record<never, never>,
>(o: SubgraphServiceOptions<P, Tx, S>): Promise<RunningService> {
  const { service: config, own } = configOrExit(() => loadSubgraphConfig(o.context, o.env, o.settings));
  applyProcessSettings(config);
  // Before anything that makes spans; a no-op without an OTLP endpoint.
  await initTracing(o.context, config);
  const log = createLogger(o.context);
  // Crash points for resilience tests, from configuration, before anything starts (production refuses them).
  const failpoints = startFailpoints(config);
  const life = new Lifecycle(log);
  // Exports the spans still buffered, once everything else stopped (registered first: stopped last).
  await life.start({ name: "tracing", stop: () => shutdownTracing() });

  // `main.js migrate` migrates and exits (a deployment's migration step, once per rollout);
  // MIGRATE_ON_START=false then leaves the schema to that step instead of every replica's start.
  if (process.argv[2] === "migrate") {
    const db = await openDatabase({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
    const applied = await migrate(db, o.migrationsDir, log);
    await db.close();
    log.info("migrations done", { applied: applied.length });
    process.exit(0);
  }

  let db!: Database;
  await life.start({
    name: "database",
    start: async () => {
      db = await openDatabase({
        dataDir: config.dataDir,
        databaseUrl: config.databaseUrl,
        poolSize: config.databasePoolSize,
        prismaPoolSize: config.databasePrismaPoolSize,
      });
      if (config.migrateOnStart) await migrate(db, o.migrationsDir, log);
    },
    stop: () => db.close(),
  });
  const prisma = o.createPrisma(db.adapter);
  await life.start({ name: "prisma", stop: () => prisma.$disconnect() });
  // Connecting never blocks the start: the outbox keeps events while NATS is away.
  const bus = new EventBus(config.natsUrl, o.context, log, config.nats, {
    duplicateWindowMs: config.natsDuplicateWindowMs,
    streamReplicas: config.natsStreamReplicas,
  });
  await life.start({ name: "bus", stop: () => bus.close() });

  const messaging = new SubgraphMessaging<Tx>({
    context: o.context,
    config,
    db,
    prisma,
    bus,
    log,
    failpoints,
  });
  const { relay, live, transact, sqlTransact } = messaging;
  const infra: Infra<P, Tx> = { config, log, db, prisma, bus, relay, live, transact, sqlTransact };
  const mod = await o.build(infra, own);
  const { consumer, deadLetters } = messaging.inbound(mod);

  if (config.seedDemo && mod.seed) {
    const seed = mod.seed;
    await life.start({
      name: "demo data",
      start: async () => {
        await seed();
        log.info("demo data seeded");
      },
    });
  }
  await life.start({
    name: "outbox relay",
    start: () => relay.start(),
    stop: async () => {
      await relay.flush();
      await relay.stop();
    },
  });
  await life.start({ name: "module", start: () => mod.start?.(), stop: () => mod.stop?.() });
  if (consumer)
    await life.start({ name: "consumer", start: () => consumer.start(), stop: () => consumer.stop() });

  const schema = buildSubgraphSchema({
    typeDefs: parse(o.typeDefs),
    resolvers: mod.resolvers,
  });
  const apollo = new ApolloServer<RequestContext>({
    schema,
    formatError,
    includeStacktraceInErrorResponses: false,
    introspection: true,
    // The lifecycle stops everything in order; Apollo's own signal handler would re-raise the signal
    // after its stop() and kill the process before the consumer, outbox and database are closed.
    stopOnTerminationSignals: false,
    // No Apollo Studio here: the federated trace (ftv1) plugin a subgraph installs by default is per-request work for nobody.
    plugins: [ApolloServerPluginInlineTraceDisabled(), ...tracingPlugins<RequestContext>()],
  });
  await life.start({ name: "apollo", start: () => apollo.start(), stop: () => apollo.stop() });

  let wsConnections = 0;
  const app = subgraphApp({
    context: o.context,
    config,
    db,
    bus,
    relay,
    live,
    deadLetters,
    consumer,
    mod,
    apollo,
    log,
    ws: () => wsConnections,
  });
  const http = new HttpServer(app);
  // Idle keep-alive sockets are closed by the caller (the gateway's agent drops them after 5 s), never
  // by us while a request may be on its way: Node's default of 5 s on both sides races (ECONNRESET).
  http.server.keepAliveTimeout = 65_000;
  http.server.headersTimeout = 66_000;
  // Stopped last of the three below: waits until every connection ended (subscriptions closed first).
  await life.start({ name: "http drain", stop: () => http.close() });
  const subscriptions = serveSubscriptions(http.server, schema, config.internalSecret, {
    opened: () => wsConnections++,
    closed: () => wsConnections--,
  });
  await life.start({ name: "subscriptions", stop: () => subscriptions.dispose() });
  await life.start({ name: "live events", stop: () => live.close() });
  let port = 0;
  await life.start({
    name: "http",
    start: async () => {
      port = await http.listen(config.port, config.host);
    },
    // First on shutdown: stop accepting (the drain above waits for the connections in hand).
    stop: () => {
      void http.close();
    },
  });
  const url = `http://${config.host}:${port}/graphql`;
  log.info("subgraph ready", { url });

  const stop = async () => {
    log.info("shutting down");
    await life.stop();
    log.info("stopped");
  };
  let stopping: Promise<void> | null = null;
  const stopOnce = () => (stopping ??= stop());
  for (const sig of ["SIGTERM", "SIGINT"] as const) {
    process.once(sig, () => {
      stopOnce().then(
        () => process.exit(0),
        (err) => {
          log.error("shutdown failed", { err });
          process.exit(1);
        },
      );
    });
  }
  return { url, port, stop: stopOnce };
}

/** The subgraph's HTTP routes: ops, dead letters, the module's own, /graphql. */
function subgraphApp<Tx extends SqlTx>(o: {
  context: string;
  config: ServiceConfig;
  db: Database;
  bus: EventBus;
  relay: OutboxRelay;
  live: LiveEvents;
  deadLetters: DeadLetters<Tx>;
  consumer: { handled: number; duplicates: number; skipped: number } | null;
  mod: ContextModule<Tx>;
  apollo: ApolloServer<RequestContext>;
  log: Logger;
  ws: () => number;
}): Express {
  const { db, bus, relay, live, deadLetters, consumer, mod, config } = o;
  const app = express();
  app.disable("x-powered-by");
  traceHttpRequests(app);
  opsRoutes(app, {
    service: o.context,
    readiness: async () => {
      let database = false;
      try {
        await db.query("SELECT 1");
        database = true;
      } catch {
        /* reported below */
      }
      const ready = database && bus.connected;
      return {
        ready,
        body: {
          status: ready ? "ready" : "not-ready",
          database,
          nats: bus.connected,
          outboxPending: await relay.pendingCount().catch(() => null),
          ...(mod.health?.() ?? {}),
        },
      };
    },
    metrics: async () => {
      const l = live.stats();
      return {
        junggo_ws_connections: o.ws(),
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
      };
    },
  });
  deadLetterRoutes(app, { deadLetters, internalSecret: config.internalSecret, log: o.log });
  mod.routes?.(app);
  app.use(
    "/graphql",
    express.json({ limit: "1mb" }),
    expressMiddleware(o.apollo, {
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
  return app;
}
