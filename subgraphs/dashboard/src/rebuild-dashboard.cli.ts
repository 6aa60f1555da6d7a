// `npm run rebuild:dashboard [-- --check]`: rebuilds the dashboard read model from the event stream,
// or (--check) compares it with the stream without writing. Same environment as the service
// (DATA_DIR or DATABASE_URL, NATS_URL, PORT), but the NATS administrator's user (NATS_USER=admin,
// NATS_PASSWORD[_FILE]): its ephemeral consumer over the whole stream is beyond the dashboard
// user's permissions (docs/nats-security.md). Exit codes: 0 done / no difference, 1 differences
// found by --check, 2 refused or failed.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { EVENT_STREAM } from "@junggo/events";
import {
  ConfigError,
  createLogger,
  EventBus,
  loadServiceConfig,
  migrate,
  openDatabase,
  type Database,
  type Logger,
} from "@junggo/runtime";
import { migrationsDir } from "@junggo/prisma";
import { PrismaClient } from "@junggo/prisma/dashboard";
import {
  checkDashboard,
  rebuildDashboard,
  RebuildRefused,
  type ReplayFigures,
} from "./app/rebuild-dashboard.use-case.ts";
import { describeDifference, describeSaleDifference } from "./domain/rebuild-projection.ts";
import { jetStreamReader } from "./adapters/rebuild-event-stream.reader.ts";
import { prismaDashboardStore } from "./adapters/rebuild-dashboard.store.ts";
import {
  dashboardAnswers,
  otherPostgresSessions,
  processesUsingDir,
} from "./adapters/rebuild-running-service.probe.ts";

const NATS_TIMEOUT_MS = 15_000;
const USAGE = `usage: npm run rebuild:dashboard [-- --check]
  (no option)  replace the dashboard's rows and processed-event records with the fold of the whole
               event stream; the dashboard service must be stopped
  --check      fold the stream in memory and compare with the database; writes nothing`;

class Refused extends Error {}

const args = process.argv.slice(2);
if (args.some((a) => a !== "--check")) {
  console.error(USAGE);
  process.exit(args.includes("--help") || args.includes("-h") ? 0 : 2);
}
const check = args.includes("--check");
const config = (() => {
  try {
    return loadServiceConfig("dashboard", process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    process.exit(2);
  }
})();
// The bus logs every connection attempt; this command reports the outcome itself (figures or a refusal).
const base = createLogger("dashboard-rebuild");
const log: Logger = { ...base, debug: () => {}, info: () => {}, warn: () => {}, child: () => log };
const where = config.databaseUrl
  ? `PostgreSQL ${redact(config.databaseUrl)}`
  : `PGlite ${resolve(config.dataDir)}`;

function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = "***";
  return u.toString();
}

/** Refuses while a dashboard service may be using the database (PGlite: before opening it). */
async function ensureServiceStopped(db: Database | null): Promise<void> {
  // --check on PostgreSQL only reads, next to a running service; PGlite allows one process per directory.
  if (check && config.databaseUrl) return;
  const why = check ? "PGlite allows one process per data directory" : "the rebuild replaces its tables";
  if (!db) {
    if (await dashboardAnswers(config.host, config.port)) {
      throw new Refused(
        `a dashboard service is running at http://${config.host}:${config.port}: stop it first (${why})`,
      );
    }
    const pids = config.databaseUrl ? null : processesUsingDir(config.dataDir);
    if (pids?.length)
      throw new Refused(
        `process ${pids.join(", ")} has the dashboard's data directory ${resolve(config.dataDir)} open: stop it first (${why})`,
      );
    return;
  }
  if (db.kind === "postgres") {
    const sessions = await otherPostgresSessions(db);
    if (sessions.length)
      throw new Refused(
        `other sessions are connected to the dashboard database: stop the dashboard service first (${why})\n  ${sessions.join("\n  ")}`,
      );
  }
}

async function connectBus(): Promise<EventBus> {
  const bus = new EventBus(config.natsUrl, "dashboard-rebuild", log, config.nats, {
    duplicateWindowMs: config.natsDuplicateWindowMs,
    streamReplicas: config.natsStreamReplicas,
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Refused(`NATS is not reachable at ${config.natsUrl} (NATS_URL)`)),
      NATS_TIMEOUT_MS,
    );
  });
  try {
    await Promise.race([bus.ready, timeout]);
    return bus;
  } catch (err) {
    await bus.close();
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

const figures = (f: ReplayFigures) =>
  `${f.eventsRead} events read (${EVENT_STREAM} up to sequence ${f.lastSeq}), ${f.eventsApplied} events applied` +
  (f.duplicates ? ` (${f.duplicates} repeated ${f.duplicates === 1 ? "copy" : "copies"} skipped)` : "");

function printAnomalies(f: ReplayFigures): void {
  if (f.unreadable) console.log(`  ${f.unreadable} messages were not event envelopes and were skipped`);
  for (const e of f.failed)
    console.log(`  event ${e.eventId} (${e.type}) was refused by the projection and not applied: ${e.error}`);
}

async function main(): Promise<number> {
  const started = performance.now();
  let db: Database | null = null;
  let prisma: PrismaClient | null = null;
  let bus: EventBus | null = null;
  try {
    await ensureServiceStopped(null);
    if (check && !config.databaseUrl && !existsSync(config.dataDir)) {
      throw new Refused(`no dashboard database at ${resolve(config.dataDir)} (DATA_DIR)`);
    }
    bus = await connectBus();
    db = await openDatabase({
      dataDir: config.dataDir,
      databaseUrl: config.databaseUrl,
      poolSize: config.databasePoolSize,
      prismaPoolSize: config.databasePrismaPoolSize,
    });
    await ensureServiceStopped(db);
    // A rebuild may start from an empty database (e.g. a lost one): same migrations as the service.
    if (!check) await migrate(db, migrationsDir("dashboard"));
    prisma = new PrismaClient({ adapter: db.adapter });
    const deps = { reader: jetStreamReader(bus), store: prismaDashboardStore(prisma) };

    if (check) {
      const r = await checkDashboard(deps);
      const ms = Math.round(performance.now() - started);
      const found = r.differences.length + r.saleDifferences.length;
      console.log(
        `Dashboard check against ${where}: ${figures(r)}, ${r.salesRebuilt} sale rows rebuilt and ${r.salesInDatabase} in the database, ` +
          `${r.rowsRebuilt} rows rebuilt, ${r.rowsInDatabase} rows in the database, ` +
          `${found} ${found === 1 ? "difference" : "differences"}, ${ms} ms`,
      );
      for (const d of r.differences) console.log(`  ${describeDifference(d)}`);
      for (const d of r.saleDifferences) console.log(`  ${describeSaleDifference(d)}`);
      if (r.unprocessed)
        console.log(
          `  ${r.unprocessed} dashboard events are not recorded as processed by the service (in flight, or dead-lettered)`,
        );
      printAnomalies(r);
      return found ? 1 : 0;
    }

    console.log(`Rebuilding the dashboard in ${where} from ${EVENT_STREAM} at ${config.natsUrl}`);
    const r = await rebuildDashboard(deps);
    const ms = Math.round(performance.now() - started);
    console.log(
      `Dashboard rebuilt: ${figures(r)}, ${r.salesWritten} sale rows and ${r.rowsWritten} rows written (${r.rowsRemoved} removed), ` +
        `${r.eventsApplied} events marked processed (${r.recordsRemoved} records removed), ${ms} ms`,
    );
    printAnomalies(r);
    return 0;
  } catch (err) {
    if (err instanceof Refused || err instanceof RebuildRefused) console.error(`Refused: ${err.message}`);
    else console.error(`Failed: ${(err as Error).stack ?? err}`);
    return 2;
  } finally {
    await bus?.close().catch(() => {});
    await prisma?.$disconnect().catch(() => {});
    await db?.close().catch(() => {});
  }
}

process.exit(await main());
