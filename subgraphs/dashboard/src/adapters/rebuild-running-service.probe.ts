import { existsSync, readdirSync, readlinkSync, realpathSync } from "node:fs";
import { join, sep } from "node:path";
import type { Database } from "@junggo/runtime";

// Ways to tell that a dashboard service is using the database the rebuild is about to replace.

/** True when a dashboard answers /healthz at host:port. */
export async function dashboardAnswers(host: string, port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://${host}:${port}/healthz`, { signal: AbortSignal.timeout(1500) });
    return res.ok && ((await res.json()) as { service?: string }).service === "dashboard";
  } catch {
    return false;
  }
}

/**
 * Other processes with files open in a PGlite data directory (PGlite keeps its WAL and relation
 * files open), found through /proc: catches a service on another port, or one that is starting.
 * Null where /proc is not available. Processes of other users are not visible and not listed.
 */
export function processesUsingDir(dir: string): number[] | null {
  if (!existsSync("/proc/self/fd")) return null;
  if (!existsSync(dir)) return [];
  const prefix = realpathSync(dir) + sep;
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    let fds: string[];
    try {
      fds = readdirSync(join("/proc", entry, "fd"));
    } catch {
      continue; // gone, or another user's
    }
    const holds = fds.some((fd) => {
      try {
        return readlinkSync(join("/proc", entry, "fd", fd)).startsWith(prefix);
      } catch {
        return false;
      }
    });
    if (holds) pids.push(pid);
  }
  return pids;
}

/** Other sessions on this PostgreSQL database: the service's pool, or anyone else's. */
export async function otherPostgresSessions(db: Database): Promise<string[]> {
  const rows = await db.query<{
    pid: number;
    application_name: string;
    client_addr: string | null;
    state: string | null;
  }>(
    `SELECT pid, application_name, client_addr::text AS client_addr, state FROM pg_stat_activity
      WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
        AND application_name IS DISTINCT FROM current_setting('application_name')`,
  );
  return rows.map(
    (r) =>
      `pid ${r.pid} from ${r.client_addr ?? "local socket"}${r.application_name ? ` (${r.application_name})` : ""}, ${r.state ?? "unknown state"}`,
  );
}
