// `npm run bench:pg-socket`: what one statement costs through loopback TCP and through the
// cluster's Unix socket, on a throw-away cluster with npm run up's settings. The statements are a
// consumer's transaction (BEGIN, inbox row, effect, COMMIT), each a round trip as on the hot paths.
// CPU is the client's (this process) and the server backend's (/proc), per statement.
import pg from "pg";
import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { startPostgres } from "@junggo/devstack";
import { procStat } from "./proc.ts";

const TRANSACTIONS = Number(process.env.PG_SOCKET_TRANSACTIONS ?? 5000);
const ROUNDS = 3;
const STATEMENTS_PER_TX = 4;

interface Figures {
  wallUs: number;
  clientUs: number;
  serverUs: number;
}

async function measure(url: string): Promise<Figures> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const backend = (await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid;
    await client.query("CREATE TEMP TABLE inbox (event_id uuid PRIMARY KEY)");
    await client.query("CREATE TEMP TABLE effect (id int PRIMARY KEY, n int NOT NULL)");
    await client.query("INSERT INTO effect SELECT g, 0 FROM generate_series(0, 999) g");
    const tx = async (i: number) => {
      await client.query("BEGIN");
      await client.query({
        name: "inbox",
        text: "INSERT INTO inbox (event_id) VALUES ($1) ON CONFLICT DO NOTHING",
        values: [crypto.randomUUID()],
      });
      await client.query({
        name: "effect",
        text: "UPDATE effect SET n = n + 1 WHERE id = $1",
        values: [i % 1000],
      });
      await client.query("COMMIT");
    };
    for (let i = 0; i < 500; i++) await tx(i);
    const serverBefore = procStat(backend)?.cpuSeconds ?? 0;
    const clientBefore = process.cpuUsage();
    const start = performance.now();
    for (let i = 0; i < TRANSACTIONS; i++) await tx(i);
    const wallMs = performance.now() - start;
    const client_ = process.cpuUsage(clientBefore);
    const serverSeconds = (procStat(backend)?.cpuSeconds ?? 0) - serverBefore;
    const n = TRANSACTIONS * STATEMENTS_PER_TX;
    return {
      wallUs: (wallMs * 1000) / n,
      clientUs: (client_.user + client_.system) / n,
      serverUs: (serverSeconds * 1e6) / n,
    };
  } finally {
    await client.end();
  }
}

const root = join(tmpdir(), "junggo-bench-pg-socket");
mkdirSync(root, { recursive: true, mode: 0o755 });
const server = await startPostgres({ dataRoot: root });
if (!server) {
  console.error("PostgreSQL server binaries not found (apt-get install postgresql, or set PGBIN)");
  process.exit(1);
}
if (server.url === server.tcpUrl) {
  await server.stop();
  console.error(`the socket path under ${server.dataDir} is too long for the kernel; nothing to compare`);
  process.exit(1);
}
try {
  const sums = { tcp: [] as Figures[], socket: [] as Figures[] };
  // Alternated, so a machine that speeds up or slows down during the run favours neither.
  for (let round = 0; round < ROUNDS; round++) {
    sums.tcp.push(await measure(server.tcpUrl));
    sums.socket.push(await measure(server.url));
  }
  const mean = (xs: Figures[], k: keyof Figures) => xs.reduce((a, x) => a + x[k], 0) / xs.length;
  console.log(
    `\nOne statement, mean of ${ROUNDS} alternated rounds of ${TRANSACTIONS} transactions × ${STATEMENTS_PER_TX} statements:\n`,
  );
  console.log("| transport | wall µs | client CPU µs | server CPU µs | CPU µs total |");
  console.log("|---|---|---|---|---|");
  for (const [name, xs] of Object.entries(sums)) {
    const c = mean(xs, "clientUs");
    const s = mean(xs, "serverUs");
    console.log(
      `| ${name} | ${mean(xs, "wallUs").toFixed(0)} | ${c.toFixed(0)} | ${s.toFixed(0)} | ${(c + s).toFixed(0)} |`,
    );
  }
} finally {
  await server.stop();
}
