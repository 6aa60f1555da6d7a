// Every setting comes from the environment (ConfigMap/Secret ready), declared once in a schema
// (settings.ts): the settings every process shares, the runtime's settings of every subgraph here,
// each context's own beside its module, the gateway's in gateway/src/gateway.config.ts.
import { DEFAULT_DUPLICATE_WINDOW_MS } from "./bus.ts";
import { DEFAULT_POOL_SIZES } from "./database.ts";
import { armFailpoints } from "./failpoints.ts";
import { DEFAULT_LIVE_BUFFER } from "./live.ts";
import { setLogLevel } from "./logger.ts";
import {
  bool,
  ConfigError,
  int,
  loadSettings,
  oneOf,
  str,
  type SettingsOf,
  type SettingsSpec,
} from "./settings.ts";

export const DEFAULT_PORTS = {
  gateway: 4000,
  identity: 4001,
  stock: 4002,
  purchase: 4003,
  billing: 4004,
  consignment: 4005,
  dashboard: 4006,
  notification: 4007,
} as const;

export type ContextName = Exclude<keyof typeof DEFAULT_PORTS, "gateway">;

/** Every bounded context that runs as a subgraph, in start-up order. */
export const SUBGRAPH_NAMES = (Object.keys(DEFAULT_PORTS) as (keyof typeof DEFAULT_PORTS)[]).filter(
  (n): n is ContextName => n !== "gateway",
);

export const DEV_INTERNAL_SECRET = "dev-only-internal-secret-change-me";

/** The settings of every process, the gateway's and each subgraph's. */
export function processSettings(name: keyof typeof DEFAULT_PORTS) {
  return {
    nodeEnv: str({
      env: "NODE_ENV",
      default: "development",
      description:
        "`production` refuses development defaults of secrets and FAILPOINTS, hides introspection and sandbox APIs.",
    }),
    logLevel: oneOf({
      env: "LOG_LEVEL",
      values: ["debug", "info", "warn", "error"] as const,
      default: "info",
      description:
        "Least severe level written (JSON lines: debug and info to stdout, warn and error to stderr).",
    }),
    failpoints: str({
      env: "FAILPOINTS",
      description:
        "Crash points for tests (`point=crash@N:EventType,…`, see packages/runtime/src/failpoints.ts); refused in production.",
    }),
    host: str({ env: "HOST", default: "127.0.0.1", description: "Address the HTTP server listens on." }),
    port: int({
      env: "PORT",
      min: 0,
      max: 65535,
      defaultDoc: `\`${name.toUpperCase()}_PORT\``,
      description: "Port the HTTP server listens on (0: any free port).",
    }),
    namedPort: int({
      env: `${name.toUpperCase()}_PORT`,
      min: 0,
      max: 65535,
      default: DEFAULT_PORTS[name],
      description: "Port when PORT is not set.",
    }),
    internalSecret: str({
      env: "INTERNAL_SECRET",
      devDefault: DEV_INTERNAL_SECRET,
      description:
        "HMAC secret shared by the gateway and the subgraphs for forwarded identities and service tokens.",
    }),
  } satisfies SettingsSpec;
}

/** The runtime's settings of every subgraph (database, bus, consumer, live events). */
export function subgraphSettings(context: ContextName) {
  return {
    ...processSettings(context),
    dataDir: str({
      env: "DATA_DIR",
      default: `.data/${context}`,
      defaultDoc: "`.data/<context>`",
      description: "PGlite data directory, used when DATABASE_URL is not set.",
    }),
    databaseUrl: str({
      env: "DATABASE_URL",
      format: "url",
      description:
        "PostgreSQL connection URL of this context's database (unset: embedded PGlite in DATA_DIR).",
    }),
    databasePoolSize: int({
      env: "DATABASE_POOL_SIZE",
      min: 1,
      default: DEFAULT_POOL_SIZES.poolSize,
      description: "PostgreSQL connections of the hot paths (plain-SQL transactions, reads, outbox relay).",
    }),
    databasePrismaPoolSize: int({
      env: "DATABASE_PRISMA_POOL_SIZE",
      min: 1,
      default: DEFAULT_POOL_SIZES.prismaPoolSize,
      description: "PostgreSQL connections of the Prisma client (cold paths, dead-letter replays).",
    }),
    natsUrl: str({
      env: "NATS_URL",
      default: "nats://127.0.0.1:4222",
      description: "URL of the NATS server.",
    }),
    natsDuplicateWindowMs: int({
      env: "NATS_DUPLICATE_WINDOW_MS",
      min: 1,
      default: DEFAULT_DUPLICATE_WINDOW_MS,
      description:
        "JetStream drops a second publish of the same event id inside this window (set when the stream is created).",
    }),
    seedDemo: bool({ env: "SEED_DEMO", default: false, description: "Seed idempotent demo data at start." }),
    liveBuffer: int({
      env: "LIVE_BUFFER",
      min: 1,
      default: DEFAULT_LIVE_BUFFER,
      description: "Pending live events per GraphQL subscription before it is closed as too slow.",
    }),
    consumerMaxDeliver: int({
      env: "CONSUMER_MAX_DELIVER",
      min: 1,
      default: 5,
      description: "Deliveries of an event before it becomes a dead letter.",
    }),
    consumerRetryBaseMs: int({
      env: "CONSUMER_RETRY_BASE_MS",
      min: 0,
      default: 250,
      description: "First redelivery delay of a failed event (doubles per attempt).",
    }),
    consumerRetryMaxMs: int({
      env: "CONSUMER_RETRY_MAX_MS",
      min: 0,
      default: 10_000,
      description: "Longest redelivery delay.",
    }),
  } satisfies SettingsSpec;
}

export type ProcessSettings = SettingsOf<ReturnType<typeof processSettings>>;
type SubgraphSettings = SettingsOf<ReturnType<typeof subgraphSettings>>;

/** The runtime's configuration of one subgraph process. */
export interface ServiceConfig extends Omit<SubgraphSettings, "namedPort"> {
  context: ContextName;
  /** PORT, else <CONTEXT>_PORT. */
  port: number;
  production: boolean;
}

export const isProductionEnv = (env: Readonly<Record<string, string | undefined>>) =>
  env.NODE_ENV === "production";

/** Checks every process shares: FAILPOINTS is for tests only. */
export function processChecks(v: { nodeEnv: string; failpoints: string | undefined }): string[] {
  return v.nodeEnv === "production" && v.failpoints?.trim()
    ? ["FAILPOINTS: is set but NODE_ENV=production: crash points are for tests only; refusing to start"]
    : [];
}

/**
 * The subgraph's configuration: the runtime's settings plus the context's own (`own`), parsed
 * together so that every problem of both is listed at once.
 */
export function loadSubgraphConfig<S extends SettingsSpec = Record<never, never>>(
  context: ContextName,
  env: Readonly<Record<string, string | undefined>>,
  own?: { settings: S; checks?: (v: SettingsOf<S>) => string[] },
): { service: ServiceConfig; own: SettingsOf<S> } {
  const common = subgraphSettings(context);
  const spec = { ...common, ...(own?.settings ?? {}) };
  const production = isProductionEnv(env);
  const all = loadSettings(context, spec, env, {
    production,
    checks: (v) => [
      ...processChecks(v as unknown as SubgraphSettings),
      ...(own?.checks?.(v as SettingsOf<S>) ?? []),
    ],
  }) as Record<string, unknown>;
  const pick = (keys: string[]) => Object.freeze(Object.fromEntries(keys.map((k) => [k, all[k]])));
  const { namedPort, ...rest } = pick(Object.keys(common)) as SubgraphSettings;
  const service: ServiceConfig = Object.freeze({
    ...rest,
    context,
    port: rest.port ?? namedPort,
    production,
  });
  return { service, own: pick(Object.keys(own?.settings ?? {})) as SettingsOf<S> };
}

/** Only the runtime's settings of a subgraph (command-line tools that use its database and bus). */
export function loadServiceConfig(context: ContextName, env: Readonly<Record<string, string | undefined>>) {
  return loadSubgraphConfig(context, env).service;
}

/**
 * Runs a process's configuration loading: a ConfigError is printed (every problem, one per line)
 * and the process exits with status 78 (EX_CONFIG) before anything starts.
 */
export function configOrExit<T>(load: () => T): T {
  try {
    return load();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(78);
  }
}

/** Applies what every process takes from its settings before anything else runs. */
export function applyProcessSettings(s: Pick<ProcessSettings, "logLevel" | "failpoints" | "nodeEnv">): void {
  setLogLevel(s.logLevel);
  armFailpoints(s);
}
