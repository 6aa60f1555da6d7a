import { describe, expect, it } from "vitest";
import { PeriodicTask } from "../src/periodic.ts";
import type { Logger } from "../src/logger.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function recordingLog() {
  const warned: { msg: string; fields: Record<string, unknown> }[] = [];
  const log: Logger = {
    debug: () => {},
    info: () => {},
    warn: (msg, fields = {}) => {
      warned.push({ msg, fields });
    },
    error: () => {},
    child: () => log,
  };
  return { log, warned };
}

describe("PeriodicTask", () => {
  it("runs its pass every period, never two at once", async () => {
    const { log } = recordingLog();
    let active = 0,
      peak = 0,
      passes = 0;
    const task = new PeriodicTask({
      name: "slow pass",
      periodMs: 20,
      log,
      pass: async () => {
        active++;
        peak = Math.max(peak, active);
        await sleep(70);
        active--;
        passes++;
      },
    }).start();
    await sleep(400);
    await task.stop();
    expect(peak).toBe(1);
    expect(passes).toBeGreaterThanOrEqual(2);
  });

  it("logs a failed pass with the task's name and runs the next one", async () => {
    const { log, warned } = recordingLog();
    let calls = 0;
    const task = new PeriodicTask({
      name: "flaky pass",
      periodMs: 10,
      log,
      pass: async () => {
        if (++calls === 1) throw new Error("database went away");
      },
    }).start();
    while (calls < 3) await sleep(5);
    await task.stop();
    expect(warned[0]).toEqual({ msg: "flaky pass failed", fields: { err: "database went away" } });
    expect(warned).toHaveLength(1);
  });

  it("stop waits for the pass in hand and no pass starts afterwards", async () => {
    const { log } = recordingLog();
    let finished = false,
      started = 0;
    const task = new PeriodicTask({
      name: "pass",
      periodMs: 10,
      log,
      pass: async () => {
        started++;
        await sleep(100);
        finished = true;
      },
    }).start();
    const running = task.tick();
    expect(task.tick()).toBe(running); // joined, not doubled
    await task.stop();
    expect(finished).toBe(true);
    await sleep(50);
    expect(started).toBe(1);
  });

  it("refuses a period that is not a positive number, naming the setting", () => {
    const { log } = recordingLog();
    const pass = async () => {};
    expect(
      () => new PeriodicTask({ name: "hold sweep", periodMs: 0, periodSetting: "HOLD_SWEEP_MS", log, pass }),
    ).toThrow("HOLD_SWEEP_MS must be a positive number of milliseconds, got 0");
    expect(() => new PeriodicTask({ name: "hold sweep", periodMs: Number.NaN, log, pass })).toThrow(
      "hold sweep period must be a positive number of milliseconds, got NaN",
    );
  });
});
