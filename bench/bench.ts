// One benchmark run: its own stack from the working tree (PGlite, or a throw-away PostgreSQL
// cluster), driven only through the gateway; returns the figures `report.ts` prints.
import { spawnSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { REPO_ROOT, startPostgres, type PostgresServer } from "@junggo/devstack";
import { TestSystem } from "../gateway/test/support/harness.ts";
import { GqlClient } from "./http.ts";
import { CarPool, purchasePhase, REQUEST_PURCHASE, type PaidPurchase, type PhaseResult } from "./load.ts";
import { cpuDelta, RssSampler, SystemProbe, type Snapshot } from "./metrics.ts";
import { DashboardWatch, DriverWatch } from "./observers.ts";
import type { BenchOptions } from "./options.ts";
import { PURCHASE, queryPhase, VEHICLE, type QueryResult } from "./queries.ts";
import { login, registerCars, signUpBuyers, waitQuiet } from "./setup.ts";
import { sleep } from "./stats.ts";

const WARM_UP_PURCHASES = 2;
/** How long the system may take to become quiet after the purchase phase before the bench reports it as not quiet. */
const QUIET_TIMEOUT_MS = 180_000;
/** Longest dashboard-lag phase (shorter when --duration is). */
const DASHBOARD_PHASE_SECONDS = 10;

export interface QueryFigures extends QueryResult {
  /** CPU milliseconds per answered query, by process (total under "total"). */
  cpuMsPerQuery: Map<string, number>;
}

export interface BenchResult {
  options: BenchOptions;
  database: string;
  stackStartSeconds: number;
  carsRegistered: number;
  purchase: PhaseResult;
  breakerOpenings: number;
  driver: { latencies: number[]; missing: number; early: number; errors: string[] };
  /** Measured in a phase of its own after the purchase phase (its polling would inflate the CPU figures). */
  dashboard: {
    lags: number[];
    missing: number;
    polls: number;
    pollErrors: Map<string, number>;
    seconds: number;
    paid: number;
  };
  /** Whether the system became quiet (consumers and outboxes done) before the "after" reading, and how long that took. */
  quiet: boolean;
  settleSeconds: number;
  /** CPU ms per paid purchase by process, in report order. */
  cpuMsPerPurchase: Map<string, number>;
  totalCpuMsPerPurchase: number;
  /** Per paid purchase: NATS messages in and out, PostgreSQL transactions (null on PGlite). */
  workPerPurchase: { natsIn: number; natsOut: number; pgTransactions: number | null };
  benchCpuMsPerPurchase: number;
  peakRss: Map<string, number>;
  peakRssTotal: number;
  rssSamples: number;
  vehicleQuery: QueryFigures;
  purchaseQuery: QueryFigures;
  driversAssigned: number;
}

function perUnit(
  before: Snapshot,
  after: Snapshot,
  units: number,
): { byProcess: Map<string, number>; total: number; bench: number } {
  const delta = cpuDelta(before, after);
  const byProcess = new Map<string, number>();
  let total = 0;
  for (const [name, s] of delta) {
    byProcess.set(name, (s * 1000) / units);
    total += s;
  }
  return {
    byProcess,
    total: (total * 1000) / units,
    bench: ((after.benchCpuSeconds - before.benchCpuSeconds) * 1000) / units,
  };
}

export async function runBench(
  opts: BenchOptions,
  log: (line: string) => void = (l) => console.error(l),
): Promise<BenchResult> {
  const t0 = performance.now();
  const step = (what: string) =>
    log(`[bench ${((performance.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${what}`);
  let pgRoot = "";
  let pg: PostgresServer | null = null;
  let sys: TestSystem | null = null;
  let sampler: RssSampler | null = null;
  let probe: SystemProbe | null = null;
  const clients: GqlClient[] = [];
  let driver: DriverWatch | null = null;
  let dashboard: DashboardWatch | null = null;
  try {
    if (opts.postgres) {
      step("starting a throw-away PostgreSQL server (npm run up's settings)");
      // Not mkdtemp (0700): as root the server runs as user postgres, which must reach the directory; startPostgres creates it 0755.
      pgRoot = join(tmpdir(), `junggo-bench-pg-${process.pid}-${Date.now().toString(36)}`);
      // Durable like `npm run up`'s server (fsync on; commits do not wait for the WAL flush).
      pg = await startPostgres({ dataRoot: pgRoot, settings: { fsync: "on", full_page_writes: "on" } });
      if (!pg)
        throw new Error(
          "no PostgreSQL server binaries found (apt-get install postgresql, or set PGBIN to the directory holding initdb), or run with --pglite",
        );
    }
    const build = join(REPO_ROOT, "packages/devstack/build.mjs");
    if (existsSync(build)) {
      // The stack runs compiled services: compile the working tree first, as `npm run up` does.
      step("compiling the services (packages/devstack/build.mjs)");
      const b = spawnSync(process.execPath, [build], { cwd: REPO_ROOT, encoding: "utf8" });
      if (b.status !== 0) throw new Error(`packages/devstack/build.mjs failed:\n${b.stdout}${b.stderr}`);
    }
    step(`starting the stack from the working tree (${pg ? "PostgreSQL" : "PGlite"})`);
    const stackStart = performance.now();
    sys = await TestSystem.start({ postgresUrl: pg?.url });
    const stackStartSeconds = (performance.now() - stackStart) / 1000;
    step(`stack up in ${stackStartSeconds.toFixed(1)} s`);

    const systemProbe = new SystemProbe(sys, pg);
    probe = systemProbe;
    await systemProbe.check();
    sampler = new RssSampler(systemProbe);
    sampler.start(250);

    const setupClient = new GqlClient(sys.stack.gatewayUrl, 16);
    const buyClient = new GqlClient(sys.stack.gatewayUrl, opts.concurrency);
    const observeClient = new GqlClient(sys.stack.gatewayUrl, 2);
    clients.push(setupClient, buyClient, observeClient);

    const staff = await login(setupClient, "staff@junggo.test");
    const driverToken = await login(setupClient, "driver@junggo.test");
    step(`signing up ${opts.concurrency} buyers`);
    const buyers = await signUpBuyers(setupClient, opts.concurrency);
    const nCars = opts.cars + WARM_UP_PURCHASES;
    step(`registering ${nCars} cars`);
    const carIds = await registerCars(setupClient, staff, nCars, (n) => step(`  ${n} cars registered`));
    if (!(await waitQuiet(sys, performance.now() + QUIET_TIMEOUT_MS)))
      throw new Error("the system did not settle after the cars were registered");
    const cars = new CarPool(carIds);

    driver = new DriverWatch(sys, driverToken);
    dashboard = new DashboardWatch(observeClient, staff);
    await sleep(1000); // let the driver's subscription reach the subgraph

    step(`warm-up: ${WARM_UP_PURCHASES} purchases, checking that the driver and the dashboard see them`);
    for (let i = 0; i < WARM_UP_PURCHASES; i++) {
      const vehicleId = cars.take()!;
      const a = await buyClient.request<{ requestPurchase: { id: string } }>(
        REQUEST_PURCHASE,
        { vehicleId },
        buyers[0]!.token,
      );
      if (!a.data?.requestPurchase) throw new Error(`warm-up purchase refused: ${JSON.stringify(a.errors)}`);
      driver.paidAnswer({ id: a.data.requestPurchase.id, paidAt: a.doneAt });
      dashboard.paidAnswer({ id: a.data.requestPurchase.id, paidAt: a.doneAt });
    }
    const warmDeadline = performance.now() + 60_000;
    if (!(await driver.waitAll(warmDeadline)))
      throw new Error(
        `the driver's deliveryStatusChanged subscription did not receive the warm-up jobs ${driver.errors.join("; ")}`,
      );
    if (!(await dashboard.waitAll(warmDeadline)))
      throw new Error("the dashboard did not show the warm-up purchases");
    if (!(await waitQuiet(sys, performance.now() + QUIET_TIMEOUT_MS)))
      throw new Error("the system did not settle after the warm-up");
    driver.reset();
    dashboard.reset();

    // The dashboard can only be watched by polling it, which costs the dashboard and the gateway a
    // query every 25 ms: its lag is measured in a phase of its own, so the purchase phase's CPU
    // figures hold only the purchases and their reactions (the driver's subscription is a push).
    dashboard.pause();
    step(`purchase phase: ${opts.concurrency} buyers for ${opts.duration} s, ${cars.left} cars`);
    const before = await systemProbe.snapshot();
    sampler.recordSnapshot(before);
    const phase = await purchasePhase({
      client: buyClient,
      buyers,
      cars,
      durationSeconds: opts.duration,
      onPaid: (p) => {
        driver!.paidAnswer(p);
      },
    });
    step(
      `purchase phase done: ${phase.paid.length} paid, ${phase.attempts - phase.paid.length} refused; waiting for the system to settle`,
    );
    const settleStart = performance.now();
    const deadline = settleStart + QUIET_TIMEOUT_MS;
    await driver.waitAll(deadline);
    const quiet = await waitQuiet(sys, deadline);
    const settleSeconds = (performance.now() - settleStart) / 1000;
    const after = await systemProbe.snapshot();
    sampler.recordSnapshot(after);
    const purchaseCpu = perUnit(before, after, phase.paid.length);
    const breakerOpenings =
      (after.metrics.get("purchase")?.junggo_billing_breaker_opened_total ?? 0) -
      (before.metrics.get("purchase")?.junggo_billing_breaker_opened_total ?? 0);
    step(`settled in ${settleSeconds.toFixed(1)} s${quiet ? "" : " (NOT quiet: timed out)"}`);

    const lagSeconds = Math.min(opts.duration, DASHBOARD_PHASE_SECONDS);
    step(
      `dashboard phase: ${opts.concurrency} buyers for ${lagSeconds} s, the dashboard polled for every paid purchase`,
    );
    dashboard.resume();
    const lagPhase = await purchasePhase({
      client: buyClient,
      buyers,
      cars,
      durationSeconds: lagSeconds,
      onPaid: (p) => dashboard!.paidAnswer(p),
    });
    await dashboard.waitAll(performance.now() + QUIET_TIMEOUT_MS);
    await waitQuiet(sys, performance.now() + QUIET_TIMEOUT_MS);

    // The four-subgraph query needs purchases with a driver: the driver takes some of the jobs.
    const withJob = phase.paid.filter((p) => driver!.requested.has(p.id)).slice(0, opts.queryConnections);
    let driversAssigned = 0;
    const assigned: PaidPurchase[] = [];
    for (const p of withJob) {
      const a = await setupClient.request(
        `mutation ($id: ID!) { acceptConsignment(id: $id) { id status } }`,
        { id: driver.requested.get(p.id)!.consignmentId },
        driverToken,
      );
      if (!a.errors?.length) {
        driversAssigned++;
        assigned.push(p);
      }
    }
    await waitQuiet(sys, performance.now() + QUIET_TIMEOUT_MS);

    const measureQueries = async (label: string, run: () => Promise<QueryResult>): Promise<QueryFigures> => {
      step(`${label}: ${opts.queryConnections} connections for ${opts.queryDuration} s`);
      const qClient = new GqlClient(sys!.stack.gatewayUrl, opts.queryConnections);
      clients.push(qClient);
      const b = await systemProbe.snapshot();
      sampler!.recordSnapshot(b);
      const r = await run();
      const a = await systemProbe.snapshot();
      sampler!.recordSnapshot(a);
      qClient.close();
      const cpu = perUnit(b, a, r.ok);
      return { ...r, cpuMsPerQuery: new Map([...cpu.byProcess, ["total", cpu.total]]) };
    };
    const vehicleQuery = await measureQueries("vehicle(id)", () =>
      queryPhase({
        client: clients.at(-1)!,
        query: VEHICLE,
        connections: opts.queryConnections,
        durationSeconds: opts.queryDuration,
        targets: carIds.slice(0, 256).map((id) => ({ variables: { id } })),
        complete: (d) => !!d?.vehicle?.id,
      }),
    );
    const purchaseTargets = (assigned.length ? assigned : phase.paid.slice(0, opts.queryConnections)).map(
      (p) => ({ variables: { id: p.id }, token: buyers[p.buyer]!.token }),
    );
    const purchaseQuery = purchaseTargets.length
      ? await measureQueries("purchase(id) across four subgraphs", () =>
          queryPhase({
            client: clients.at(-1)!,
            query: PURCHASE,
            connections: opts.queryConnections,
            durationSeconds: opts.queryDuration,
            targets: purchaseTargets,
            complete: (d) =>
              !!(
                d?.purchase?.vehicle?.make &&
                d.purchase.payment?.status &&
                d.purchase.consignment?.driver?.name
              ),
          }),
        )
      : {
          ok: 0,
          errors: new Map([["NO_PAID_PURCHASE", 1]]),
          latencies: [],
          elapsedSeconds: 0,
          incomplete: 0,
          cpuMsPerQuery: new Map(),
        };
    sampler.stop();

    const order = [...after.processes.keys()];
    return {
      options: opts,
      database: pg ? "PostgreSQL (throw-away cluster, system binaries)" : "PGlite",
      stackStartSeconds,
      carsRegistered: nCars,
      purchase: phase,
      breakerOpenings,
      driver: {
        latencies: driver.latencies,
        missing: driver.missing(),
        early: driver.early,
        errors: driver.errors,
      },
      dashboard: {
        lags: dashboard.lags,
        missing: dashboard.missing(),
        polls: dashboard.polls,
        pollErrors: dashboard.pollErrors,
        seconds: lagPhase.elapsedSeconds,
        paid: lagPhase.paid.length,
      },
      quiet,
      settleSeconds,
      cpuMsPerPurchase: new Map(order.map((n) => [n, purchaseCpu.byProcess.get(n)!])),
      totalCpuMsPerPurchase: purchaseCpu.total,
      workPerPurchase: {
        natsIn: (after.work.natsIn - before.work.natsIn) / Math.max(phase.paid.length, 1),
        natsOut: (after.work.natsOut - before.work.natsOut) / Math.max(phase.paid.length, 1),
        pgTransactions:
          after.work.pgTransactions === null || before.work.pgTransactions === null
            ? null
            : (after.work.pgTransactions - before.work.pgTransactions) / Math.max(phase.paid.length, 1),
      },
      benchCpuMsPerPurchase: purchaseCpu.bench,
      peakRss: new Map(order.map((n) => [n, sampler!.peaks.get(n) ?? Number.NaN])),
      peakRssTotal: sampler.peakTotal,
      rssSamples: sampler.samples,
      vehicleQuery,
      purchaseQuery,
      driversAssigned,
    };
  } finally {
    sampler?.stop();
    await driver?.close().catch(() => {});
    await dashboard?.close().catch(() => {});
    for (const c of clients) c.close();
    step("stopping the stack");
    await probe?.close().catch(() => {});
    await sys?.stop().catch((err) => log(`stopping the stack failed: ${(err as Error).message}`));
    await pg?.stop().catch(() => {});
    if (pgRoot) rmSync(pgRoot, { recursive: true, force: true });
  }
}
