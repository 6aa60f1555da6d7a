// Every setting comes from the environment (ConfigMap/Secret ready), declared once in a schema
// (settings.ts): the settings every process shares, the runtime's settings of every subgraph here,
// each context's own beside its module, the gateway's in gateway/src/gateway.config.ts.
import { readFileSync } from "node:fs";
import contexts from "../contexts.json" with { type: "json" };
import { DEFAULT_DUPLICATE_WINDOW_MS, type NatsCredentials } from "./bus.ts";
import { DEFAULT_POOL_SIZES } from "./database.ts";
import { DEFAULT_LIVE_BUFFER } from "./live.ts";
import { setLogLevel } from "./logger.ts";
import {
  bool,
  ConfigError,
  int,
  loadSettings,
  num,
  oneOf,
  str,
  type SettingsOf,
  type SettingsSpec,
} from "./settings.ts";

/** The contexts and their ports, written out once (also read by the plain-node build and Prisma scripts). */
const CONTEXT_PORTS = contexts.ports;

export const DEFAULT_PORTS = { gateway: 4000, ...CONTEXT_PORTS } as const;

export type ContextName = keyof typeof CONTEXT_PORTS;

/** Every bounded context that runs as a subgraph, in start-up order (contexts.json's order). */
export const SUBGRAPH_NAMES = Object.keys(CONTEXT_PORTS) as ContextName[];

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
    ...tracingSettings(),
  } satisfies SettingsSpec;
}

const SDK_READS = "Read by the OpenTelemetry SDK itself (declared here to be documented and checked).";

/**
 * OpenTelemetry (packages/runtime/src/tracing.ts): the endpoint settings decide whether tracing is
 * on and where spans go; the SDK reads the others itself when it is on.
 */
function tracingSettings() {
  return {
    otelEndpoint: str({
      env: "OTEL_EXPORTER_OTLP_ENDPOINT",
      format: "url",
      description:
        "OTLP/HTTP collector base URL (`/v1/traces` is added); tracing is on when this or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set.",
    }),
    otelTracesEndpoint: str({
      env: "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
      format: "url",
      description: "Full OTLP/HTTP URL for spans; takes precedence over OTEL_EXPORTER_OTLP_ENDPOINT.",
    }),
    otelSdkDisabled: bool({
      env: "OTEL_SDK_DISABLED",
      default: false,
      description: "`true` turns tracing off even with an endpoint.",
    }),
    otelTracesExporter: str({
      env: "OTEL_TRACES_EXPORTER",
      description: "`none` turns tracing off even with an endpoint (spans are always exported as OTLP/HTTP).",
    }),
    otelExporterHeaders: str({
      env: "OTEL_EXPORTER_OTLP_HEADERS",
      description: `Headers sent to the collector (\`key=value,…\`). ${SDK_READS}`,
    }),
    otelExporterTimeout: int({
      env: "OTEL_EXPORTER_OTLP_TIMEOUT",
      min: 0,
      description: `Export request timeout (ms). ${SDK_READS}`,
    }),
    otelExporterCompression: str({
      env: "OTEL_EXPORTER_OTLP_COMPRESSION",
      description: `\`gzip\` or \`none\`. ${SDK_READS}`,
    }),
    otelTracesSampler: str({
      env: "OTEL_TRACES_SAMPLER",
      description: `Sampler (default \`parentbased_always_on\`). ${SDK_READS}`,
    }),
    otelTracesSamplerArg: num({
      env: "OTEL_TRACES_SAMPLER_ARG",
      min: 0,
      max: 1,
      description: `Sampling ratio of the \`*traceidratio\` samplers. ${SDK_READS}`,
    }),
    otelBspScheduleDelay: int({
      env: "OTEL_BSP_SCHEDULE_DELAY",
      min: 0,
      description: `Delay between two span exports (ms). ${SDK_READS}`,
    }),
    otelBspExportTimeout: int({
      env: "OTEL_BSP_EXPORT_TIMEOUT",
      min: 0,
      description: `Longest export of one batch (ms). ${SDK_READS}`,
    }),
    otelBspMaxQueueSize: int({
      env: "OTEL_BSP_MAX_QUEUE_SIZE",
      min: 1,
      description: `Spans buffered before new ones are dropped. ${SDK_READS}`,
    }),
    otelBspMaxExportBatchSize: int({
      env: "OTEL_BSP_MAX_EXPORT_BATCH_SIZE",
      min: 1,
      description: `Spans per export. ${SDK_READS}`,
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
    natsUser: str({
      env: "NATS_USER",
      defaultDoc: "the context's name",
      description:
        "NATS user of this context (deploy/nats-auth.conf); needs NATS_PASSWORD or NATS_PASSWORD_FILE.",
    }),
    natsPassword: str({
      env: "NATS_PASSWORD",
      description:
        "Password of NATS_USER. Production requires it or NATS_PASSWORD_FILE; unset in development: no authentication.",
    }),
    natsPasswordFile: str({
      env: "NATS_PASSWORD_FILE",
      description:
        "File holding the NATS password (a mounted secret), read at start and trimmed; used when NATS_PASSWORD is unset.",
    }),
    natsStreamReplicas: int({
      env: "NATS_STREAM_REPLICAS",
      min: 1,
      max: 5,
      default: 1,
      description:
        "Copies of the event stream in the JetStream cluster (3 on Kubernetes' three-node cluster); an existing stream is rescaled in place.",
    }),
    natsDuplicateWindowMs: int({
      env: "NATS_DUPLICATE_WINDOW_MS",
      min: 1,
      default: DEFAULT_DUPLICATE_WINDOW_MS,
      description:
        "JetStream drops a second publish of the same event id inside this window (set when the stream is created).",
    }),
    migrateOnStart: bool({
      env: "MIGRATE_ON_START",
      default: true,
      description:
        "Apply database migrations at start; `false` leaves them to the deployment's `main.js migrate` step.",
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
export interface ServiceConfig
  extends Omit<SubgraphSettings, "namedPort" | "natsUser" | "natsPassword" | "natsPasswordFile"> {
  context: ContextName;
  /** PORT, else <CONTEXT>_PORT. */
  port: number;
  production: boolean;
  /** NATS credentials of this context (deploy/nats-auth.conf); none for a server without authentication. */
  nats: NatsCredentials | undefined;
}

/**
 * NATS_USER (default: the context's name) with NATS_PASSWORD, or NATS_PASSWORD_FILE (a mounted
 * secret, read at start, trimmed). Production refuses to run without them: an open NATS lets anyone
 * publish events or read them all. Throws an Error naming the problem.
 */
export function natsCredentials(
  defaultUser: string,
  s: { natsUser?: string; natsPassword?: string; natsPasswordFile?: string },
  production: boolean,
): NatsCredentials | undefined {
  const file = s.natsPasswordFile;
  let pass = s.natsPassword || undefined;
  if (!pass && file) {
    try {
      pass = readFileSync(file, "utf8").trim();
    } catch (err) {
      throw new Error(`NATS_PASSWORD_FILE ${file} cannot be read: ${(err as Error).message}`);
    }
    if (!pass) throw new Error(`NATS_PASSWORD_FILE ${file} is empty`);
  }
  if (!pass) {
    if (s.natsUser) throw new Error("NATS_USER is set without NATS_PASSWORD or NATS_PASSWORD_FILE");
    if (production) throw new Error("NATS_PASSWORD or NATS_PASSWORD_FILE must be set in production");
    return undefined;
  }
  return { user: s.natsUser || defaultUser, pass };
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
  let nats: NatsCredentials | undefined;
  const natsChecks = (v: SubgraphSettings): string[] => {
    try {
      nats = natsCredentials(context, v, production);
      return [];
    } catch (err) {
      return [(err as Error).message];
    }
  };
  const all = loadSettings(context, spec, env, {
    production,
    checks: (v) => [
      ...processChecks(v as unknown as SubgraphSettings),
      ...natsChecks(v as unknown as SubgraphSettings),
      ...(own?.checks?.(v as SettingsOf<S>) ?? []),
    ],
  }) as Record<string, unknown>;
  const pick = (keys: string[]) => Object.freeze(Object.fromEntries(keys.map((k) => [k, all[k]])));
  // The password stays out of the config object: only the credentials built from it are kept.
  const { namedPort, natsUser, natsPassword, natsPasswordFile, ...rest } = pick(
    Object.keys(common),
  ) as SubgraphSettings;
  const service: ServiceConfig = Object.freeze({
    ...rest,
    context,
    port: rest.port ?? namedPort,
    production,
    nats,
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

/**
 * Applies what every process takes from its settings before anything else runs. (A subgraph's
 * FAILPOINTS are created by runSubgraphService and handed to its relay and consumer.)
 */
export function applyProcessSettings(s: Pick<ProcessSettings, "logLevel">): void {
  setLogLevel(s.logLevel);
}
