// Command line and environment of `npm run up`: which database the contexts use, and the ports.
import { DEFAULT_PORTS, SUBGRAPH_NAMES, type ContextName } from "@junggo/runtime";

export type UpDatabase =
  | { kind: "embedded"; port: number }
  | { kind: "external"; url: string }
  | { kind: "pglite" };

export interface UpArgs {
  database: UpDatabase;
  ports: PortPlan;
  help: boolean;
}

/** Every port `npm run up` listens on. */
export type PortPlan = Record<ContextName | "gateway" | "nats" | "natsMonitor" | "postgres", number>;

export const UP_USAGE = `Usage: npm run up [-- options]
  (default)          a local PostgreSQL server from the system's binaries, data in .data/postgres,
                     one database per context; port POSTGRES_PORT (default 4432)
  --postgres <url>   an existing PostgreSQL server (admin URL); databases junggo_<context> are
                     created there when missing (also: JUNGGO_POSTGRES_URL)
  --pglite           embedded PGlite databases inside each service (no server; ~300 MB per service)
  --help             this text
Ports: JUNGGO_PORT_BASE=<n> moves them all (gateway n, subgraphs n+1…n+9, NATS n+222, its monitor
n+4222, PostgreSQL n+432; default 4000); GATEWAY_PORT, <CONTEXT>_PORT (e.g. STOCK_PORT),
NATS_PORT, NATS_MONITOR_PORT and POSTGRES_PORT set one each.`;

const PORT_OFFSETS = { nats: 222, natsMonitor: 4222, postgres: 432 } as const;
const PORT_VARIABLES: Record<keyof PortPlan, string> = {
  ...(Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, `${n.toUpperCase()}_PORT`])) as Record<
    ContextName,
    string
  >),
  gateway: "GATEWAY_PORT",
  nats: "NATS_PORT",
  natsMonitor: "NATS_MONITOR_PORT",
  postgres: "POSTGRES_PORT",
};

const isPort = (n: number) => Number.isInteger(n) && n >= 1 && n <= 65535;

/**
 * Ports that browsers and Node's fetch refuse to connect to (the Fetch standard's "bad ports"): an
 * HTTP service there could not be reached by the web client, nor health-checked.
 */
const FETCH_BAD_PORTS = new Set([
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104,
  109, 110, 111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515,
  526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723, 2049,
  3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
]);
const NOT_HTTP = new Set<keyof PortPlan>(["nats", "postgres"]);

/** The ports of `npm run up`: JUNGGO_PORT_BASE moves every one, a service's own variable sets one. */
export function resolveUpPorts(env: Record<string, string | undefined>, problems: string[]): PortPlan {
  const baseText = env.JUNGGO_PORT_BASE;
  const base = baseText === undefined || baseText === "" ? DEFAULT_PORTS.gateway : Number(baseText);
  if (!isPort(base) || !isPort(base + PORT_OFFSETS.natsMonitor))
    problems.push(
      `JUNGGO_PORT_BASE must be a whole number from 1 to ${65535 - PORT_OFFSETS.natsMonitor}, got "${baseText}"`,
    );
  const plan = {} as PortPlan;
  for (const [key, variable] of Object.entries(PORT_VARIABLES) as [keyof PortPlan, string][]) {
    const offset =
      key in PORT_OFFSETS
        ? PORT_OFFSETS[key as keyof typeof PORT_OFFSETS]
        : DEFAULT_PORTS[key as ContextName | "gateway"] - DEFAULT_PORTS.gateway;
    const text = env[variable];
    const port = text === undefined || text === "" ? base + offset : Number(text);
    if (text !== undefined && text !== "" && !isPort(port))
      problems.push(`${variable} must be a port number (1-65535), got "${text}"`);
    plan[key] = port;
  }
  for (const [key, port] of Object.entries(plan) as [keyof PortPlan, number][]) {
    if (!NOT_HTTP.has(key) && FETCH_BAD_PORTS.has(port))
      problems.push(
        `${PORT_VARIABLES[key]} would be ${port}, a port browsers and fetch refuse to use: choose another (or another JUNGGO_PORT_BASE)`,
      );
  }
  const byPort = new Map<number, string[]>();
  for (const [key, port] of Object.entries(plan))
    byPort.set(port, [...(byPort.get(port) ?? []), PORT_VARIABLES[key as keyof PortPlan]]);
  for (const [port, users] of byPort)
    if (users.length > 1)
      problems.push(`port ${port} is given to more than one service: ${users.join(", ")}`);
  return plan;
}

/** Parses argv (after the script) and the environment; throws one message listing every problem. */
export function parseUpArgs(argv: string[], env: Record<string, string | undefined>): UpArgs {
  const problems: string[] = [];
  let url: string | undefined = env.JUNGGO_POSTGRES_URL || undefined;
  let pglite = false;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--pglite") pglite = true;
    else if (a === "--help" || a === "-h") help = true;
    else if (a === "--postgres") {
      const v = argv[++i];
      if (!v || v.startsWith("--"))
        problems.push(
          "--postgres needs a URL, e.g. --postgres postgresql://postgres@127.0.0.1:5432/postgres",
        );
      else url = v;
    } else if (a.startsWith("--postgres=")) url = a.slice("--postgres=".length);
    else problems.push(`unknown option ${a}`);
  }
  if (url !== undefined) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      /* reported below */
    }
    if (!parsed || !/^postgres(ql)?:$/.test(parsed.protocol))
      problems.push(`--postgres / JUNGGO_POSTGRES_URL must be a postgresql:// URL, got "${url}"`);
  }
  if (pglite && url !== undefined) problems.push("--pglite and --postgres exclude each other");
  const ports = resolveUpPorts(env, problems);
  if (problems.length) throw new Error(problems.join("\n"));
  const database: UpDatabase = pglite
    ? { kind: "pglite" }
    : url !== undefined
      ? { kind: "external", url }
      : { kind: "embedded", port: ports.postgres };
  return { database, ports, help };
}
