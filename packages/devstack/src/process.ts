import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { dirname } from "node:path";

export interface ProcessSpec {
  name: string;
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  logFile: string;
  /** URL that answers 200 once the process is up. */
  healthUrl?: string;
  /** Echo output lines to this process's stdout, prefixed with the name. */
  echo?: boolean;
  /** false: `env` is the whole environment (as in a container), nothing inherited from this process. */
  inheritEnv?: boolean;
  /** Run as this user and group (needs root), e.g. a container image's user. */
  uid?: number;
  gid?: number;
}

/** One supervised OS process: start, wait healthy, stop (SIGTERM), kill (any signal), pause/resume, restart. */
export class ManagedProcess {
  child: ChildProcess | null = null;
  private log: WriteStream | null = null;
  private exited: Promise<number | null> = Promise.resolve(null);
  onExit: ((code: number | null, signal: NodeJS.Signals | null) => void) | null = null;
  /** Stopped with SIGSTOP and not yet continued: still alive (not an exit), but answers nothing. */
  paused = false;
  /** How many times a process was spawned (the first start included). */
  starts = 0;

  constructor(readonly spec: ProcessSpec) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(timeoutMs = 60_000): Promise<void> {
    // Two children on one port or one PGlite directory would corrupt each other.
    if (this.running) throw new Error(`${this.spec.name} is already running (pid ${this.pid})`);
    mkdirSync(dirname(this.spec.logFile), { recursive: true });
    this.log = createWriteStream(this.spec.logFile, { flags: "a" });
    const child = spawn(this.spec.command, this.spec.args, {
      cwd: this.spec.cwd,
      env: this.spec.inheritEnv === false ? this.spec.env : { ...process.env, ...this.spec.env },
      stdio: ["ignore", "pipe", "pipe"],
      uid: this.spec.uid,
      gid: this.spec.gid,
    });
    this.child = child;
    this.paused = false;
    this.starts++;
    const log = this.log;
    const pipe = (chunk: Buffer) => {
      // "exit" can come before the last output is read (a server logging its shutdown): that tail is not logged.
      if (!log.writableEnded) log.write(chunk);
      if (this.spec.echo) {
        for (const line of chunk.toString().split("\n"))
          if (line.trim()) process.stdout.write(`[${this.spec.name}] ${line}\n`);
      }
    };
    child.stdout?.on("data", pipe);
    child.stderr?.on("data", pipe);
    this.exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        if (this.child === child) this.paused = false;
        log.end();
        this.onExit?.(code, signal);
        resolve(code);
      });
    });
    if (this.spec.healthUrl) await this.waitHealthy(timeoutMs);
  }

  async waitHealthy(timeoutMs = 60_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    let last = "no answer";
    while (Date.now() < until) {
      if (!this.running)
        throw new Error(
          `${this.spec.name} exited before it became healthy (last check: ${last}; see ${this.spec.logFile})`,
        );
      try {
        await this.checkHealth(1000);
        return;
      } catch (err) {
        last = (err as Error).message;
      }
      await new Promise((r) => setTimeout(r, 150));
    }
    throw new Error(
      `${this.spec.name} not healthy after ${timeoutMs} ms (last check: ${last}; see ${this.spec.logFile})`,
    );
  }

  /**
   * One health check: the URL answers 200 and, when the body names a pid, it is this child's, so a
   * port held by some other process never passes for this one.
   */
  async checkHealth(timeoutMs: number): Promise<void> {
    const url = this.spec.healthUrl;
    if (!url) throw new Error(`${this.spec.name} has no health URL`);
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text().catch(() => "");
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    let pid: unknown;
    try {
      pid = (JSON.parse(text) as { pid?: unknown } | null)?.pid;
    } catch {
      /* not JSON: nothing to compare */
    }
    if (typeof pid === "number" && pid !== this.pid)
      throw new Error(`${url} is answered by another process (pid ${pid}, not ${this.pid})`);
  }

  /** Graceful stop: SIGTERM, then SIGKILL after the grace period. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.child!.kill("SIGTERM");
    // A stopped process only acts on SIGTERM once it runs again.
    if (this.paused) this.resume();
    const t = setTimeout(() => this.child?.kill("SIGKILL"), graceMs);
    await this.exited;
    clearTimeout(t);
  }

  /** Sends a signal (SIGKILL, SIGSTOP, SIGCONT...) without waiting. */
  signal(sig: NodeJS.Signals): void {
    this.child?.kill(sig);
  }

  /** Kills with `sig` (SIGKILL by default: no cleanup at all) and waits for the exit. */
  async kill(sig: NodeJS.Signals = "SIGKILL"): Promise<void> {
    if (!this.running) return;
    this.child!.kill(sig);
    if (this.paused && sig !== "SIGKILL") this.resume();
    await this.exited;
  }

  /** SIGSTOP: the process freezes (a hung service); node sees no exit, so `running` stays true. */
  pause(): void {
    if (!this.running) throw new Error(`${this.spec.name} is not running`);
    this.child!.kill("SIGSTOP");
    this.paused = true;
  }

  /** SIGCONT after pause(). */
  resume(): void {
    if (!this.running) return;
    this.child!.kill("SIGCONT");
    this.paused = false;
  }

  /** Resolves when the current child has exited (at once when there is none). */
  waitExit(): Promise<number | null> {
    return this.exited;
  }

  async restart(timeoutMs?: number): Promise<void> {
    await this.stop();
    await this.start(timeoutMs);
  }
}
