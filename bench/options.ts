// Command-line options of `npm run bench`, validated with messages a newcomer can act on.

export interface BenchOptions {
  /** Concurrent buyers, each logged in as its own account. */
  concurrency: number;
  /** Seconds of the purchase phase. */
  duration: number;
  /** AVAILABLE cars registered before the purchase phase (each purchase takes a distinct one). */
  cars: number;
  /** Seconds of each query phase (`vehicle(id)`, then `purchase(id)`). */
  queryDuration: number;
  /** Connections of the query phases. */
  queryConnections: number;
  /** Every context on a throw-away PostgreSQL server set up as `npm run up`'s (the default), or on PGlite (`--pglite`). */
  postgres: boolean;
  smoke: boolean;
}

export const USAGE = `usage: npm run bench -- [options]
  --concurrency N     concurrent buyers, each its own account (default 32)
  --duration S        seconds of the purchase phase (default 60)
  --cars N            cars registered before the purchase phases (default 60 per second of
                      both phases, at least 200); a phase ends early if they run out
  --query-duration S  seconds of each query phase, vehicle(id) and purchase(id) (default 20)
  --postgres          every context on a throw-away PostgreSQL server with npm run up's settings
                      (system binaries; the default, as for npm run up)
  --pglite            every context on embedded PGlite (npm run up -- --pglite)
  --smoke             a seconds-long run: 4 buyers, 5 s, 1000 cars, 3 s query phases
                      (explicit options still win)
  --help              this text`;

export class UsageError extends Error {}

const INT_OPTIONS = {
  "--concurrency": "concurrency",
  "--duration": "duration",
  "--cars": "cars",
  "--query-duration": "queryDuration",
} as const;
const LIMITS: Record<(typeof INT_OPTIONS)[keyof typeof INT_OPTIONS], [number, number]> = {
  concurrency: [1, 1000],
  duration: [1, 3600],
  cars: [1, 200_000],
  queryDuration: [1, 3600],
};

/** Parses argv (without node and the script); throws UsageError with the reason and the usage text. */
export function parseOptions(argv: string[]): BenchOptions | "help" {
  const given: Partial<Record<keyof typeof LIMITS, number>> = {};
  let postgres = true;
  let databaseGiven = "";
  let smoke = false;
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i]!;
    const [flag, inline] = raw.includes("=")
      ? [raw.slice(0, raw.indexOf("=")), raw.slice(raw.indexOf("=") + 1)]
      : [raw, undefined];
    if (flag === "--help" || flag === "-h") return "help";
    if (flag === "--postgres" || flag === "--pglite" || flag === "--smoke") {
      if (inline !== undefined) throw new UsageError(`${flag} takes no value`);
      if (flag === "--smoke") smoke = true;
      else {
        if (databaseGiven && databaseGiven !== flag)
          throw new UsageError(`${databaseGiven} and ${flag} exclude each other`);
        databaseGiven = flag;
        postgres = flag === "--postgres";
      }
      continue;
    }
    const key = INT_OPTIONS[flag as keyof typeof INT_OPTIONS];
    if (!key) throw new UsageError(`unknown option ${JSON.stringify(raw)}`);
    const value = inline ?? argv[++i];
    if (value === undefined || value.startsWith("--")) throw new UsageError(`${flag} needs a value`);
    if (!/^\d+$/.test(value))
      throw new UsageError(`${flag} must be a whole number, got ${JSON.stringify(value)}`);
    const n = Number(value);
    const [min, max] = LIMITS[key];
    if (n < min || n > max) throw new UsageError(`${flag} must be between ${min} and ${max}, got ${n}`);
    if (given[key] !== undefined) throw new UsageError(`${flag} given twice`);
    given[key] = n;
  }
  const concurrency = given.concurrency ?? (smoke ? 4 : 32);
  const duration = given.duration ?? (smoke ? 5 : 60);
  const cars = given.cars ?? defaultCars(duration);
  const queryDuration = given.queryDuration ?? (smoke ? 3 : 20);
  if (cars < concurrency)
    throw new UsageError(
      `--cars (${cars}) must be at least --concurrency (${concurrency}): every buyer needs a car of its own`,
    );
  return { concurrency, duration, cars, queryDuration, queryConnections: 32, postgres, smoke };
}

/**
 * 100 cars per second of both purchase phases (the main one and the dashboard-lag one of up to
 * 10 s), at least 200: the target rate on PostgreSQL (a run at 70/s ran out of 60 per second). A
 * faster system runs out: the report says so, pass a larger --cars.
 */
export const defaultCars = (durationSeconds: number) =>
  Math.max(200, 100 * (durationSeconds + Math.min(durationSeconds, 10)));
