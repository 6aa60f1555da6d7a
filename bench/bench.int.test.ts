// A seconds-long run of the benchmark (`npm run bench -- --smoke`): its own stack, 4 buyers for
// 5 s, 3 s query phases. Checks that every figure of the table is measured and sane, not how
// fast the system is. Most of the time goes into starting the stack.
import { describe, expect, it } from "vitest";
import { SUBGRAPH_NAMES } from "@junggo/runtime";
import { runBench, type BenchResult } from "./bench.ts";
import { parseReport } from "./compare-report.ts";
import { parseOptions } from "./options.ts";
import { formatReport } from "./report.ts";

describe("npm run bench -- --smoke", () => {
  it("runs the whole benchmark and prints one table with sane figures", async () => {
    const opts = parseOptions(["--smoke"]);
    if (opts === "help") throw new Error("unexpected");
    const r: BenchResult = await runBench(opts, () => {});
    const table = formatReport(r);
    console.log(table);

    const paid = r.purchase.paid.length;
    expect(paid).toBeGreaterThan(0);
    expect(r.purchase.attempts).toBeGreaterThanOrEqual(paid);
    const refusals = [...r.purchase.refusals.values()].reduce((a, b) => a + b, 0);
    expect(refusals).toBe(r.purchase.attempts - paid);
    expect(r.purchase.paidLatencies).toHaveLength(paid);
    expect(r.breakerOpenings).toBeGreaterThanOrEqual(0);

    // Every paid purchase reached the driver (and every one of the dashboard phase the dashboard), and the system settled.
    expect(r.quiet).toBe(true);
    expect(r.driver.latencies).toHaveLength(paid);
    expect(r.driver.missing).toBe(0);
    expect(r.dashboard.paid).toBeGreaterThan(0);
    expect(r.dashboard.lags).toHaveLength(r.dashboard.paid);
    expect(r.dashboard.missing).toBe(0);
    for (const x of [...r.driver.latencies, ...r.dashboard.lags, ...r.purchase.paidLatencies])
      expect(x).toBeGreaterThanOrEqual(0);

    // A CPU and a peak RSS figure for every process: every subgraph, the gateway, NATS.
    const processes = [...r.cpuMsPerPurchase.keys()];
    for (const name of [...SUBGRAPH_NAMES, "gateway", "nats"]) expect(processes).toContain(name);
    for (const [name, cpu] of r.cpuMsPerPurchase) {
      expect(cpu, `CPU ms per purchase of ${name}`).toBeGreaterThan(0);
      expect(cpu, `CPU ms per purchase of ${name}`).toBeLessThan(60_000);
      expect(r.peakRss.get(name), `peak RSS of ${name}`).toBeGreaterThan(1024 * 1024);
    }
    const sum = [...r.cpuMsPerPurchase.values()].reduce((a, b) => a + b, 0);
    expect(r.totalCpuMsPerPurchase).toBeCloseTo(sum, 6);
    expect(r.peakRssTotal).toBeGreaterThanOrEqual(Math.max(...r.peakRss.values()));
    expect(r.rssSamples).toBeGreaterThan(10);

    // Both query phases answered, the four-subgraph one with a driver.
    expect(r.vehicleQuery.ok).toBeGreaterThan(0);
    expect(r.vehicleQuery.incomplete).toBe(0);
    expect(r.vehicleQuery.cpuMsPerQuery.get("total")).toBeGreaterThan(0);
    expect(r.driversAssigned).toBeGreaterThan(0);
    expect(r.purchaseQuery.ok).toBeGreaterThan(0);
    expect(r.purchaseQuery.incomplete).toBe(0);

    for (const label of [
      "purchases/s",
      "requestPurchase p50 / p95 / p99",
      "refusals by code",
      "billing breaker openings",
      "REQUESTED → driver",
      "dashboard row lag",
      "CPU ms / purchase: total",
      "peak RSS MB: total",
      "vehicle(id)",
      "purchase(id) 4 subgraphs",
    ])
      expect(table).toContain(label);
    expect(table).not.toContain("NaN");

    // bench:compare reads the figures back from this very table.
    const figures = parseReport(table);
    expect(figures.get("purchases/s")).toBeCloseTo(paid / r.purchase.elapsedSeconds, 0);
    expect(figures.get("refused")).toBe(refusals);
    expect(figures.get("cpu ms/purchase: total")).toBeGreaterThan(0);
    expect(figures.get("cpu ms/purchase: purchase")).toBeGreaterThan(0);
    expect(figures.get("requestPurchase p99 ms")).toBeGreaterThan(0);
    expect(figures.get("driver p99 ms")).toBeGreaterThanOrEqual(0);
    expect(figures.get("vehicle(id) RPS")).toBeGreaterThan(0);
    expect(figures.get("purchase(id) cpu ms/query")).toBeGreaterThan(0);
  }, 420_000);
});
