// `npm run up`: the whole system on embedded defaults, supervised, stopped cleanly by Ctrl-C.
import { join } from "node:path";
import { createLogger, DEFAULT_PORTS } from "@junggo/runtime";
import { isPortFree } from "./ports.ts";
import { REPO_ROOT, Stack, SUBGRAPHS, type ServiceName } from "./stack.ts";
import { Supervisor } from "./supervisor.ts";

const log = createLogger("up");
const dataRoot = process.env.JUNGGO_DATA_DIR ?? join(REPO_ROOT, ".data");

const busy: number[] = [];
for (const p of [...Object.values(DEFAULT_PORTS), Number(process.env.NATS_PORT ?? 4222)]) if (!(await isPortFree(p))) busy.push(p);
if (busy.length) {
  console.error(`Ports already in use: ${busy.join(", ")}. Is another 'npm run up' running? Stop it first.`);
  process.exit(1);
}

console.log(`Starting NATS JetStream, ${SUBGRAPHS.length} subgraphs and the gateway (first start migrates and seeds)...`);
const stack = await Stack.start({ dataRoot, ports: "default", seedDemo: true });
let stopping = false;

// Self-healing, as Kubernetes does with liveness probes: a process that exits, or whose /healthz
// keeps failing (LIVENESS_PERIOD_MS, LIVENESS_FAILURES), is restarted with backoff and logged.
const supervisor = new Supervisor([["nats", stack.nats], ...stack.services], { ...Supervisor.optionsFromEnv(), log });
supervisor.start();

const line = (name: ServiceName) => `  ${name.padEnd(12)} http://127.0.0.1:${stack.ports.get(name)}/graphql`;
console.log(`
Junggo is up.

  Web client                 http://localhost:${stack.ports.get("gateway")}/
  Gateway + Apollo Sandbox   http://localhost:${stack.ports.get("gateway")}/graphql
  Subscriptions (graphql-ws) ws://localhost:${stack.ports.get("gateway")}/graphql
  NATS JetStream             ${stack.natsUrl}  (monitoring http://127.0.0.1:8222)

Subgraphs (accept only requests signed by the gateway):
${SUBGRAPHS.map(line).join("\n")}

Demo accounts (password junggo-demo): buyer@junggo.test, buyer2@junggo.test, seller@junggo.test,
staff@junggo.test, driver@junggo.test, driver2@junggo.test
Data: ${dataRoot}   Logs: ${join(dataRoot, "logs")}
Press Ctrl-C to stop.
`);

const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  supervisor.stop();
  console.log("\nStopping...");
  await stack.stop();
  console.log("Stopped. Data kept in", dataRoot);
  process.exit(0);
};
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
