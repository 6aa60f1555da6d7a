// `npm run up`: the whole system on embedded defaults, supervised, stopped cleanly by Ctrl-C.
import { join } from "node:path";
import { createLogger } from "@junggo/runtime";
import { isPortFree } from "./ports.ts";
import { persistentClusterDir, startPostgres, type PostgresServer } from "./postgres.ts";
import { REPO_ROOT, Stack, SUBGRAPHS, type ServiceName } from "./stack.ts";
import { Supervisor } from "./supervisor.ts";
import { parseUpArgs, UP_USAGE } from "./up-args.ts";

const log = createLogger("up");
const dataRoot = process.env.JUNGGO_DATA_DIR ?? join(REPO_ROOT, ".data");
let args: ReturnType<typeof parseUpArgs>;
try {
  args = parseUpArgs(process.argv.slice(2), process.env);
} catch (err) {
  console.error(`${(err as Error).message}\n\n${UP_USAGE}`);
  process.exit(2);
}
if (args.help) {
  console.log(UP_USAGE);
  process.exit(0);
}

const { ports } = args;
const busy: string[] = [];
for (const [name, port] of Object.entries(ports)) {
  if (name === "postgres" && args.database.kind !== "embedded") continue;
  if (!(await isPortFree(port))) busy.push(`${port} (${name})`);
}
if (busy.length) {
  // Nothing has been started yet: a busy port stops the run before any process or database exists.
  console.error(
    `Ports already in use: ${busy.join(", ")}.\nIs another 'npm run up' running? Stop it first, or move every port, e.g. JUNGGO_PORT_BASE=5000 npm run up.`,
  );
  process.exit(1);
}

// One PostgreSQL server with a database per context (see README, "Databases"): PGlite inside every
// service cost ~300 MB per process and serialised each context's transactions on one connection.
let postgres: PostgresServer | null = null;
let postgresUrl: string | undefined;
let databaseLine = `PGlite, one embedded database per context under ${dataRoot}`;
if (args.database.kind === "embedded") {
  postgres = await startPostgres({
    dataRoot,
    dataDir: persistentClusterDir(dataRoot),
    port: args.database.port,
    persistent: true,
  }).catch((err: Error) => {
    console.error(
      `Could not start the local PostgreSQL server: ${err.message}\nRun with --pglite to use embedded PGlite databases instead.`,
    );
    process.exit(1);
  });
  if (!postgres) {
    console.error(
      "PostgreSQL server binaries not found (apt-get install postgresql, or set PGBIN). Run with --pglite to use embedded PGlite databases instead.",
    );
    process.exit(1);
  }
  postgresUrl = postgres.url;
  databaseLine = `PostgreSQL ${postgres.tcpUrl.replace(/\/postgres$/, "")} (databases junggo_<context>, data in ${postgres.dataDir}; the services use its socket there)`;
} else if (args.database.kind === "external") {
  postgresUrl = args.database.url;
  databaseLine = `PostgreSQL at ${new URL(postgresUrl).host} (databases junggo_<context>)`;
}

console.log(
  `Starting NATS JetStream, ${SUBGRAPHS.length} subgraphs and the gateway (first start migrates and seeds)...`,
);
const stack = await Stack.start({ dataRoot, ports, seedDemo: true, postgresUrl, keepDatabases: true }).catch(
  async (err: Error) => {
    await postgres?.stop();
    throw err;
  },
);
let stopping = false;

// Self-healing, as Kubernetes does with liveness probes: a process that exits, or whose /healthz
// keeps failing (LIVENESS_PERIOD_MS, LIVENESS_FAILURES), is restarted with backoff and logged.
const supervisor = new Supervisor([["nats", stack.nats], ...stack.services], {
  ...Supervisor.optionsFromEnv(),
  log,
});
supervisor.start();

const line = (name: ServiceName) => `  ${name.padEnd(12)} http://127.0.0.1:${stack.ports.get(name)}/graphql`;
console.log(`
Junggo is up.

  Web client                 http://localhost:${stack.ports.get("gateway")}/
  Gateway + Apollo Sandbox   http://localhost:${stack.ports.get("gateway")}/graphql
  Subscriptions (graphql-ws) ws://localhost:${stack.ports.get("gateway")}/graphql
  NATS JetStream             ${stack.natsUrl}  (monitoring http://127.0.0.1:${ports.natsMonitor})
                             one user per context, passwords in ${join(dataRoot, "nats-passwords.json")}
  Databases                  ${databaseLine}

Subgraphs (accept only requests signed by the gateway):
${SUBGRAPHS.map(line).join("\n")}

Demo accounts (password junggo-demo): buyer@junggo.test, buyer2@junggo.test, seller@junggo.test,
seller2@junggo.test, staff@junggo.test, driver@junggo.test, driver2@junggo.test
Data: ${dataRoot}   Logs: ${join(dataRoot, "logs")}
Press Ctrl-C to stop.
`);

const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  supervisor.stop();
  console.log("\nStopping...");
  await stack.stop();
  await postgres?.stop();
  console.log("Stopped. Data kept in", dataRoot);
  process.exit(0);
};
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
