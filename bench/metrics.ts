// Per-process CPU time and resident memory of the whole stack. Node services report their own
// counters on /metrics (process_cpu_seconds_total, process_resident_memory_bytes, from
// @junggo/runtime's processMetrics); NATS, the PostgreSQL cluster and helper children of services
// are read from /proc. RSS is sampled from /proc between checkpoints so that sampling puts no load
// on the services (VmRSS is the counter process.memoryUsage().rss reads).
import type { PostgresServer } from "@junggo/devstack";
import { openDatabase, type Database } from "@junggo/runtime";
import type { TestSystem } from "../gateway/test/support/harness.ts";
import { metrics, serviceUrl } from "../gateway/test/support/live.ts";
import { childrenOf, postmasterPid, procRss, procStat } from "./proc.ts";

export interface ProcessFigure {
  cpuSeconds: number;
  rssBytes: number;
}

export interface Snapshot {
  /** performance.now() of the reading. */
  at: number;
  processes: Map<string, ProcessFigure>;
  /** Every service's /metrics, by service name. */
  metrics: Map<string, Record<string, number>>;
  /** The load generator's own CPU seconds (reported apart, not in the total). */
  benchCpuSeconds: number;
  /** Messages the NATS server received and sent (its /varz), and PostgreSQL's committed and rolled-back transactions (pg_stat_database; null on PGlite). */
  work: { natsIn: number; natsOut: number; pgTransactions: number | null };
}

export const POSTGRES = "postgres (all processes)";
export const HELPERS = "service child processes";

/** CPU seconds of `pid` plus its reaped children plus its live children (and theirs reaped). */
function treeCpu(pid: number, children: number[]): number {
  const own = procStat(pid);
  if (!own) return 0;
  let cpu = own.cpuSeconds + own.reapedChildrenCpuSeconds;
  for (const c of children) {
    const s = procStat(c);
    if (s) cpu += s.cpuSeconds + s.reapedChildrenCpuSeconds;
  }
  return cpu;
}

export class SystemProbe {
  private admin: Database | null = null;

  constructor(
    private readonly sys: TestSystem,
    private readonly pg: PostgresServer | null,
  ) {}

  async close(): Promise<void> {
    await this.admin?.close();
  }

  /** Work the stack did, counted by NATS and PostgreSQL themselves. */
  private async work(): Promise<Snapshot["work"]> {
    const varz = (await (await fetch(`${this.sys.stack.natsMonitorUrl}/varz`)).json()) as {
      in_msgs: number;
      out_msgs: number;
    };
    let pgTransactions: number | null = null;
    if (this.pg) {
      this.admin ??= await openDatabase({ dataDir: "", databaseUrl: this.pg.url });
      // Statistics reach pg_stat_database within a second of a transaction's end.
      const [row] = await this.admin.query<{ n: string }>(
        `SELECT sum(xact_commit + xact_rollback)::text AS n FROM pg_stat_database`,
      );
      pgTransactions = Number(row?.n ?? 0);
    }
    return { natsIn: varz.in_msgs, natsOut: varz.out_msgs, pgTransactions };
  }

  /** Node services of the stack (the gateway included), in start order. */
  get services(): string[] {
    return [...this.sys.stack.services.keys()];
  }

  private servicePids(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [name, p] of this.sys.stack.services) if (p.pid) out.set(name, p.pid);
    return out;
  }

  /** Fails clearly when a service does not expose its own CPU and memory counters (e.g. stale compiled code). */
  async check(): Promise<void> {
    const snap = await this.snapshot();
    const missing = this.services.filter(
      (s) =>
        snap.metrics.get(s)?.process_cpu_seconds_total === undefined ||
        snap.metrics.get(s)?.process_resident_memory_bytes === undefined,
    );
    if (missing.length) {
      throw new Error(
        `no process_cpu_seconds_total / process_resident_memory_bytes on /metrics of: ${missing.join(", ")} — ` +
          "are the services running compiled code older than packages/runtime/src/process-metrics.ts? (rebuild, e.g. node packages/devstack/build.mjs)",
      );
    }
    if (!this.sys.stack.nats.pid || !procStat(this.sys.stack.nats.pid))
      throw new Error("cannot read /proc of the NATS server");
    if (this.pg && !postmasterPid(this.pg.dataDir))
      throw new Error(`cannot find the postmaster pid in ${this.pg.dataDir}`);
  }

  async snapshot(): Promise<Snapshot> {
    const at = performance.now();
    const benchCpu = process.cpuUsage();
    const processes = new Map<string, ProcessFigure>();
    const all = new Map<string, Record<string, number>>();
    await Promise.all(
      this.services.map(async (name) => {
        const m = await metrics(serviceUrl(this.sys, name));
        all.set(name, m);
      }),
    );
    for (const name of this.services) {
      const m = all.get(name)!;
      processes.set(name, {
        cpuSeconds: m.process_cpu_seconds_total ?? Number.NaN,
        rssBytes: m.process_resident_memory_bytes ?? Number.NaN,
      });
    }
    for (const [name, fig] of this.procFigures()) processes.set(name, fig);
    return {
      at,
      processes,
      metrics: all,
      benchCpuSeconds: (benchCpu.user + benchCpu.system) / 1e6,
      work: await this.work(),
    };
  }

  /** NATS, PostgreSQL and service children from /proc (CPU and RSS). */
  private procFigures(): Map<string, ProcessFigure> {
    const out = new Map<string, ProcessFigure>();
    const natsPid = this.sys.stack.nats.pid;
    const pm = this.pg ? postmasterPid(this.pg.dataDir) : null;
    const servicePids = [...this.servicePids().values()];
    const kids = childrenOf([...servicePids, ...(pm ? [pm] : []), ...(natsPid ? [natsPid] : [])]);
    if (natsPid) out.set("nats", { cpuSeconds: treeCpu(natsPid, []), rssBytes: procRss(natsPid) });
    if (pm) {
      const children = kids.get(pm) ?? [];
      out.set(POSTGRES, {
        cpuSeconds: treeCpu(pm, children),
        rssBytes: [pm, ...children].reduce((n, p) => n + procRss(p), 0),
      });
    }
    // e.g. the esbuild service process tsx starts next to a service that compiles TypeScript at run time.
    const helpers = servicePids.flatMap((p) => kids.get(p) ?? []);
    if (helpers.length) {
      out.set(HELPERS, {
        cpuSeconds: helpers.reduce((n, p) => {
          const s = procStat(p);
          return n + (s ? s.cpuSeconds + s.reapedChildrenCpuSeconds : 0);
        }, 0),
        rssBytes: helpers.reduce((n, p) => n + procRss(p), 0),
      });
    }
    return out;
  }

  /** RSS of every process right now, from /proc only. */
  rssNow(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [name, pid] of this.servicePids()) out.set(name, procRss(pid));
    for (const [name, fig] of this.procFigures()) out.set(name, fig.rssBytes);
    return out;
  }
}

/** Peak RSS per process and of the sum, sampled every `intervalMs` plus every snapshot it is given. */
export class RssSampler {
  readonly peaks = new Map<string, number>();
  peakTotal = 0;
  samples = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly probe: SystemProbe) {}

  start(intervalMs = 250): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  sample(): void {
    this.record(this.probe.rssNow());
  }

  /** Counts a snapshot's own counters too (each service's process_resident_memory_bytes). */
  recordSnapshot(s: Snapshot): void {
    this.record(new Map([...s.processes].map(([k, v]) => [k, v.rssBytes])));
  }

  private record(rss: Map<string, number>): void {
    let total = 0;
    for (const [name, bytes] of rss) {
      if (!Number.isFinite(bytes)) continue;
      total += bytes;
      if (bytes > (this.peaks.get(name) ?? 0)) this.peaks.set(name, bytes);
    }
    if (total > this.peakTotal) this.peakTotal = total;
    this.samples++;
  }
}

/** CPU seconds used by each process between two snapshots (processes of `after`). */
export function cpuDelta(before: Snapshot, after: Snapshot): Map<string, number> {
  const out = new Map<string, number>();
  for (const [name, fig] of after.processes) {
    const was = before.processes.get(name)?.cpuSeconds ?? 0;
    out.set(name, fig.cpuSeconds - was);
  }
  return out;
}
