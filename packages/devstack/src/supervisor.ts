import type { Logger } from "@junggo/runtime";
import type { ManagedProcess } from "./process.ts";

export interface SupervisorOptions {
  /** How often each process's health URL is probed (LIVENESS_PERIOD_MS). */
  livenessPeriodMs?: number;
  /** Consecutive failed probes after which the process is killed and restarted (LIVENESS_FAILURES). */
  livenessFailures?: number;
  /** A probe that takes longer than this failed (LIVENESS_TIMEOUT_MS). */
  livenessTimeoutMs?: number;
  /** First restart delay; doubles with every restart that follows too soon after the last one. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** A process live for this long since its last restart starts again from the base delay. */
  stableAfterMs?: number;
  /** How long a restarted process may take to become healthy before it is killed and tried again. */
  startTimeoutMs?: number;
  log: Logger;
}

export interface RestartRecord {
  service: string;
  /** "crashed": the process exited by itself; "liveness": it stopped answering and was killed. */
  reason: "crashed" | "liveness";
  detail: string;
  /** Restarts in a row without a stable period in between (1 = first). */
  attempt: number;
  delayMs: number;
  /** Time of the exit or of the liveness kill. */
  at: number;
  /** Time the process answered its health check again (null until then). */
  healthyAt: number | null;
}

interface Watched {
  name: string;
  proc: ManagedProcess;
  previousOnExit: ManagedProcess["onExit"];
  /** "up": started and probed; "restarting": between an exit and the next healthy start. */
  phase: "up" | "restarting";
  probeFailures: number;
  lastProbeError: string;
  probing: boolean;
  attempt: number;
  upSince: number;
  /** Set when the supervisor itself kills the process, so its exit is not reported as a crash. */
  killedFor: string | null;
  timer: NodeJS.Timeout | null;
}

/**
 * Self-healing for the local runner, the way Kubernetes treats a pod with a liveness probe: a process
 * that exits is restarted after an exponential backoff; one whose health URL keeps failing (hung,
 * deadlocked, SIGSTOPped) is SIGKILLed and restarted the same way. Every restart is logged with its
 * reason and kept in `restarts`.
 */
export class Supervisor {
  readonly restarts: RestartRecord[] = [];
  private readonly watched: Watched[] = [];
  private probeTimer: NodeJS.Timeout | null = null;
  private stopped = true;
  private readonly o: Required<SupervisorOptions>;

  constructor(processes: Iterable<readonly [string, ManagedProcess]>, opts: SupervisorOptions) {
    this.o = {
      livenessPeriodMs: 5000,
      livenessFailures: 3,
      livenessTimeoutMs: 2000,
      backoffBaseMs: 500,
      backoffMaxMs: 15_000,
      stableAfterMs: 60_000,
      startTimeoutMs: 120_000,
      ...opts,
    };
    for (const [name, proc] of processes) {
      this.watched.push({
        name,
        proc,
        previousOnExit: null,
        phase: "up",
        probeFailures: 0,
        lastProbeError: "",
        probing: false,
        attempt: 0,
        upSince: Date.now(),
        killedFor: null,
        timer: null,
      });
    }
  }

  /** Reads LIVENESS_PERIOD_MS, LIVENESS_FAILURES, LIVENESS_TIMEOUT_MS from the environment. */
  static optionsFromEnv(env: NodeJS.ProcessEnv = process.env): Partial<SupervisorOptions> {
    const num = (name: string, fallback: number) => {
      const raw = env[name];
      const n = raw === undefined || raw === "" ? fallback : Number(raw);
      if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
      return n;
    };
    return {
      livenessPeriodMs: num("LIVENESS_PERIOD_MS", 5000),
      livenessFailures: num("LIVENESS_FAILURES", 3),
      livenessTimeoutMs: num("LIVENESS_TIMEOUT_MS", 2000),
    };
  }

  /** The restart delay for the n-th restart in a row. */
  static backoff(attempt: number, baseMs: number, maxMs: number): number {
    return Math.min(baseMs * 2 ** Math.max(attempt - 1, 0), maxMs);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    for (const w of this.watched) {
      w.previousOnExit = w.proc.onExit;
      w.proc.onExit = (code, signal) => {
        w.previousOnExit?.(code, signal);
        this.exited(w, code, signal);
      };
      w.upSince = Date.now();
      w.phase = w.proc.running ? "up" : "restarting";
      if (!w.proc.running) this.scheduleRestart(w, "crashed", "not running when supervision started");
    }
    this.probeTimer = setInterval(() => {
      for (const w of this.watched) void this.probe(w);
    }, this.o.livenessPeriodMs);
  }

  /** Stops supervising (before a deliberate shutdown); leaves the processes as they are. */
  stop(): void {
    this.stopped = true;
    if (this.probeTimer) clearInterval(this.probeTimer);
    this.probeTimer = null;
    for (const w of this.watched) {
      if (w.timer) clearTimeout(w.timer);
      w.timer = null;
      w.proc.onExit = w.previousOnExit;
    }
  }

  private exited(w: Watched, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.stopped) return;
    const detail = w.killedFor ?? `exited (code ${code}, signal ${signal})`;
    const reason = w.killedFor ? "liveness" : "crashed";
    w.killedFor = null;
    this.scheduleRestart(w, reason, detail);
  }

  private scheduleRestart(w: Watched, reason: RestartRecord["reason"], detail: string): void {
    if (w.timer) return;
    // A process that stayed up long enough is not crash-looping: start again from the base delay.
    if (w.phase === "up" && Date.now() - w.upSince >= this.o.stableAfterMs) w.attempt = 0;
    w.phase = "restarting";
    w.probeFailures = 0;
    w.attempt++;
    const delayMs = Supervisor.backoff(w.attempt, this.o.backoffBaseMs, this.o.backoffMaxMs);
    const record: RestartRecord = {
      service: w.name,
      reason,
      detail,
      attempt: w.attempt,
      delayMs,
      at: Date.now(),
      healthyAt: null,
    };
    this.restarts.push(record);
    this.o.log.warn("restarting service", { service: w.name, reason, detail, attempt: w.attempt, delayMs });
    w.timer = setTimeout(() => {
      w.timer = null;
      if (this.stopped) return;
      if (w.proc.running) {
        // Someone else started it meanwhile: supervise it as it is.
        w.phase = "up";
        w.upSince = Date.now();
        return;
      }
      w.proc.start(this.o.startTimeoutMs).then(
        () => {
          if (this.stopped) return;
          w.phase = "up";
          w.upSince = Date.now();
          record.healthyAt = w.upSince;
          this.o.log.info("service restarted", {
            service: w.name,
            reason,
            pid: w.proc.pid,
            downMs: record.healthyAt - record.at,
          });
        },
        (err: Error) => {
          if (this.stopped) return;
          this.o.log.error("restart failed", { service: w.name, err: err.message });
          // Exited before it became healthy: its exit handler has scheduled the next attempt.
          // Still running but never healthy: kill it, and the exit schedules the next attempt.
          if (w.proc.running) {
            w.killedFor = `not healthy within ${this.o.startTimeoutMs} ms of its restart`;
            void w.proc.kill("SIGKILL");
          }
        },
      );
    }, delayMs);
  }

  private async probe(w: Watched): Promise<void> {
    const url = w.proc.spec.healthUrl;
    if (this.stopped || !url || w.phase !== "up" || w.probing || !w.proc.running) return;
    w.probing = true;
    try {
      await w.proc.checkHealth(this.o.livenessTimeoutMs);
      w.probeFailures = 0;
    } catch (err) {
      // A probe still in flight when supervision stopped (shutdown) says nothing about the process.
      if (this.stopped) return;
      w.probeFailures++;
      w.lastProbeError =
        (err as Error).name === "TimeoutError"
          ? `no answer within ${this.o.livenessTimeoutMs} ms`
          : (err as Error).message;
      this.o.log.warn("liveness probe failed", {
        service: w.name,
        failures: w.probeFailures,
        of: this.o.livenessFailures,
        err: w.lastProbeError,
      });
      if (w.probeFailures >= this.o.livenessFailures && w.phase === "up" && !this.stopped && w.proc.running) {
        w.killedFor = `liveness probe failed ${w.probeFailures} times in a row (${w.lastProbeError})`;
        // SIGKILL works on a stopped (SIGSTOP) process too; the exit handler schedules the restart.
        await w.proc.kill("SIGKILL");
      }
    } finally {
      w.probing = false;
    }
  }
}
