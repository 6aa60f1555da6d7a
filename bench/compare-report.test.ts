import { describe, expect, it } from "vitest";
import { parseCompareArgs } from "./compare.ts";
import { compareTable, median, parseReport, roundOrder } from "./compare-report.ts";
import { defaultCars } from "./options.ts";

// Lines of a real report (npm run bench, 2026-12-03), with progress output around it.
const REPORT = `[bench  159.0 s] stopping the stack

Junggo benchmark · PostgreSQL (throw-away cluster, system binaries) · 32 buyers × 60 s · 4202 cars

| metric                                      | value |
| ------------------------------------------- | ----- |
| purchases/s                                 | 54.3 (3288 paid, 3288 requests in 60.6 s) |
| requestPurchase p50 / p95 / p99 (paid)      | 586 / 786 / 947 ms |
| requestPurchase p50 / p95 / p99 (refused)   | n/a |
| refusals by code                            | 0 |
| billing breaker openings                    | 0 |
| consignment REQUESTED → driver p50 / p99    | 96.7 / 299 ms (n 3288, 16 before the paid answer) |
| dashboard row lag p50 / p99                 | 266 / 634 ms (n 433; 106 polls; own phase: 41.0 purchases/s for 11 s) |
| CPU ms / purchase: total                    | 34.4 |
| work / purchase                             | 38.6 NATS messages in, 39.0 out; 15.8 PostgreSQL transactions |
| CPU ms / purchase: purchase                 | 4.6 |
| CPU ms / purchase: postgres (all processes) | 8.5 |
| peak RSS MB: total (peak of the sum)        | 3545 |
| peak RSS MB: gateway                        | 330 |
| vehicle(id) · 32 conns × 20 s               | 654 RPS · p50 / p99 45.5 / 115 ms · 13092 answers · 0 errors · CPU 2.5 ms/query (gateway 1.1) |
| purchase(id) 4 subgraphs · 32 conns × 20 s  | 128 RPS · p50 / p99 241 / 470 ms · 2572 answers · 0 errors · CPU 14.2 ms/query (gateway 2.9) |

- stack started in 9.9 s`;

describe("bench:compare", () => {
  it("reads every figure of a report back", () => {
    const f = parseReport(REPORT);
    expect(f.get("purchases/s")).toBe(54.3);
    expect(f.get("refused")).toBe(0);
    expect(f.get("breaker openings")).toBe(0);
    expect(f.get("requestPurchase p99 ms")).toBe(947);
    expect(f.get("driver p50 ms")).toBe(96.7);
    expect(f.get("dashboard lag p99 ms")).toBe(634);
    expect(f.get("cpu ms/purchase: total")).toBe(34.4);
    expect(f.get("cpu ms/purchase: purchase")).toBe(4.6);
    expect(f.get("cpu ms/purchase: postgres")).toBe(8.5);
    expect(f.get("NATS messages out/purchase")).toBe(39);
    expect(f.get("transactions/purchase")).toBe(15.8);
    expect(f.get("peak RSS MB: total")).toBe(3545);
    expect(f.has("peak RSS MB: gateway")).toBe(false);
    expect(f.get("vehicle(id) RPS")).toBe(654);
    expect(f.get("purchase(id) cpu ms/query")).toBe(14.2);
    expect(f.get("ran out of cars")).toBe(0);
    expect(
      parseReport(REPORT.replace("60.6 s)", "60.6 s; RAN OUT OF CARS: raise --cars)")).get("ran out of cars"),
    ).toBe(1);
  });

  it("refuses an output without a table (a failed run)", () => {
    expect(() => parseReport("bench failed: Error: PostgreSQL did not start")).toThrow(/no benchmark table/);
  });

  it("pairs the runs of each round and reports the median change", () => {
    const run = (rate: number, cpu: number) =>
      new Map([
        ["purchases/s", rate],
        ["cpu ms/purchase: total", cpu],
      ]);
    // The machine slowed down between the rounds: each round's pair still shows the 10% gain.
    const table = compareTable("abc1234", [run(50, 40), run(40, 50)], [run(55, 36), run(44, 45)]);
    const rows = table.split("\n");
    expect(rows[0]).toContain("abc1234");
    expect(rows.find((r) => r.startsWith("| purchases/s "))).toBe(
      "| purchases/s | 50.0, 40.0 | 45.0 | 55.0, 44.0 | 49.5 | +10.0% |",
    );
    expect(rows.find((r) => r.startsWith("| cpu ms/purchase: total "))).toContain("| -10.0% |");
    expect(() => compareTable("x", [run(1, 1)], [])).toThrow();
    expect(median([3, Number.NaN, 1, 2])).toBe(2);
  });

  it("alternates which tree runs first", () => {
    expect([0, 1, 2, 3].map(roundOrder)).toEqual([
      ["base", "work"],
      ["work", "base"],
      ["base", "work"],
      ["work", "base"],
    ]);
  });

  it("takes a revision, --rounds and the benchmark's own options, giving both sides the same cars", () => {
    expect(parseCompareArgs(["HEAD~1", "--duration", "30"])).toEqual({
      revision: "HEAD~1",
      rounds: 2,
      benchArgs: ["--duration", "30", "--cars", String(defaultCars(30))],
    });
    expect(parseCompareArgs(["v1", "--rounds", "3", "--cars", "900"])).toEqual({
      revision: "v1",
      rounds: 3,
      benchArgs: ["--cars", "900"],
    });
    expect(parseCompareArgs(["--help"])).toBe("help");
    expect(() => parseCompareArgs([])).toThrow(/which revision/);
    expect(() => parseCompareArgs(["--duration", "30"])).toThrow(/which revision/);
    expect(() => parseCompareArgs(["HEAD", "--rounds", "0"])).toThrow(/--rounds/);
    expect(() => parseCompareArgs(["HEAD", "--duration", "x"])).toThrow();
  });
});
