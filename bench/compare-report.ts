// Reads the figures back out of the table `npm run bench` prints (report.ts), and puts runs of two
// trees side by side. Pure: bench/compare.ts runs the benchmarks.

/** A figure of one run, by a stable name (e.g. `purchases/s`, `cpu.total`, `vehicle.rps`). */
export type Figures = Map<string, number>;

const num = (s: string | undefined) => (s === undefined ? Number.NaN : Number(s));

/**
 * The figures of a report (the Markdown table of report.ts; any other output around it is
 * ignored). Throws when the table is not there: a run that failed has no figures.
 */
export function parseReport(text: string): Figures {
  const rows = new Map<string, string>();
  for (const line of text.split("\n")) {
    const m = /^\|\s*(.+?)\s*\|\s*(.+?)\s*\|\s*$/.exec(line);
    if (m && !/^-+$/.test(m[1]!)) rows.set(m[1]!, m[2]!);
  }
  const purchases = rows.get("purchases/s");
  if (!purchases) throw new Error("no benchmark table in the output (did the run fail?)");
  const f: Figures = new Map();
  const first = (key: string, pattern: RegExp, names: string[]) => {
    const value = rows.get(key);
    const m = value === undefined ? null : pattern.exec(value);
    for (const [i, name] of names.entries()) f.set(name, num(m?.[i + 1]));
  };
  first("purchases/s", /^([\d.]+)/, ["purchases/s"]);
  const refusals = rows.get("refusals by code");
  f.set("refused", refusals === undefined ? Number.NaN : num(/^(\d+)/.exec(refusals)?.[1]));
  first("billing breaker openings", /^(\d+)/, ["breaker openings"]);
  first("requestPurchase p50 / p95 / p99 (paid)", /^([\d.]+) \/ ([\d.]+) \/ ([\d.]+) ms/, [
    "requestPurchase p50 ms",
    "requestPurchase p95 ms",
    "requestPurchase p99 ms",
  ]);
  first("consignment REQUESTED → driver p50 / p99", /^([\d.]+) \/ ([\d.]+) ms/, [
    "driver p50 ms",
    "driver p99 ms",
  ]);
  first("dashboard row lag p50 / p99", /^([\d.]+) \/ ([\d.]+) ms/, [
    "dashboard lag p50 ms",
    "dashboard lag p99 ms",
  ]);
  first(
    "work / purchase",
    /^([\d.]+) NATS messages in, ([\d.]+) out(?:; ([\d.]+) PostgreSQL transactions)?/,
    ["NATS messages in/purchase", "NATS messages out/purchase", "transactions/purchase"],
  );
  for (const [key, value] of rows) {
    const cpu = /^CPU ms \/ purchase: (\S+)/.exec(key);
    if (cpu) f.set(`cpu ms/purchase: ${cpu[1]}`, num(/^([\d.]+)/.exec(value)?.[1]));
    const rss = /^peak RSS MB: (\S+)/.exec(key);
    if (rss?.[1] === "total") f.set("peak RSS MB: total", num(/^(\d+)/.exec(value)?.[1]));
  }
  const query = (prefix: string, name: string) => {
    const key = [...rows.keys()].find((k) => k.startsWith(prefix));
    const value = key ? rows.get(key)! : "";
    f.set(`${name} RPS`, num(/^(\d+) RPS/.exec(value)?.[1]));
    f.set(`${name} cpu ms/query`, num(/CPU ([\d.]+) ms\/query/.exec(value)?.[1]));
  };
  query("vehicle(id)", "vehicle(id)");
  query("purchase(id)", "purchase(id)");
  f.set("ran out of cars", purchases.includes("RAN OUT OF CARS") ? 1 : 0);
  return f;
}

export const median = (xs: number[]): number => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

const show = (x: number) => (Number.isFinite(x) ? (Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(1)) : "n/a");

/**
 * One Markdown table: each figure's runs and median for the base and for the working tree, and
 * the median of the per-round ratios (working tree ÷ base of the same round). Rounds pair runs
 * made minutes apart, so the ratio is what survives this VM's drift in speed.
 */
export function compareTable(baseLabel: string, base: Figures[], work: Figures[]): string {
  if (base.length === 0 || base.length !== work.length)
    throw new Error("need the same number of runs on each side, at least one");
  const names = [...new Set([...base, ...work].flatMap((f) => [...f.keys()]))];
  const lines = [
    `| figure | ${baseLabel}: runs | median | working tree: runs | median | paired change |`,
    "|---|---|---|---|---|---|",
  ];
  for (const name of names) {
    const b = base.map((f) => f.get(name) ?? Number.NaN);
    const w = work.map((f) => f.get(name) ?? Number.NaN);
    const ratios = b.map((x, i) => (x > 0 && Number.isFinite(w[i]!) ? w[i]! / x : Number.NaN));
    const r = median(ratios);
    const change = Number.isFinite(r) ? `${r >= 1 ? "+" : ""}${((r - 1) * 100).toFixed(1)}%` : "–";
    lines.push(
      `| ${name} | ${b.map(show).join(", ")} | ${show(median(b))} | ${w.map(show).join(", ")} | ${show(median(w))} | ${change} |`,
    );
  }
  return lines.join("\n");
}

/** Which tree runs first in each round: ABBA, so a machine speeding up or slowing down steadily favours neither. */
export const roundOrder = (round: number): ["base", "work"] | ["work", "base"] =>
  round % 2 === 0 ? ["base", "work"] : ["work", "base"];
