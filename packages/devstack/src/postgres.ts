import { execFile, execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { freePort, releasePorts } from "./ports.ts";

const run = promisify(execFile);

/** A private PostgreSQL cluster started by `startPostgres`. */
export interface PostgresServer {
  /**
   * Admin URL (superuser `postgres`, trust auth), e.g. for `StackOptions.postgresUrl`: through the
   * cluster's Unix socket when its path fits the kernel's limit, else `tcpUrl` (see `localUrl`).
   */
  url: string;
  /** The same over TCP on 127.0.0.1 (what other tools and people on this machine use). */
  tcpUrl: string;
  port: number;
  /** The cluster's data directory (also holds its socket and server.log). */
  dataDir: string;
  /** Fast shutdown (`pg_ctl -m fast`), then removes the data directory unless persistent. Idempotent. */
  stop(): Promise<void>;
}

/**
 * The directory of the PostgreSQL server binaries: $PGBIN, else the newest
 * /usr/lib/postgresql/<version>/bin that has initdb; null when none is installed.
 */
export function postgresBinDir(): string | null {
  const fromEnv = process.env.PGBIN;
  if (fromEnv) return existsSync(join(fromEnv, "initdb")) ? fromEnv : null;
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, "bin", "initdb")))
    .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  const newest = versions.at(-1);
  return newest ? join(root, newest, "bin") : null;
}

const isRoot = () => typeof process.getuid === "function" && process.getuid() === 0;

/** The server refuses to run as root: as root, every server command runs as user `postgres` (as .ci/run does). */
function asPostgres(bin: string, args: string[]): [string, string[]] {
  return isRoot() ? ["runuser", ["-u", "postgres", "--", bin, ...args]] : [bin, args];
}

function postgresIds(): { uid: number; gid: number } {
  const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
  const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
  if (!Number.isInteger(uid) || !Number.isInteger(gid))
    throw new Error("no `postgres` user to run the PostgreSQL server as");
  return { uid, gid };
}

export interface StartPostgresOptions {
  /** Parent directory of the cluster (created if missing). */
  dataRoot: string;
  port?: number;
  /**
   * Keep the cluster in `<dataRoot>/postgres` (or `dataDir`) across runs (`npm run up`): initdb only the first
   * time, data kept on stop, a server left running by a killed run is stopped and restarted.
   * Without it the cluster is throw-away (tests, benchmarks): a new directory, removed on stop.
   */
  persistent?: boolean;
  /** With `persistent`: the cluster's own directory instead of `<dataRoot>/postgres`. */
  dataDir?: string;
  /** Extra `-c name=value` server settings. */
  settings?: Record<string, string | number>;
}

const tcpUrl = (port: number) => `postgresql://postgres@127.0.0.1:${port}/postgres`;

/** sun_path holds 108 bytes with its terminating NUL (Linux); PostgreSQL refuses longer paths. */
const MAX_SOCKET_PATH = 107;

/**
 * The URL processes on this machine use: the cluster's Unix socket in `socketDir` (`-k`), which the
 * server keeps next to its TCP port. A statement through it costs client and server about a fifth
 * less CPU than through loopback TCP (`npm run bench:pg-socket`), and a purchase is some sixty
 * statements. TCP when the socket's path would be too long for the kernel.
 */
export function localUrl(socketDir: string, port: number): string {
  if (Buffer.byteLength(join(socketDir, `.s.PGSQL.${port}`)) > MAX_SOCKET_PATH) return tcpUrl(port);
  return `${tcpUrl(port)}?host=${encodeURIComponent(socketDir)}`;
}

/**
 * Starts a PostgreSQL cluster from the system's server binaries: trust auth for user `postgres`,
 * listening on 127.0.0.1 and a socket in the data directory, room for many connections (every
 * service replica has a pool), small shared buffers. A throw-away cluster runs without
 * durability (fsync off); a persistent one keeps fsync and only lets commits return before their
 * WAL reaches the disk (synchronous_commit off: a power cut may lose the last few hundred
 * milliseconds of commits, never corrupt the data). Returns null when no server binaries are
 * installed (apt-get install postgresql, or set PGBIN).
 */
export async function startPostgres(opts: StartPostgresOptions): Promise<PostgresServer | null> {
  const bin = postgresBinDir();
  if (!bin) return null;
  const dataRoot = resolve(opts.dataRoot);
  const persistent = !!opts.persistent;
  const createdRoot = !existsSync(dataRoot);
  // 0755: as root the server runs as `postgres`, which must be able to reach its directory.
  mkdirSync(dataRoot, { recursive: true, mode: 0o755 });
  const dataDir = persistent
    ? resolve(opts.dataDir ?? join(dataRoot, "postgres"))
    : mkdtempSync(join(dataRoot, "pg-"));
  const fresh = !existsSync(join(dataDir, "PG_VERSION"));
  const cleanup = () => {
    if (persistent) return;
    rmSync(dataDir, { recursive: true, force: true });
    if (createdRoot) {
      try {
        if (readdirSync(dataRoot).length === 0) rmSync(dataRoot, { recursive: true, force: true });
      } catch {
        /* already gone */
      }
    }
  };
  if (fresh) {
    try {
      mkdirSync(dataDir, { recursive: true, mode: 0o700 });
      if (isRoot()) {
        const { uid, gid } = postgresIds();
        chownSync(dataDir, uid, gid);
        const blocked = unreachableAncestor(dataDir);
        if (blocked)
          throw new Error(
            `user postgres cannot reach ${dataDir}: ${blocked} is not traversable by others (chmod o+x it, or choose another data directory)`,
          );
      }
      await run(
        ...asPostgres(join(bin, "initdb"), [
          "-D",
          dataDir,
          "-A",
          "trust",
          "-U",
          "postgres",
          "-E",
          "UTF8",
          "--no-locale",
          ...(persistent ? [] : ["--no-sync"]),
        ]),
      );
    } catch (err) {
      cleanup();
      throw new Error(`initdb failed: ${(err as Error).message}`);
    }
  }

  const pgCtl = join(bin, "pg_ctl");
  if (persistent) {
    // A server left behind by a run that was killed: stop it, then start with this run's settings.
    const [cmd, args] = asPostgres(pgCtl, ["-D", dataDir, "status"]);
    if (
      await run(cmd, args).then(
        () => true,
        () => false,
      )
    )
      await run(...asPostgres(pgCtl, ["-D", dataDir, "-m", "fast", "-w", "stop"])).catch(() => {});
  }
  const port = opts.port ?? (await freePort());
  const logFile = join(dataDir, "server.log");
  const settings: Record<string, string | number> = {
    listen_addresses: "127.0.0.1",
    max_connections: 400,
    shared_buffers: "32MB",
    synchronous_commit: "off",
    ...(persistent ? {} : { fsync: "off", full_page_writes: "off" }),
    ...opts.settings,
  };
  const serverOpts = [
    `-p ${port}`,
    `-k ${dataDir}`,
    ...Object.entries(settings).map(([k, v]) => `-c ${k}=${v}`),
  ].join(" ");
  let stopped = false;
  const stopSync = () => {
    // The process is exiting without stop(): do not leave a server behind.
    if (stopped) return;
    stopped = true;
    try {
      const [cmd, args] = asPostgres(pgCtl, [
        "-D",
        dataDir,
        "-m",
        persistent ? "fast" : "immediate",
        "-w",
        "stop",
      ]);
      execFileSync(cmd, args, { stdio: "ignore" });
    } catch {
      /* not running */
    }
    cleanup();
  };
  try {
    await run(
      ...asPostgres(pgCtl, ["-D", dataDir, "-l", logFile, "-w", "-t", "60", "-o", serverOpts, "start"]),
    );
  } catch (err) {
    const log = existsSync(logFile) ? readFileSync(logFile, "utf8").split("\n").slice(-15).join("\n") : "";
    stopSync();
    throw new Error(`PostgreSQL did not start on port ${port}: ${(err as Error).message}\n${log}`);
  }
  process.once("exit", stopSync);

  return {
    url: localUrl(dataDir, port),
    tcpUrl: tcpUrl(port),
    port,
    dataDir,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      process.removeListener("exit", stopSync);
      try {
        await run(...asPostgres(pgCtl, ["-D", dataDir, "-m", "fast", "-w", "-t", "60", "stop"]));
      } catch {
        // A fast shutdown that did not finish: do not leave the server running.
        const [cmd, args] = asPostgres(pgCtl, ["-D", dataDir, "-m", "immediate", "-w", "stop"]);
        await run(cmd, args).catch(() => {});
      }
      cleanup();
      if (opts.port === undefined) releasePorts([port]);
    },
  };
}

/**
 * Where a persistent cluster for `dataRoot` can live: `<dataRoot>/postgres`, unless the server must
 * run as user `postgres` (we are root) and cannot reach that directory (a checkout under /root,
 * say): then a directory of its own under /var/tmp, the same one for the same `dataRoot` every time.
 */
export function persistentClusterDir(dataRoot: string): string {
  const preferred = join(resolve(dataRoot), "postgres");
  if (!isRoot()) return preferred;
  mkdirSync(resolve(dataRoot), { recursive: true, mode: 0o755 });
  if (!unreachableAncestor(preferred)) return preferred;
  const id = createHash("sha256").update(resolve(dataRoot)).digest("hex").slice(0, 12);
  return join("/var/tmp", `junggo-postgres-${id}`);
}

/** The first ancestor of `dir` that other users (here: `postgres`) cannot traverse, or null. */
function unreachableAncestor(dir: string): string | null {
  for (let p = resolve(dir, ".."); ; p = resolve(p, "..")) {
    if ((statSync(p).mode & 0o001) === 0) return p;
    if (p === "/") return null;
  }
}
