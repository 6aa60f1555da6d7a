import { existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { PortPlan } from "./up-args.ts";
import {
  createLogger,
  createPostgresDatabase,
  dropPostgresDatabase,
  EventBus,
  ensurePostgresDatabase,
  ensureKeyFile,
  NATS_ADMIN_USER,
  SUBGRAPH_NAMES,
  type ContextName,
  type NatsCredentials,
} from "@junggo/runtime";
import { natsPasswordsFor, natsProcess, type NatsPasswords } from "./nats.ts";
import { freePort, releasePorts } from "./ports.ts";
import { ManagedProcess } from "./process.ts";

export const SUBGRAPHS = SUBGRAPH_NAMES;

/**
 * V8 flags of every subgraph process, on its command line here, in docker-compose.yml and so in
 * Kubernetes (a test keeps them equal). A 1 MB young-generation semi-space instead of V8's 16 MB:
 * ~20 MB less per idle subgraph and lower peaks, at no CPU cost measurable in a subgraph on
 * PostgreSQL. Not the gateway: it allocates the most per request, and the cap cost it ~20% more CPU
 * in the benchmark for no lower peak. Not a subgraph with embedded PGlite (no DATABASE_URL): the
 * database inside the process allocates so much that the cap cost ~50% more CPU per purchase
 * (docs/benchmarks.md).
 */
export const SUBGRAPH_NODE_FLAGS = ["--max-semi-space-size=1"] as const;
export type SubgraphName = ContextName;
export type ServiceName = SubgraphName | "gateway";

export const REPO_ROOT = resolve(fileURLToPath(new URL("../../..", import.meta.url)));

export interface StackOptions {
  /** Directory for this stack's data and logs (PGlite dirs, NATS store, *.log). */
  dataRoot: string;
  /** Given ports (the run command: `resolveUpPorts`) or free ports (tests). */
  ports: PortPlan | "free";
  seedDemo?: boolean;
  /** Environment for every service. */
  env?: Record<string, string>;
  /** Extra environment per service. */
  serviceEnv?: Partial<Record<ServiceName, Record<string, string>>>;
  /** Admin URL of a PostgreSQL server: each context then gets its own fresh database there instead of PGlite. */
  postgresUrl?: string;
  /**
   * With `postgresUrl`: one database per context named `junggo_<context>`, created when missing
   * and kept when the stack stops (`npm run up`), instead of fresh ones dropped at the end.
   */
  keepDatabases?: boolean;
  /**
   * Processes per context (default 1). Extra replicas share the first one's database (so they need
   * `postgresUrl`), NATS and environment, each on its own port with its own DATA_DIR and log
   * (`<name>-2.log`...), and never seed. They start once the first replica is healthy (it migrated
   * and seeded); the gateway keeps routing to the first replica, the others compete for the
   * context's durable consumer and run their own outbox relay.
   */
  replicas?: Partial<Record<SubgraphName, number>>;
  echo?: boolean;
}

/** The whole system as real OS processes: NATS, every subgraph, the gateway. */
export class Stack {
  readonly services = new Map<ServiceName, ManagedProcess>();
  nats!: ManagedProcess;
  natsUrl = "";
  /** NATS monitoring endpoint (http://…: /varz, /subsz, /connz). */
  natsMonitorUrl = "";
  /**
   * Passwords of the NATS users (deploy/nats-auth.conf), random per data directory and kept in
   * `<dataRoot>/nats-passwords.json`; each service gets its own context's user.
   */
  natsPasswords!: NatsPasswords;
  gatewayUrl = "";
  /** The access-token key file identity signs with (tests sign their own tokens with it; `npm run keys` rotates it). */
  jwtKeysFile = "";
  readonly ports = new Map<ServiceName, number>();
  /** Replicas 2..n of each context started with `replicas` (the first is in `services`). */
  private readonly extras = new Map<SubgraphName, ManagedProcess[]>();
  private databases: string[] = [];
  /** Ports taken with `freePort` for this stack, given back when it stops. */
  private reserved: number[] = [];

  private constructor(readonly opts: StackOptions) {}

  static async start(opts: StackOptions): Promise<Stack> {
    const stack = new Stack(opts);
    try {
      await stack.boot();
    } catch (err) {
      await stack.stop().catch(() => {});
      throw err;
    }
    return stack;
  }

  private async port(name: ServiceName): Promise<number> {
    return this.opts.ports === "free" ? this.reservedPort() : this.opts.ports[name];
  }

  /** A free port kept for this stack until it stops (restarted processes get theirs back). */
  private async reservedPort(): Promise<number> {
    const port = await freePort();
    this.reserved.push(port);
    return port;
  }

  private async boot(): Promise<void> {
    const { dataRoot } = this.opts;
    const replicas = this.replicaCounts();
    const logDir = join(dataRoot, "logs");
    mkdirSync(logDir, { recursive: true });
    const plan = this.opts.ports;
    const natsPort = plan === "free" ? await this.reservedPort() : plan.nats;
    const natsHttp = plan === "free" ? await this.reservedPort() : plan.natsMonitor;
    this.natsPasswords = natsPasswordsFor(join(dataRoot, "nats-passwords.json"));
    this.nats = natsProcess({
      port: natsPort,
      httpPort: natsHttp,
      dataDir: join(dataRoot, "nats"),
      logDir,
      passwords: this.natsPasswords,
      echo: this.opts.echo,
    });
    this.natsUrl = `nats://127.0.0.1:${natsPort}`;
    this.natsMonitorUrl = `http://127.0.0.1:${natsHttp}`;
    await this.nats.start();
    await this.prepareStream();

    for (const name of [...SUBGRAPHS, "gateway"] as const) this.ports.set(name, await this.port(name));
    this.jwtKeysFile = join(dataRoot, "jwt-keys.json");
    await ensureKeyFile(this.jwtKeysFile);
    const dbUrls = this.opts.postgresUrl ? await this.createDatabases(this.opts.postgresUrl) : undefined;

    // <CONTEXT>_URL of every subgraph (purchase calls billing; dashboard reads every context's dead letters).
    const contextUrls = Object.fromEntries(
      SUBGRAPHS.map((n) => [`${n.toUpperCase()}_URL`, `http://127.0.0.1:${this.ports.get(n)}`]),
    );
    for (const name of SUBGRAPHS) {
      const env: Record<string, string> = {
        PORT: String(this.ports.get(name)),
        NATS_URL: this.natsUrl,
        NATS_USER: name,
        NATS_PASSWORD: this.natsPasswords[name],
        DATA_DIR: join(dataRoot, name),
        SEED_DEMO: this.opts.seedDemo ? "1" : "0",
        ...contextUrls,
        JWT_KEYS_FILE: this.jwtKeysFile,
        ...(dbUrls ? { DATABASE_URL: dbUrls[name] } : {}),
        ...this.opts.env,
        ...this.opts.serviceEnv?.[name],
      };
      const flags = env.DATABASE_URL ? SUBGRAPH_NODE_FLAGS : [];
      this.services.set(name, this.nodeProcess(name, `subgraphs/${name}/dist/main.js`, env, logDir, flags));
      const extras: ManagedProcess[] = [];
      for (let i = 2; i <= replicas[name]; i++) {
        // Last, so neither `env` nor `serviceEnv` can put two replicas on one port or directory, or seed twice.
        const own = {
          PORT: String(await this.reservedPort()),
          DATA_DIR: join(dataRoot, `${name}-${i}`),
          SEED_DEMO: "0",
        };
        extras.push(
          this.nodeProcess(
            `${name}-${i}`,
            `subgraphs/${name}/dist/main.js`,
            { ...env, ...own },
            logDir,
            flags,
          ),
        );
      }
      if (extras.length) this.extras.set(name, extras);
    }
    const gwEnv: Record<string, string> = {
      PORT: String(this.ports.get("gateway")),
      ...this.opts.env,
      ...this.opts.serviceEnv?.gateway,
    };
    for (const name of SUBGRAPHS)
      gwEnv[`SUBGRAPH_URL_${name.toUpperCase()}`] = `http://127.0.0.1:${this.ports.get(name)}/graphql`;
    this.services.set("gateway", this.nodeProcess("gateway", "gateway/dist/main.js", gwEnv, logDir));
    this.gatewayUrl = `http://127.0.0.1:${this.ports.get("gateway")}/graphql`;

    await Promise.all(SUBGRAPHS.map((n) => this.services.get(n)!.start(120_000)));
    // The first replica of each context has migrated its database and seeded it: the others only join.
    await Promise.all([
      this.services.get("gateway")!.start(60_000),
      ...[...this.extras.values()].flat().map((p) => p.start(120_000)),
    ]);
  }

  /** Validated `replicas` option: a positive integer per context, more than 1 only on PostgreSQL. */
  private replicaCounts(): Record<SubgraphName, number> {
    const counts = Object.fromEntries(SUBGRAPHS.map((n) => [n, 1])) as Record<SubgraphName, number>;
    for (const [name, n] of Object.entries(this.opts.replicas ?? {})) {
      if (!(SUBGRAPHS as readonly string[]).includes(name))
        throw new Error(`replicas: unknown context "${name}"`);
      if (n === undefined) continue;
      if (!Number.isInteger(n) || n < 1)
        throw new Error(`replicas.${name} must be a positive integer, got ${n}`);
      if (n > 1 && !this.opts.postgresUrl) {
        throw new Error(
          `replicas.${name} = ${n} needs postgresUrl: replicas must share one database, and PGlite is embedded in a single process`,
        );
      }
      counts[name as SubgraphName] = n;
    }
    return counts;
  }

  /** Every process of a context: the first replica (the one the gateway routes to), then the extras. */
  replicasOf(name: SubgraphName): ManagedProcess[] {
    return [this.service(name), ...(this.extras.get(name) ?? [])];
  }

  /** HTTP ports of `replicasOf(name)`, in the same order. */
  replicaPorts(name: SubgraphName): number[] {
    return this.replicasOf(name).map((p) => Number(p.spec.env.PORT));
  }

  /** A service compiled by packages/devstack/build.mjs (`npm run up` and `npm test` build first). */
  private nodeProcess(
    name: string,
    entry: string,
    env: Record<string, string>,
    logDir: string,
    flags: readonly string[] = [],
  ): ManagedProcess {
    const file = join(REPO_ROOT, entry);
    if (!existsSync(file))
      throw new Error(`${entry} is missing: build the services first (node packages/devstack/build.mjs)`);
    return new ManagedProcess({
      name,
      command: process.execPath,
      args: ["--enable-source-maps", ...flags, file],
      // Two malloc arenas: glibc's default (8 per core) keeps the memory of scrypt and other
      // thread-pool work in per-thread arenas long after it is freed.
      env: { NODE_ENV: process.env.NODE_ENV ?? "development", MALLOC_ARENA_MAX: "2", ...env },
      cwd: REPO_ROOT,
      logFile: join(logDir, `${name}.log`),
      healthUrl: `http://127.0.0.1:${env.PORT}/healthz`,
      echo: this.opts.echo,
    });
  }

  private async createDatabases(adminUrl: string): Promise<Record<SubgraphName, string>> {
    const urls = {} as Record<SubgraphName, string>;
    if (this.opts.keepDatabases) {
      for (const name of SUBGRAPHS) urls[name] = await ensurePostgresDatabase(adminUrl, `junggo_${name}`);
      return urls;
    }
    const suffix = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    for (const name of SUBGRAPHS) {
      const db = `junggo_${name}_${suffix}`;
      urls[name] = await createPostgresDatabase(adminUrl, db);
      this.databases.push(db);
    }
    return urls;
  }

  /**
   * Creates the event stream, or widens one made before a context existed (a data directory from an
   * older checkout): a context's own NATS user may not change the stream, the administrator may,
   * as `npm run nats -- stream` does for a production server.
   */
  private async prepareStream(): Promise<void> {
    const bus = new EventBus(this.natsUrl, "devstack", createLogger("devstack"), this.natsAdmin);
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        bus.ready,
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error("the event stream was not ready within 30 s")), 30_000);
        }),
      ]);
    } finally {
      clearTimeout(timer);
      await bus.close();
    }
  }

  /** The NATS administrator (every permission): for tests and tools that read or write the stream directly. */
  get natsAdmin(): NatsCredentials {
    return { user: NATS_ADMIN_USER, pass: this.natsPasswords[NATS_ADMIN_USER] };
  }

  /** Connection options of a NATS user on this stack's server (nats.js `connect`). */
  natsOptions(user: NatsCredentials = this.natsAdmin): { servers: string; user: string; pass: string } {
    return { servers: this.natsUrl, user: user.user, pass: user.pass };
  }

  service(name: ServiceName): ManagedProcess {
    const s = this.services.get(name);
    if (!s) throw new Error(`no service ${name}`);
    return s;
  }

  async stop(): Promise<void> {
    const gw = this.services.get("gateway");
    if (gw) await gw.stop();
    await Promise.all([
      ...SUBGRAPHS.map((n) => this.services.get(n)?.stop()),
      ...[...this.extras.values()].flat().map((p) => p.stop()),
    ]);
    await this.nats?.stop();
    const adminUrl = this.opts.postgresUrl;
    if (adminUrl) for (const db of this.databases) await dropPostgresDatabase(adminUrl, db).catch(() => {});
    releasePorts(this.reserved.splice(0));
  }
}
