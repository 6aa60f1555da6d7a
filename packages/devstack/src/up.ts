// `npm run up`: the whole system on embedded defaults, supervised, stopped cleanly by Ctrl-C.
import { join } from "node:path";
import { createLogger, DEFAULT_PORTS } from "@junggo/runtime";
import { isPortFree } from "./ports.ts";
import { REPO_ROOT, Stack, SUBGRAPHS, type ServiceName } from "./stack.ts";

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

// Self-healing: a service that dies is restarted with backoff, as a liveness probe would.
for (const [name, proc] of stack.services) {
  let failures = 0;
  proc.onExit = (code, signal) => {
    if (stopping) return;
    failures++;
    const delay = Math.min(500 * 2 ** (failures - 1), 15_000);
    log.warn("service exited, restarting", { service: name, code, signal, delayMs: delay });
    setTimeout(() => {
      if (stopping) return;
      proc.start(120_000).then(
        () => { failures = 0; log.info("service restarted", { service: name }); },
        (err: Error) => log.error("restart failed", { service: name, err: err.message }),
      );
    }, delay);
  };
}

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
  console.log("\nStopping...");
  await stack.stop();
  console.log("Stopped. Data kept in", dataRoot);
  process.exit(0);
};
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
