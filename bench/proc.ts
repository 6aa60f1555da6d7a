// CPU time and resident memory of processes that have no /metrics of their own (NATS, the
// PostgreSQL cluster, helper children of services), read from Linux /proc.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

let clockTicks = 0;
/** Kernel clock ticks per second (the unit of /proc/<pid>/stat times). */
function ticksPerSecond(): number {
  if (!clockTicks) {
    try {
      clockTicks = Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

export interface ProcStat {
  pid: number;
  ppid: number;
  /** utime + stime of the process itself, seconds. */
  cpuSeconds: number;
  /** cutime + cstime: children it has waited for (exited ones), seconds. */
  reapedChildrenCpuSeconds: number;
}

/** /proc/<pid>/stat, or null when the process is gone. */
export function procStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  // The command name (field 2) is in parentheses and may contain spaces: fields 3.. follow the last ')'.
  const rest = text.slice(text.lastIndexOf(")") + 2).split(" ");
  const field = (n: number) => Number(rest[n - 3]);
  const hz = ticksPerSecond();
  return {
    pid,
    ppid: field(4),
    cpuSeconds: (field(14) + field(15)) / hz,
    reapedChildrenCpuSeconds: (field(16) + field(17)) / hz,
  };
}

/** VmRSS of /proc/<pid>/status in bytes (0 when the process is gone). */
export function procRss(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Children of each pid, from one scan of /proc. */
export function childrenOf(pids: readonly number[]): Map<number, number[]> {
  const wanted = new Set(pids);
  const out = new Map<number, number[]>(pids.map((p) => [p, []]));
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const s = procStat(Number(entry));
    if (s && wanted.has(s.ppid)) out.get(s.ppid)!.push(s.pid);
  }
  return out;
}

/** The postmaster pid of a cluster (first line of <dataDir>/postmaster.pid), or null. */
export function postmasterPid(dataDir: string): number | null {
  try {
    const pid = Number(readFileSync(`${dataDir}/postmaster.pid`, "utf8").split("\n")[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}
