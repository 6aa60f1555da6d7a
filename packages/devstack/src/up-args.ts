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
Ports: JUNGGO_PORT_BASE=<n> moves them all (gateway n, subgraphs n+1…n+7, NATS n+222, its monitor
n+4222, PostgreSQL n+432; default 4000); GATEWAY_PORT, <CONTEXT>_PORT (e.g. STOCK_PORT),
NATS_PORT, NATS_MONITOR_PORT and POSTGRES_PORT set one each.`;

const PORT_OFFSETS = { nats: 222, natsMonitor: 4222, postgres: 432 } as const;
const PORT_VARIABLES: Record<keyof PortPlan, string> = {
  ...(Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, `${n.toUpperCase()}_PORT`])) as Record<ContextName, string>),
  gateway: "GATEWAY_PORT",
  nats: "NATS_PORT",
  natsMonitor: "NATS_MONITOR_PORT",
  postgres: "POSTGRES_PORT",
};

const isPort = (n: number) => Number.isInteger(n) && n >= 1 && n <= 65535;

/** The ports of `npm run up`: JUNGGO_PORT_BASE moves every one, a service's own variable sets one. */
export function resolveUpPorts(env: Record<string, string | undefined>, problems: string[]): PortPlan {
  const baseText = env.JUNGGO_PORT_BASE;
  const base = baseText === undefined || baseText === "" ? DEFAULT_PORTS.gateway : Number(baseText);
  if (!isPort(base) || !isPort(base + PORT_OFFSETS.natsMonitor)) problems.push(`JUNGGO_PORT_BASE must be a whole number from 1 to ${65535 - PORT_OFFSETS.natsMonitor}, got "${baseText}"`);
  const plan = {} as PortPlan;
  for (const [key, variable] of Object.entries(PORT_VARIABLES) as [keyof PortPlan, string][]) {
    const offset = key in PORT_OFFSETS ? PORT_OFFSETS[key as keyof typeof PORT_OFFSETS] : DEFAULT_PORTS[key as ContextName | "gateway"] - DEFAULT_PORTS.gateway;
    const text = env[variable];
    const port = text === undefined || text === "" ? base + offset : Number(text);
    if (text !== undefined && text !== "" && !isPort(port)) problems.push(`${variable} must be a port number (1-65535), got "${text}"`);
    plan[key] = port;
  }
  const byPort = new Map<number, string[]>();
  for (const [key, port] of Object.entries(plan)) byPort.set(port, [...(byPort.get(port) ?? []), PORT_VARIABLES[key as keyof PortPlan]]);
  for (const [port, users] of byPort) if (users.length > 1) problems.push(`port ${port} is given to more than one service: ${users.join(", ")}`);
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
      if (!v || v.startsWith("--")) problems.push("--postgres needs a URL, e.g. --postgres postgresql://postgres@127.0.0.1:5432/postgres");
      else url = v;
    } else if (a.startsWith("--postgres=")) url = a.slice("--postgres=".length);
    else problems.push(`unknown option ${a}`);
  }
  if (url !== undefined) {
    let parsed: URL | undefined;
    try { parsed = new URL(url); } catch { /* reported below */ }
    if (!parsed || !/^postgres(ql)?:$/.test(parsed.protocol)) problems.push(`--postgres / JUNGGO_POSTGRES_URL must be a postgresql:// URL, got "${url}"`);
  }
  if (pglite && url !== undefined) problems.push("--pglite and --postgres exclude each other");
  const ports = resolveUpPorts(env, problems);
  if (problems.length) throw new Error(problems.join("\n"));
  const database: UpDatabase = pglite ? { kind: "pglite" } : url !== undefined ? { kind: "external", url } : { kind: "embedded", port: ports.postgres };
  return { database, ports, help };
}
