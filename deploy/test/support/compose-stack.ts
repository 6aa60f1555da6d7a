// Runs docker-compose.yml without Docker: every service started as the file describes it — the
// same command (the image's compiled dist/ entry), the same environment (Dockerfile ENV, then the
// service's env_file and environment, interpolated), the same mounts and secrets — with compose
// hostnames mapped to 127.0.0.1, container ports to free local ports, mounted paths to local files,
// and nothing else: no inherited environment, no development default. NATS runs the mounted config
// file (its ports and paths mapped), PostgreSQL the image's contract (POSTGRES_PASSWORD, password
// authentication over TCP, the /docker-entrypoint-initdb.d scripts). Healthchecks are compose's
// own commands, pointed at the mapped ports. So whatever compose and the code disagree on fails here.
import { execFile, execFileSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { promisify } from "node:util";
import { parse } from "yaml";
import {
  freePort,
  ManagedProcess,
  natsServerBinary,
  postgresBinDir,
  REPO_ROOT,
  releasePorts,
  startPostgres,
  type PostgresServer,
} from "@junggo/devstack";

const run = promisify(execFile);

type Env = Record<string, string>;
type VolumeSpec = string | { type?: string; source?: string; target: string; read_only?: boolean };
type SecretRef = string | { source: string; target?: string };

export interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  environment?: Record<string, string | number | boolean | null> | string[];
  env_file?: string | string[];
  volumes?: VolumeSpec[];
  secrets?: SecretRef[];
  expose?: (string | number)[];
  ports?: (string | number)[];
  healthcheck?: { test: string[] | string; interval?: string; retries?: number };
  depends_on?: Record<string, { condition?: string }> | string[];
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
  secrets?: Record<string, { file?: string; environment?: string }>;
}

/** Names of the variables compose refuses to start without (`${NAME:?message}`, `${NAME?message}`). */
export function requiredVariables(text: string): string[] {
  return [...new Set([...text.matchAll(/\$\{([A-Za-z_]\w*):?\?/g)].map((m) => m[1]!))];
}

/** Compose's variable interpolation of one value. */
export function interpolate(value: string, vars: Env): string {
  return value.replace(
    /\$\$|\$\{([A-Za-z_]\w*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_]\w*)/g,
    (m, braced?: string, op?: string, arg?: string, bare?: string) => {
      if (m === "$$") return "$";
      const name = (braced ?? bare)!;
      const v = vars[name];
      const set = op?.startsWith(":") ? !!v : v !== undefined;
      if (op === ":-" || op === "-") return set ? v! : (arg ?? "");
      if (op === ":?" || op === "?") {
        if (!set) throw new Error(`docker-compose.yml needs ${name}: ${arg}`);
        return v!;
      }
      return v ?? "";
    },
  );
}

function interpolateAll<T>(node: T, vars: Env): T {
  if (typeof node === "string") return interpolate(node, vars) as T;
  if (Array.isArray(node)) return node.map((n) => interpolateAll(n, vars)) as T;
  if (node && typeof node === "object")
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, interpolateAll(v, vars)])) as T;
  return node;
}

export function loadCompose(vars: Env, root = REPO_ROOT): ComposeFile {
  const raw = parse(readFileSync(join(root, "docker-compose.yml"), "utf8"), { merge: true }) as ComposeFile;
  return interpolateAll(raw, vars);
}

/** The Dockerfile's WORKDIR and ENV (both forms: `ENV A=1 B=2` and `ENV A 1`). */
export function dockerfileImage(root = REPO_ROOT): { workdir: string; env: Env; user: string } {
  const text = readFileSync(join(root, "Dockerfile"), "utf8").replace(/\\\n/g, " ");
  const env: Env = {};
  let workdir = "/";
  let user = "root";
  for (const line of text.split("\n")) {
    const m = /^\s*(ENV|WORKDIR|USER)\s+(.*)$/i.exec(line);
    if (!m) continue;
    if (m[1]!.toUpperCase() === "USER") user = m[2]!.trim();
    else if (m[1]!.toUpperCase() === "WORKDIR") workdir = m[2]!.trim();
    else if (m[2]!.includes("="))
      for (const kv of m[2]!.match(/\S+=("[^"]*"|\S*)/g) ?? []) {
        const i = kv.indexOf("=");
        env[kv.slice(0, i)] = kv.slice(i + 1).replace(/^"|"$/g, "");
      }
    else {
      const [k, ...v] = m[2]!.trim().split(/\s+/);
      env[k!] = v.join(" ");
    }
  }
  return { workdir, env, user };
}

/** Users of the official node images, by name. */
const IMAGE_USERS: Record<string, { uid: number; gid: number }> = {
  root: { uid: 0, gid: 0 },
  node: { uid: 1000, gid: 1000 },
};

/** True when every directory above `path` lets other users through (so the image's user can read the checkout). */
function reachableByOthers(path: string): boolean {
  for (let p = resolve(path, ".."); ; p = resolve(p, "..")) {
    if ((statSync(p).mode & 0o001) === 0) return false;
    if (p === "/") return true;
  }
}

function environmentOf(svc: ComposeService): Env {
  const e = svc.environment ?? {};
  if (Array.isArray(e))
    return Object.fromEntries(
      e.map((kv) => {
        const i = kv.indexOf("=");
        return i < 0 ? [kv, ""] : [kv.slice(0, i), kv.slice(i + 1)];
      }),
    );
  return Object.fromEntries(
    Object.entries(e)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => [k, String(v)]),
  );
}

function parseEnvFile(text: string): Env {
  const env: Env = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_]\w*)\s*=\s*(.*)$/.exec(line);
    if (m) env[m[1]!] = m[2]!.replace(/^(['"])(.*)\1$/, "$2");
  }
  return env;
}

/** NATS server settings and the version (major·100 + minor) that introduced them. */
const NATS_SETTINGS_SINCE: Record<string, number> = { sync_interval: 210 };

const ALL_INTERFACES = new Set(["0.0.0.0", "::", "[::]"]);

interface Mount {
  target: string;
  local: string;
}

/** The dependency order of compose's depends_on: waves of services whose dependencies came before. */
function waves(compose: ComposeFile): string[][] {
  const deps = (n: string) => {
    const d = compose.services[n]!.depends_on ?? [];
    return Array.isArray(d) ? d : Object.keys(d);
  };
  const done = new Set<string>();
  const out: string[][] = [];
  const names = Object.keys(compose.services);
  while (done.size < names.length) {
    const wave = names.filter((n) => !done.has(n) && deps(n).every((d) => done.has(d)));
    if (!wave.length) throw new Error("docker-compose.yml: depends_on has a cycle or names no service");
    for (const n of wave) done.add(n);
    out.push(wave);
  }
  return out;
}

export class ComposeStack {
  readonly compose: ComposeFile;
  readonly image = dockerfileImage();
  private readonly ports = new Map<string, number>();
  private readonly mounts = new Map<string, Mount[]>();
  readonly processes = new Map<string, ManagedProcess>();
  postgres: PostgresServer | null = null;
  private readonly logDir: string;

  /**
   * @param dir a scratch directory: the project's untracked bind-mount sources (./secrets/...)
   *   live under `<dir>/project`, named volumes under `<dir>/volumes`, logs under `<dir>/logs`.
   * @param vars the shell environment compose interpolates from.
   */
  /**
   * The image's user (Dockerfile USER) the built services run as, when this process may switch to it
   * (root) and that user can read the checkout; null: they run as this process's user.
   */
  readonly user: { uid: number; gid: number } | null;

  constructor(
    readonly dir: string,
    readonly vars: Env,
  ) {
    this.compose = loadCompose(vars);
    const [name, group] = this.image.user.split(":");
    const known =
      IMAGE_USERS[name!] ?? (/^\d+$/.test(name!) ? { uid: Number(name), gid: Number(group ?? name) } : null);
    if (!known) throw new Error(`Dockerfile USER ${this.image.user}: unknown user id`);
    this.user = process.getuid?.() === 0 && known.uid !== 0 && reachableByOthers(REPO_ROOT) ? known : null;
    // The image's user must get through the scratch directory to the mounted files (as Docker's bind mounts would let it).
    if (this.user) chmodSync(dir, 0o711);
    this.logDir = join(dir, "logs");
    for (const name of Object.keys(this.compose.services)) this.mounts.set(name, this.mountsOf(name));
  }

  /** Where a path relative to the compose file is: the repository for tracked files, else the scratch project. */
  projectPath(source: string): string {
    const rel = relative(REPO_ROOT, resolve(REPO_ROOT, source));
    if (rel.startsWith(".."))
      throw new Error(`${source} is outside the project: this test only maps project paths`);
    const tracked = execFileSync("git", ["ls-files", "--", rel], { cwd: REPO_ROOT, encoding: "utf8" }).trim();
    return tracked ? join(REPO_ROOT, rel) : join(this.dir, "project", rel);
  }

  private mountsOf(name: string): Mount[] {
    const svc = this.compose.services[name]!;
    const mounts: Mount[] = [];
    for (const v of svc.volumes ?? []) {
      let source: string | undefined;
      let target: string;
      let bind: boolean;
      if (typeof v === "string") {
        const parts = v.split(":");
        if (parts.length === 1) continue; // an anonymous volume
        [source, target] = [parts[0]!, parts[1]!];
        bind = source.startsWith(".") || source.startsWith("/");
      } else {
        ({ source, target } = v);
        bind = v.type === "bind";
        if (!source) continue;
      }
      const local = bind ? this.projectPath(source!) : join(this.dir, "volumes", source!);
      if (!bind) mkdirSync(local, { recursive: true });
      mounts.push({ target, local });
    }
    for (const s of svc.secrets ?? []) {
      const source = typeof s === "string" ? s : s.source;
      const target = (typeof s === "string" ? undefined : s.target) ?? source;
      const def = this.compose.secrets?.[source];
      if (!def?.file)
        throw new Error(`service ${name}: secret ${source} has no file (only file secrets are mapped)`);
      mounts.push({
        target: target.startsWith("/") ? target : `/run/secrets/${target}`,
        local: this.projectPath(def.file),
      });
    }
    return mounts.sort((a, b) => b.target.length - a.target.length);
  }

  /** The local path of a path inside service `name`'s container (its mounts, else the image's WORKDIR). */
  localPath(name: string, containerPath: string): string | null {
    for (const m of this.mounts.get(name) ?? [])
      if (containerPath === m.target || containerPath.startsWith(`${m.target}/`))
        return m.local + containerPath.slice(m.target.length);
    const wd = this.image.workdir.replace(/\/$/, "");
    if (this.isBuilt(name) && containerPath.startsWith(`${wd}/`))
      return join(REPO_ROOT, containerPath.slice(wd.length + 1));
    return null;
  }

  isBuilt(name: string): boolean {
    return this.compose.services[name]!.build !== undefined;
  }

  /** The local port standing for `port` of service `name` (one per pair, taken on first use). */
  async portFor(name: string, port: number): Promise<number> {
    if (!this.compose.services[name]) throw new Error(`no service ${name} in docker-compose.yml`);
    const key = `${name}:${port}`;
    let local = this.ports.get(key);
    if (local === undefined) {
      local = await freePort();
      this.ports.set(key, local);
    }
    return local;
  }

  /** The ports service `name` says it offers: `expose` and the container side of `ports`. */
  declaredPorts(name: string): number[] {
    const svc = this.compose.services[name]!;
    const container = (p: string | number) => Number(String(p).split(":").at(-1)!.split("/")[0]);
    return [...(svc.expose ?? []).map(container), ...(svc.ports ?? []).map(container)];
  }

  /** A value as the process sees it here: hosts, ports and mounted paths mapped. */
  private async mapValue(name: string, key: string, value: string): Promise<string> {
    if (key === "PORT") return String(await this.portFor(name, Number(value)));
    if (key === "HOST") {
      // Inside a container, other services reach this one only on all interfaces.
      if (!ALL_INTERFACES.has(value))
        throw new Error(`${name}: HOST=${value} would not be reachable from other containers`);
      return "127.0.0.1";
    }
    let out = value;
    for (const m of value.matchAll(/(?<=\/\/|@)([a-z0-9_-]+):(\d+)/gi)) {
      const [hostPort, host, port] = m as unknown as [string, string, string];
      if (!this.compose.services[host]) continue;
      if (this.isBuilt(host) && !this.declaredPorts(host).includes(Number(port)))
        throw new Error(`${name}: ${key} points at ${hostPort}, a port ${host} does not expose`);
      out = out.replace(hostPort, `127.0.0.1:${await this.portFor(host, Number(port))}`);
    }
    const bare = /\/\/([a-z0-9_-]+)(?=[/?#]|$)/i.exec(out);
    if (bare && this.compose.services[bare[1]!])
      throw new Error(`${name}: ${key}=${value} names ${bare[1]} without a port; give the port explicitly`);
    if (out.startsWith("/")) return this.localPath(name, out) ?? out;
    return out;
  }

  /** The full environment of service `name`'s process (as `docker compose exec <name>` has it). */
  async env(name: string): Promise<Env> {
    const svc = this.compose.services[name]!;
    const files = svc.env_file === undefined ? [] : [svc.env_file].flat();
    const merged: Env = {
      ...(this.isBuilt(name) ? this.image.env : {}),
      ...Object.assign({}, ...files.map((f) => parseEnvFile(readFileSync(this.projectPath(f), "utf8")))),
      ...environmentOf(svc),
    };
    const out: Env = {};
    for (const [k, v] of Object.entries(merged)) out[k] = await this.mapValue(name, k, v);
    return out;
  }

  /** The environment compose gives service `name`, before any mapping. */
  composeEnv(name: string): Env {
    return { ...(this.isBuilt(name) ? this.image.env : {}), ...environmentOf(this.compose.services[name]!) };
  }

  /** Files and directories the environment of `name` names that must exist before it starts (mounted secrets). */
  async mountedPaths(name: string): Promise<{ variable: string; local: string }[]> {
    const out: { variable: string; local: string }[] = [];
    for (const [k, v] of Object.entries(environmentOf(this.compose.services[name]!)))
      if (v.startsWith("/")) {
        const local = this.localPath(name, v);
        if (local && !local.startsWith(REPO_ROOT)) out.push({ variable: k, local });
      }
    return out;
  }

  private healthcheckArgv(name: string): string[] | null {
    const hc = this.compose.services[name]!.healthcheck;
    if (!hc) return null;
    const t = hc.test;
    if (typeof t === "string") return ["sh", "-c", t];
    if (t[0] === "CMD") return t.slice(1);
    if (t[0] === "CMD-SHELL") return ["sh", "-c", t[1]!];
    if (t[0] === "NONE") return null;
    return t;
  }

  /** Compose's healthcheck of `name`, its ports mapped: inside the container, 127.0.0.1 is the service itself. */
  async healthcheck(name: string): Promise<{ ok: boolean; detail: string }> {
    const argv = this.healthcheckArgv(name);
    if (!argv) return { ok: true, detail: "no healthcheck" };
    const mapped: string[] = [];
    for (const a of argv) {
      let s = a;
      for (const m of a.matchAll(/\b(127\.0\.0\.1|localhost):(\d+)/g))
        s = s.replace(m[0], `127.0.0.1:${await this.portFor(name, Number(m[2]))}`);
      mapped.push(s);
    }
    const [cmd, ...args] = mapped as [string, ...string[]];
    try {
      if (cmd === "wget" || cmd === "curl") {
        const url = args.find((a) => /^https?:\/\//.test(a));
        if (!url) return { ok: false, detail: `no URL in ${argv.join(" ")}` };
        const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
        return { ok: res.ok, detail: `${url}: HTTP ${res.status}` };
      }
      if (cmd === "pg_isready") {
        const bin = join(postgresBinDir()!, "pg_isready");
        const port = await this.portFor(name, 5432);
        await run(bin, [...args, "-h", "127.0.0.1", "-p", String(port)], { timeout: 10_000 });
        return { ok: true, detail: "pg_isready" };
      }
      if (cmd !== "node")
        return { ok: false, detail: `healthcheck command ${cmd} is not mapped by this test` };
      await run(process.execPath, args, { timeout: 10_000 });
      return { ok: true, detail: mapped.join(" ") };
    } catch (err) {
      return { ok: false, detail: `${mapped.join(" ")}: ${(err as Error).message.split("\n")[0]}` };
    }
  }

  /** A URL the healthcheck calls (mapped), to poll in-process while waiting; null when it calls none. */
  private async healthUrl(name: string): Promise<string | null> {
    const argv = this.healthcheckArgv(name);
    const m = argv?.join(" ").match(/https?:\/\/(?:127\.0\.0\.1|localhost):(\d+)[^'"\s)]*/);
    if (!m) return null;
    return m[0].replace(/\/\/[^/]+/, `//127.0.0.1:${await this.portFor(name, Number(m[1]))}`);
  }

  private async waitHealthy(name: string, proc: ManagedProcess | null, timeoutMs = 180_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    const url = await this.healthUrl(name);
    let last = "no answer";
    while (Date.now() < until) {
      if (proc && !proc.running)
        throw new Error(
          `${name} exited (code ${proc.child?.exitCode}) before it was healthy:\n${this.logTail(name)}`,
        );
      if (url) {
        // Polled in-process (cheap); compose's own command is run once it answers.
        const ok = await fetch(url, { signal: AbortSignal.timeout(5000) }).then(
          (r) => r.ok,
          () => false,
        );
        if (!ok) {
          last = `${url} not ok`;
          await new Promise((r) => setTimeout(r, 300));
          continue;
        }
      }
      const hc = await this.healthcheck(name);
      if (hc.ok) return;
      last = hc.detail;
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(
      `${name} is not healthy after ${timeoutMs} ms (last check: ${last})\n${this.logTail(name)}`,
    );
  }

  logTail(name: string, lines = 30): string {
    const file = join(this.logDir, `${name}.log`);
    return existsSync(file) ? readFileSync(file, "utf8").split("\n").slice(-lines).join("\n") : "(no log)";
  }

  private async startPostgres(name: string): Promise<void> {
    const env = environmentOf(this.compose.services[name]!);
    const user = env.POSTGRES_USER || "postgres";
    if (user !== "postgres") throw new Error("only POSTGRES_USER=postgres is mapped by this test");
    const password = env.POSTGRES_PASSWORD;
    if (!password && env.POSTGRES_HOST_AUTH_METHOD !== "trust")
      throw new Error("the postgres image refuses to start without POSTGRES_PASSWORD");
    const server = await startPostgres({
      // Where the test setup keeps its clusters: a root user `postgres` can reach (not a 0700 mkdtemp).
      dataRoot: join(tmpdir(), "junggo-test-pg"),
      port: await this.portFor(name, 5432),
    });
    if (!server)
      throw new Error("PostgreSQL server binaries not found (apt-get install postgresql, or set PGBIN)");
    this.postgres = server;
    const psql = (...args: string[]) =>
      run(join(postgresBinDir()!, "psql"), [
        "-v",
        "ON_ERROR_STOP=1",
        "-h",
        "127.0.0.1",
        "-p",
        String(server.port),
        "-U",
        "postgres",
        "-d",
        "postgres",
        ...args,
      ]);
    // The image's first start: the superuser's password, then the init scripts in name order.
    if (password) await psql("-c", `ALTER USER postgres PASSWORD '${password.replace(/'/g, "''")}'`);
    const scripts: string[] = [];
    for (const m of this.mounts.get(name) ?? []) {
      if (!m.target.startsWith("/docker-entrypoint-initdb.d")) continue;
      if (statSync(m.local).isDirectory())
        scripts.push(
          ...readdirSync(m.local)
            .sort()
            .map((f) => join(m.local, f)),
        );
      else scripts.push(m.local);
    }
    for (const s of scripts) {
      if (!s.endsWith(".sql")) throw new Error(`init script ${s}: only .sql files are mapped by this test`);
      await psql("-f", s);
    }
    if (password) {
      // Like the image: password authentication for every TCP connection.
      const hba = join(server.dataDir, "pg_hba.conf");
      writeFileSync(
        hba,
        "local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\nhost all all ::1/128 scram-sha-256\n",
      );
      await psql("-c", "SELECT pg_reload_conf()");
    }
  }

  /** An admin URL of the PostgreSQL service (with the password compose gives it). */
  postgresUrl(database = "postgres"): string {
    const name = Object.keys(this.compose.services).find((n) =>
      this.compose.services[n]!.image?.startsWith("postgres"),
    )!;
    const pw = environmentOf(this.compose.services[name]!).POSTGRES_PASSWORD ?? "";
    return `postgresql://postgres:${encodeURIComponent(pw)}@127.0.0.1:${this.postgres!.port}/${database}`;
  }

  private async startNats(name: string): Promise<ManagedProcess> {
    const svc = this.compose.services[name]!;
    const command = typeof svc.command === "string" ? svc.command.split(/\s+/) : (svc.command ?? []);
    const args: string[] = [];
    for (const a of command) {
      const local = a.startsWith("/") ? this.localPath(name, a) : null;
      if (local && /\.conf$/.test(a)) args.push(await this.mapNatsConfig(name, local));
      else args.push(local ?? a);
    }
    const proc = new ManagedProcess({
      name,
      command: natsServerBinary(),
      args: [...args, "-a", "127.0.0.1"],
      env: await this.env(name),
      cwd: this.dir,
      logFile: join(this.logDir, `${name}.log`),
      inheritEnv: false,
    });
    // Known before it runs, so a failed start elsewhere still stops it.
    this.processes.set(name, proc);
    await proc.start();
    return proc;
  }

  /**
   * A copy of a mounted NATS config with its ports and the container's mounted paths mapped. Settings
   * newer than the local nats-server (Debian's 2.9 on the build machines; the image pins a current
   * one, see docker-compose.test.ts) are left out, and only those.
   */
  private async mapNatsConfig(name: string, local: string): Promise<string> {
    let text = readFileSync(local, "utf8");
    const version = /v?(\d+)\.(\d+)/.exec(
      execFileSync(natsServerBinary(), ["--version"], { encoding: "utf8" }),
    );
    const localVersion = version ? Number(version[1]) * 100 + Number(version[2]) : 0;
    for (const [setting, since] of Object.entries(NATS_SETTINGS_SINCE))
      if (localVersion < since) text = text.replace(new RegExp(`^\\s*${setting}\\s*[:=].*$`, "gm"), "");
    const ports = [...text.matchAll(/^(\s*(?:port|http_port|http|monitor_port)\s*[:=]\s*)(\d+)\s*$/gm)];
    for (const m of ports) text = text.replace(m[0], `${m[1]}${await this.portFor(name, Number(m[2]))}`);
    for (const m of this.mounts.get(name) ?? [])
      text = text.replace(
        new RegExp(`(?<=[\\s:"'=])${m.target.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?=[/\\s"']|$)`, "gm"),
        m.local,
      );
    const out = join(this.dir, "nats-config", relative("/", local));
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, text);
    return out;
  }

  private async startBuilt(name: string): Promise<ManagedProcess> {
    const svc = this.compose.services[name]!;
    const command = typeof svc.command === "string" ? svc.command.split(/\s+/) : svc.command;
    if (command?.[0] !== "node")
      throw new Error(`${name}: only \`node ...\` commands are mapped by this test`);
    const script = command.slice(1).find((a) => !a.startsWith("-"));
    if (!script || !existsSync(join(REPO_ROOT, script)))
      throw new Error(`${name}: ${script} does not exist (packages/devstack/build.mjs builds dist/)`);
    const port = Number(this.composeEnv(name).PORT);
    if (!this.declaredPorts(name).includes(port))
      throw new Error(
        `${name} listens on PORT ${port}, which it does not expose (${this.declaredPorts(name).join(", ")})`,
      );
    for (const { variable, local } of await this.mountedPaths(name))
      if (!existsSync(local))
        throw new Error(
          `${name}: ${variable} names a mounted path nobody provisioned (${local}); teach the test its recipe`,
        );
    const proc = new ManagedProcess({
      name,
      command: process.execPath,
      args: command.slice(1),
      // The base image's PATH; everything else comes from the Dockerfile and compose.
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...(await this.env(name)) },
      cwd: REPO_ROOT,
      logFile: join(this.logDir, `${name}.log`),
      inheritEnv: false,
      ...this.user,
    });
    // Known before it runs, so a failed start elsewhere still stops it.
    this.processes.set(name, proc);
    await proc.start();
    return proc;
  }

  /** Starts every service in depends_on order, each wave waiting for its healthchecks. */
  async start(): Promise<void> {
    mkdirSync(this.logDir, { recursive: true });
    for (const wave of waves(this.compose)) {
      // Settled, not raced: a failure must not leave a sibling starting after stop() has run.
      const started = await Promise.allSettled(
        wave.map(async (name) => {
          const svc = this.compose.services[name]!;
          let proc: ManagedProcess | null = null;
          if (this.isBuilt(name)) proc = await this.startBuilt(name);
          else if (svc.image?.startsWith("nats")) proc = await this.startNats(name);
          else if (svc.image?.startsWith("postgres")) await this.startPostgres(name);
          else throw new Error(`${name}: image ${svc.image} is not mapped by this test`);
          await this.waitHealthy(name, proc);
        }),
      );
      const failed = started.find((r) => r.status === "rejected");
      if (failed) throw failed.reason;
    }
  }

  async stop(): Promise<void> {
    const order = waves(this.compose).reverse();
    for (const wave of order)
      await Promise.all(
        wave.map((n) =>
          this.processes
            .get(n)
            ?.stop()
            .catch(() => {}),
        ),
      );
    await this.postgres?.stop().catch(() => {});
    releasePorts(this.ports.values());
  }
}
