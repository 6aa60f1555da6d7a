// The one table a run prints (Markdown, so it can go into the README as is).
import { cpus } from "node:os";
import type { BenchResult, QueryFigures } from "./bench.ts";
import { percentile } from "./stats.ts";

const ms = (x: number) => (Number.isFinite(x) ? (x >= 100 ? x.toFixed(0) : x.toFixed(1)) : "n/a");
const mb = (bytes: number) => (Number.isFinite(bytes) ? (bytes / 1024 / 1024).toFixed(0) : "n/a");
const pcts = (xs: number[], ps: number[]) =>
  xs.length ? `${ps.map((p) => ms(percentile(xs, p))).join(" / ")} ms` : "n/a";
const codes = (m: Map<string, number>) =>
  [...m]
    .sort((a, b) => b[1] - a[1])
    .map(([c, n]) => `${c} ${n}`)
    .join(", ");

function queryRow(q: QueryFigures): string {
  const rps = q.elapsedSeconds > 0 ? q.ok / q.elapsedSeconds : 0;
  const errs = [...q.errors.values()].reduce((a, b) => a + b, 0);
  return (
    `${rps.toFixed(0)} RPS · p50 / p99 ${pcts(q.latencies, [50, 99])} · ${q.ok} answers` +
    (errs ? ` · errors: ${codes(q.errors)}` : " · 0 errors") +
    (q.incomplete ? ` · ${q.incomplete} incomplete` : "") +
    ` · CPU ${ms(q.cpuMsPerQuery.get("total") ?? Number.NaN)} ms/query (gateway ${ms(q.cpuMsPerQuery.get("gateway") ?? Number.NaN)})`
  );
}

export function formatReport(r: BenchResult): string {
  const o = r.options;
  const p = r.purchase;
  const paid = p.paid.length;
  const refused = p.attempts - paid;
  const rows: [string, string][] = [];
  const row = (k: string, v: string) => rows.push([k, v]);

  row(
    "purchases/s",
    `${(paid / p.elapsedSeconds).toFixed(1)} (${paid} paid, ${p.attempts} requests in ${p.elapsedSeconds.toFixed(1)} s${p.outOfCars ? "; RAN OUT OF CARS: raise --cars" : ""})`,
  );
  row("requestPurchase p50 / p95 / p99 (paid)", pcts(p.paidLatencies, [50, 95, 99]));
  row("requestPurchase p50 / p95 / p99 (refused)", pcts(p.refusedLatencies, [50, 95, 99]));
  row(
    "refusals by code",
    refused
      ? `${refused}: ${codes(p.refusals)}${p.retryWaitSeconds > 0 ? ` (buyers waited ${p.retryWaitSeconds.toFixed(0)} s in all, as retry hints asked)` : ""}`
      : "0",
  );
  row("billing breaker openings", String(r.breakerOpenings));
  row(
    "consignment REQUESTED → driver p50 / p99",
    `${pcts(r.driver.latencies, [50, 99])} (n ${r.driver.latencies.length}` +
      `${r.driver.missing ? `, ${r.driver.missing} NEVER ARRIVED` : ""}${r.driver.early ? `, ${r.driver.early} before the paid answer` : ""}${r.driver.errors.length ? `, ${r.driver.errors.length} errors` : ""})`,
  );
  row(
    "dashboard row lag p50 / p99",
    `${pcts(r.dashboard.lags, [50, 99])} (n ${r.dashboard.lags.length}${r.dashboard.missing ? `, ${r.dashboard.missing} NEVER SHOWN` : ""}; ` +
      `${r.dashboard.polls} polls${r.dashboard.pollErrors.size ? `, poll errors: ${codes(r.dashboard.pollErrors)}` : ""}; own phase: ${(r.dashboard.paid / Math.max(r.dashboard.seconds, 1e-9)).toFixed(1)} purchases/s for ${r.dashboard.seconds.toFixed(0)} s)`,
  );
  row(
    "settled after the phase",
    `${r.settleSeconds.toFixed(1)} s${r.quiet ? "" : " — NOT QUIET (timed out): CPU figures miss the rest"}`,
  );
  row("CPU ms / purchase: total", `${ms(r.totalCpuMsPerPurchase)}`);
  const w = r.workPerPurchase;
  row(
    "work / purchase",
    `${w.natsIn.toFixed(1)} NATS messages in, ${w.natsOut.toFixed(1)} out${w.pgTransactions === null ? "" : `; ${w.pgTransactions.toFixed(1)} PostgreSQL transactions`}`,
  );
  for (const [name, v] of r.cpuMsPerPurchase) row(`CPU ms / purchase: ${name}`, ms(v));
  row("peak RSS MB: total (peak of the sum)", mb(r.peakRssTotal));
  for (const [name, v] of r.peakRss) row(`peak RSS MB: ${name}`, mb(v));
  row(`vehicle(id) · ${o.queryConnections} conns × ${o.queryDuration} s`, queryRow(r.vehicleQuery));
  row(
    `purchase(id) 4 subgraphs · ${o.queryConnections} conns × ${o.queryDuration} s`,
    queryRow(r.purchaseQuery),
  );

  const width = Math.max(...rows.map(([k]) => k.length));
  const header = `Junggo benchmark · ${r.database} · ${o.concurrency} buyers × ${o.duration} s · ${r.carsRegistered} cars · node ${process.version} · ${cpus().length} cores · ${new Date().toISOString().slice(0, 16)}Z`;
  const notes = [
    `stack started in ${r.stackStartSeconds.toFixed(1)} s; load generator on the same machine (${ms(r.benchCpuMsPerPurchase)} ms CPU per purchase of its own, not in the total)`,
    "CPU: each Node service's process_cpu_seconds_total (/metrics); NATS, PostgreSQL and service child processes from /proc; from the phase's first request until the system was quiet again",
    `RSS: /proc every 250 ms (${r.rssSamples} samples) and each service's process_resident_memory_bytes; PostgreSQL = sum over its processes (shared memory counted in each)`,
    `purchase(id) 4 subgraphs: purchase { vehicle (stock), payment (billing), consignment { driver (identity) } }; observers: 1 driver on deliveryStatusChanged (graphql-ws); dashboard polled by staff every ≥ 25 ms while a row is awaited (one request: myDashboard(first: 64) + purchaseView of the 4 oldest awaited), in a phase of its own after the purchase phase (same buyers), so its polling is not in the CPU figures; ${r.driversAssigned} jobs taken by the driver for purchase(id)`,
  ];
  return [
    header,
    "",
    `| ${"metric".padEnd(width)} | value |`,
    `| ${"-".repeat(width)} | ----- |`,
    ...rows.map(([k, v]) => `| ${k.padEnd(width)} | ${v} |`),
    "",
    ...notes.map((n) => `- ${n}`),
  ].join("\n");
}
