import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { Logger } from "@junggo/runtime";
import { freePort } from "../src/ports.ts";
import { ManagedProcess } from "../src/process.ts";
import { Supervisor, type SupervisorOptions } from "../src/supervisor.ts";

// The supervisor of `npm run up` against tiny real processes (test/support/toy-service.mjs), where
// crash loops and liveness failures can be produced on demand and timed precisely.
const dir = mkdtempSync(join(tmpdir(), "junggo-supervisor-"));
const TOY = new URL("./support/toy-service.mjs", import.meta.url).pathname;
let running: { sup: Supervisor; proc: ManagedProcess } | null = null;

afterEach(async () => {
  running?.sup.stop();
  await running?.proc.kill();
  running = null;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function supervised(env: Record<string, string>, opts: Partial<SupervisorOptions>) {
  const port = await freePort();
  const proc = new ManagedProcess({
    name: "toy",
    command: process.execPath,
    args: [TOY],
    env: { PORT: String(port), ...env },
    cwd: dir,
    logFile: join(dir, `toy-${port}.log`),
    healthUrl: `http://127.0.0.1:${port}/healthz`,
  });
  const logged: { msg: string; fields: Record<string, unknown> }[] = [];
  const rec: Logger["info"] = (msg, fields = {}) => {
    logged.push({ msg, fields });
  };
  const log: Logger = { debug: rec, info: rec, warn: rec, error: rec, child: () => log };
  await proc.start(10_000);
  const sup = new Supervisor([["toy", proc]], {
    livenessPeriodMs: 200,
    livenessFailures: 3,
    livenessTimeoutMs: 200,
    backoffBaseMs: 200,
    ...opts,
    log,
  });
  sup.start();
  running = { sup, proc };
  return { proc, sup, logged };
}

async function until(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("Supervisor", () => {
  it("restarts a crash-looping process with exponential backoff and logs each restart with its reason", async () => {
    const { proc, sup, logged } = await supervised({ CRASH_AFTER_MS: "600" }, { stableAfterMs: 60_000 });
    await until(() => sup.restarts.length >= 3 && sup.restarts[2]!.healthyAt !== null, "three restarts");
    const [a, b, c] = sup.restarts;
    expect([a, b, c].map((r) => [r!.reason, r!.attempt, r!.delayMs])).toEqual([
      ["crashed", 1, 200],
      ["crashed", 2, 400],
      ["crashed", 3, 800],
    ]);
    expect(a!.detail).toBe("exited (code 1, signal null)");
    // The delay is really waited before the process is started again.
    for (const r of [a, b, c]) expect(r!.healthyAt! - r!.at).toBeGreaterThanOrEqual(r!.delayMs);
    expect(proc.starts).toBeGreaterThanOrEqual(4);
    expect(
      logged
        .filter((l) => l.msg === "restarting service")
        .slice(0, 3)
        .map((l) => l.fields),
    ).toEqual(
      [a, b, c].map((r) => ({
        service: "toy",
        reason: "crashed",
        detail: r!.detail,
        attempt: r!.attempt,
        delayMs: r!.delayMs,
      })),
    );
  });

  it("starts from the base delay again after the process stayed up for stableAfterMs", async () => {
    const { sup } = await supervised({ CRASH_AFTER_MS: "900" }, { stableAfterMs: 500 });
    await until(() => sup.restarts.length >= 3, "three restarts");
    expect(sup.restarts.slice(0, 3).map((r) => [r.attempt, r.delayMs])).toEqual([
      [1, 200],
      [1, 200],
      [1, 200],
    ]);
  });

  it("SIGKILLs and restarts a process that stops answering its liveness probe (SIGSTOP)", async () => {
    const { proc, sup, logged } = await supervised({}, {});
    const pid = proc.pid;
    proc.pause();
    await until(() => sup.restarts[0]?.healthyAt != null, "the hung process to be replaced");
    expect(sup.restarts).toHaveLength(1);
    expect(sup.restarts[0]).toMatchObject({ service: "toy", reason: "liveness", attempt: 1 });
    expect(sup.restarts[0]!.detail).toBe("liveness probe failed 3 times in a row (no answer within 200 ms)");
    expect(proc.pid).not.toBe(pid);
    expect(proc.paused).toBe(false);
    expect(proc.running).toBe(true);
    expect(logged.filter((l) => l.msg === "liveness probe failed").map((l) => l.fields.failures)).toEqual([
      1, 2, 3,
    ]);
    expect(await fetch(proc.spec.healthUrl!).then((r) => r.status)).toBe(200);
  });

  it("restarts a process whose health check answers an error, with backoff while it stays sick", async () => {
    const { sup } = await supervised({ SICK_AFTER_MS: "600" }, { stableAfterMs: 60_000 });
    await until(() => sup.restarts.length >= 2, "two restarts");
    expect(sup.restarts.slice(0, 2).map((r) => [r.reason, r.attempt, r.delayMs])).toEqual([
      ["liveness", 1, 200],
      ["liveness", 2, 400],
    ]);
    expect(sup.restarts[0]!.detail).toBe("liveness probe failed 3 times in a row (HTTP 503)");
  });

  it("reads LIVENESS_PERIOD_MS, LIVENESS_FAILURES and LIVENESS_TIMEOUT_MS, with Kubernetes-like defaults", () => {
    expect(Supervisor.optionsFromEnv({})).toEqual({
      livenessPeriodMs: 5000,
      livenessFailures: 3,
      livenessTimeoutMs: 2000,
    });
    expect(
      Supervisor.optionsFromEnv({
        LIVENESS_PERIOD_MS: "1000",
        LIVENESS_FAILURES: "5",
        LIVENESS_TIMEOUT_MS: "500",
      }),
    ).toEqual({ livenessPeriodMs: 1000, livenessFailures: 5, livenessTimeoutMs: 500 });
    expect(() => Supervisor.optionsFromEnv({ LIVENESS_FAILURES: "zero" })).toThrow(/LIVENESS_FAILURES/);
    expect([1, 2, 3, 10].map((n) => Supervisor.backoff(n, 500, 15_000))).toEqual([500, 1000, 2000, 15_000]);
  });
});
