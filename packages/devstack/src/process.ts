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
}

/** One supervised OS process: start, wait healthy, stop (SIGTERM), kill (any signal), restart. */
export class ManagedProcess {
  child: ChildProcess | null = null;
  private log: WriteStream | null = null;
  private exited: Promise<number | null> = Promise.resolve(null);
  onExit: ((code: number | null, signal: NodeJS.Signals | null) => void) | null = null;

  constructor(readonly spec: ProcessSpec) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(timeoutMs = 60_000): Promise<void> {
    mkdirSync(dirname(this.spec.logFile), { recursive: true });
    this.log = createWriteStream(this.spec.logFile, { flags: "a" });
    const child = spawn(this.spec.command, this.spec.args, {
      cwd: this.spec.cwd,
      env: { ...process.env, ...this.spec.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    const log = this.log;
    const pipe = (chunk: Buffer) => {
      log.write(chunk);
      if (this.spec.echo) {
        for (const line of chunk.toString().split("\n")) if (line.trim()) process.stdout.write(`[${this.spec.name}] ${line}\n`);
      }
    };
    child.stdout?.on("data", pipe);
    child.stderr?.on("data", pipe);
    this.exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        log.end();
        this.onExit?.(code, signal);
        resolve(code);
      });
    });
    if (this.spec.healthUrl) await this.waitHealthy(timeoutMs);
  }

  async waitHealthy(timeoutMs = 60_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      if (!this.running) throw new Error(`${this.spec.name} exited before it became healthy (see ${this.spec.logFile})`);
      try {
        const res = await fetch(this.spec.healthUrl!, { signal: AbortSignal.timeout(1000) });
        if (res.ok) return;
      } catch { /* not up yet */ }
      await new Promise((r) => setTimeout(r, 150));
    }
    throw new Error(`${this.spec.name} not healthy after ${timeoutMs} ms (see ${this.spec.logFile})`);
  }

  /** Graceful stop: SIGTERM, then SIGKILL after the grace period. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.child!.kill("SIGTERM");
    const t = setTimeout(() => this.child?.kill("SIGKILL"), graceMs);
    await this.exited;
    clearTimeout(t);
  }

  /** Sends a signal (SIGKILL, SIGSTOP, SIGCONT...) without waiting. */
  signal(sig: NodeJS.Signals): void {
    this.child?.kill(sig);
  }

  async kill(): Promise<void> {
    if (!this.running) return;
    this.child!.kill("SIGKILL");
    await this.exited;
  }

  async restart(timeoutMs?: number): Promise<void> {
    await this.stop();
    await this.start(timeoutMs);
  }
}
