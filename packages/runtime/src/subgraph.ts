import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import express, { type Express } from "express";
import { ApolloServer } from "@apollo/server";
import { expressMiddleware } from "@as-integrations/express5";
import { buildSubgraphSchema } from "@apollo/subgraph";
import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper/index.js";
import { GraphQLError, parse } from "graphql";
import { IDENTITY_HEADER, verifyForwardedIdentity, type Viewer } from "./auth.ts";
import { EventBus } from "./bus.ts";
import { loadServiceConfig, type ContextName, type ServiceConfig } from "./config.ts";
import { EventConsumer, type HandlerMap, type TransactionalClient } from "./consumer.ts";
import { migrate, openDatabase, type Database } from "./database.ts";
import { formatError } from "./errors.ts";
import { createLogger, type Logger } from "./logger.ts";
import { OutboxRelay, type SqlTx } from "./outbox.ts";

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
  /** Runs `fn` in one transaction (state + outbox), then wakes the relay. */
  transact<R>(fn: (tx: Tx) => Promise<R>): Promise<R>;
}

export interface ContextModule<Tx> {
  resolvers: GraphQLResolverMap<RequestContext>;
  handlers?: HandlerMap<Tx>;
  /** Extra HTTP routes (internal APIs), mounted before /graphql. */
  routes?: (app: Express) => void;
  /** Idempotent demo data, run when SEED_DEMO is on. */
  seed?: () => Promise<void>;
  /** Extra readiness checks. */
  health?: () => Record<string, unknown>;
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
  const log = createLogger(o.context);
  const db = await openDatabase({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  await migrate(db, o.migrationsDir, log);
  const prisma = o.createPrisma(db.adapter);
  const bus = new EventBus(config.natsUrl, o.context, log);
  const relay = new OutboxRelay(db, bus, log);
  const transact = async <R,>(fn: (tx: Tx) => Promise<R>): Promise<R> => {
    const r = await prisma.$transaction(fn, { timeout: 20_000, maxWait: 20_000 });
    relay.nudge();
    return r;
  };
  const infra: Infra<P, Tx> = { config, log, db, prisma, bus, relay, transact };
  const mod = await o.build(infra);

  if (config.seedDemo && mod.seed) {
    await mod.seed();
    log.info("demo data seeded");
  }

  relay.start();
  const consumer = mod.handlers
    ? new EventConsumer<Tx>({ bus, prisma, durable: o.context, handlers: mod.handlers, log, relay, maxDeliver: Number(process.env.CONSUMER_MAX_DELIVER ?? 5) })
    : null;
  consumer?.start();

  const apollo = new ApolloServer<RequestContext>({
    schema: buildSubgraphSchema({ typeDefs: parse(o.typeDefs), resolvers: mod.resolvers as GraphQLResolverMap<unknown> }),
    formatError,
    includeStacktraceInErrorResponses: false,
    introspection: true,
    // Our own SIGTERM handler stops everything in order; Apollo's would re-raise the signal after
    // its stop() and kill the process before the consumer, outbox and database are closed.
    stopOnTerminationSignals: false,
  });
  await apollo.start();

  const app = express();
  app.disable("x-powered-by");
  app.get("/healthz", (_req, res) => { res.json({ status: "ok", service: o.context }); });
  app.get("/readyz", async (_req, res) => {
    let database = false;
    try { await db.query("SELECT 1"); database = true; } catch { /* reported below */ }
    const ready = database && bus.connected;
    res.status(ready ? 200 : 503).json({ status: ready ? "ready" : "not-ready", database, nats: bus.connected, outboxPending: await relay.pendingCount().catch(() => null), ...(mod.health?.() ?? {}) });
  });
  mod.routes?.(app);
  app.use(
    "/graphql",
    express.json({ limit: "1mb" }),
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        const header = req.headers[IDENTITY_HEADER];
        const verified = await verifyForwardedIdentity(Array.isArray(header) ? header[0] : header, config.internalSecret);
        if (!verified) {
          throw new GraphQLError("Requests must come through the Junggo gateway.", { extensions: { code: "UNAUTHENTICATED", http: { status: 401 } } });
        }
        return { viewer: verified.viewer };
      },
    }),
  );

  const server: Server = createServer(app);
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
      await new Promise<void>((r) => { server.close(() => r()); server.closeIdleConnections(); });
      await apollo.stop();
      await consumer?.stop();
      await relay.flush();
      await relay.stop();
      await bus.close();
      await prisma.$disconnect();
      await db.close();
      log.info("stopped");
    })());
  for (const sig of ["SIGTERM", "SIGINT"] as const) {
    process.once(sig, () => {
      stop().then(() => process.exit(0), (err) => { log.error("shutdown failed", { err }); process.exit(1); });
    });
  }
  return { url, port, stop };
}
