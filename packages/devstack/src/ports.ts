import {
  closeSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/*
 * Test stacks run in parallel (one per test file) and each takes a dozen ports. A port the kernel
 * handed out for `listen(0)` is free again the moment we close it, so a second stack could be given
 * it before our process binds it (seconds later, after start-up), or while our process is down for a
 * restart: its gateway then talks to another stack's service. Ports are therefore taken outside the
 * kernel's ephemeral range (which nothing else allocates from) and reserved across processes with a
 * lock file per port, until `releasePorts` or the owner's exit.
 */

const LOCK_DIR = join(tmpdir(), "junggo-ports");
/** A lock whose owner is gone is only removed after this long, so a fresh lock is never taken for stale. */
const STALE_AFTER_MS = 60_000;
const held = new Set<number>();
let swept = false;

function ephemeralRange(): [number, number] {
  try {
    const [lo, hi] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8")
      .trim()
      .split(/\s+/)
      .map(Number);
    if (lo && hi) return [lo, hi];
  } catch {
    /* not Linux: assume the IANA range */
  }
  return [49152, 65535];
}

/**
 * Ports we may reserve: JUNGGO_PORT_RANGE ("lo-hi") if set, else below the ephemeral range if there
 * is room, else above it; null if neither (then the kernel picks, unreserved).
 */
function reservableRange(): [number, number] | null {
  const configured = process.env.JUNGGO_PORT_RANGE;
  if (configured) {
    const m = /^(\d+)-(\d+)$/.exec(configured.trim());
    const [a, b] = m ? [Number(m[1]), Number(m[2])] : [0, 0];
    if (!m || a < 1024 || b > 65_535 || a > b)
      throw new Error(`JUNGGO_PORT_RANGE must be "lo-hi" within 1024-65535, got "${configured}"`);
    return [a, b];
  }
  const [lo, hi] = ephemeralRange();
  if (lo - 1 - 10_000 >= 2_000) return [10_000, lo - 1];
  if (65_535 - (hi + 1) >= 2_000) return [hi + 1, 65_535];
  return null;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Removes locks left by processes that died without releasing them (e.g. SIGKILLed test runs). */
function sweepStaleLocks(): void {
  for (const name of readdirSync(LOCK_DIR)) {
    const file = join(LOCK_DIR, name);
    try {
      const pid = Number(readFileSync(file, "utf8"));
      if (pid && !alive(pid) && Date.now() - statSync(file).mtimeMs > STALE_AFTER_MS) unlinkSync(file);
    } catch {
      /* raced with its owner or another sweeper */
    }
  }
}

function tryLock(port: number): boolean {
  try {
    const fd = openSync(join(LOCK_DIR, String(port)), "wx");
    writeSync(fd, String(process.pid));
    closeSync(fd);
    return true;
  } catch {
    return false;
  }
}

function unlock(port: number): void {
  try {
    unlinkSync(join(LOCK_DIR, String(port)));
  } catch {
    /* already gone */
  }
}

function kernelPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === "object" && addr ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
}

/**
 * A TCP port on 127.0.0.1 that is free and reserved for this process: no other caller of `freePort`
 * (in any process) gets it until `releasePorts` or this process exits.
 */
export async function freePort(): Promise<number> {
  const range = reservableRange();
  if (!range) return kernelPort();
  mkdirSync(LOCK_DIR, { recursive: true });
  if (!swept) {
    swept = true;
    sweepStaleLocks();
  }
  const [lo, hi] = range;
  const size = hi - lo + 1;
  const start = Math.floor(Math.random() * size);
  for (let i = 0; i < size; i++) {
    const port = lo + ((start + i) % size);
    if (held.has(port) || !tryLock(port)) continue;
    if (await isPortFree(port)) {
      held.add(port);
      return port;
    }
    unlock(port);
  }
  throw new Error(`no free port in ${lo}-${hi}`);
}

/** Gives reserved ports back (a stack that stopped). Ports this process did not reserve are ignored. */
export function releasePorts(ports: Iterable<number>): void {
  for (const port of ports) {
    if (!held.delete(port)) continue;
    unlock(port);
  }
}

process.once("exit", () => releasePorts([...held]));

export async function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}
