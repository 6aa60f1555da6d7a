import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Supervisor, type RestartRecord } from "@junggo/devstack";
import type { Logger } from "@junggo/runtime";
import { eventually, TestSystem } from "../support/harness.ts";
import {
  burst,
  buyOp,
  Chaos,
  registerFleet,
  retriesOf,
  StreamLog,
  untilConsistent,
  type Scenario,
} from "../support/chaos.ts";

// Issue #4: `npm run up`'s supervisor restarts a crashed service and a hung one (failing liveness
// probes) by itself, while purchases keep coming; nothing accepted meanwhile is lost.
const PURCHASES = Number(process.env.CHAOS_HEALING_PURCHASES ?? 60);

let sys: TestSystem;
let supervisor: Supervisor;
const logged: { level: string; msg: string; fields: Record<string, unknown> }[] = [];
const capture =
  (level: string): Logger["info"] =>
  (msg, fields = {}) => {
    logged.push({ level, msg, fields });
  };
const log: Logger = {
  debug: capture("debug"),
  info: capture("info"),
  warn: capture("warn"),
  error: capture("error"),
  child: () => log,
};

beforeAll(async () => {
  sys = await TestSystem.start();
});
afterAll(async () => {
  supervisor?.stop();
  await sys?.stop();
});

describe("self-healing supervisor", () => {
  it("restarts a SIGKILLed and a SIGSTOPped service during a burst; every accepted purchase reaches its effects", async () => {
    const staff = await sys.login("staff@junggo.test");
    const buyer = await sys.login("buyer@junggo.test");
    const fleet = await registerFleet(sys, staff, "Chaos", "SelfHealing", PURCHASES);
    const stream = new StreamLog(sys);
    const chaos = new Chaos(sys);

    // The same supervisor `npm run up` uses, with a faster probe so the test needs seconds, not minutes.
    supervisor = new Supervisor([["nats", sys.stack.nats], ...sys.stack.services], {
      livenessPeriodMs: 1000,
      livenessFailures: 3,
      livenessTimeoutMs: 2000,
      backoffBaseMs: 250,
      log,
    });
    supervisor.start();
    const crashed = chaos.process("stock"),
      hung = chaos.process("consignment");
    const [crashedPid, hungPid] = [crashed.pid, hung.pid];
    const [crashedStarts, hungStarts] = [crashed.starts, hung.starts];

    const buys = burst(PURCHASES, buyOp(sys, buyer, fleet), 4);
    await buys.reached(Math.floor(PURCHASES / 6));
    await chaos.kill("stock");
    chaos.pause("consignment");
    const faultAt = Date.now();

    // Only the supervisor starts processes from here on: the test never calls start().
    const healed = await eventually(
      async () => {
        const byService = (name: string) =>
          supervisor.restarts.find((r) => r.service === name && r.healthyAt !== null);
        const s = byService("stock"),
          c = byService("consignment");
        return s && c && (await chaos.answers("stock")) && (await chaos.answers("consignment"))
          ? { stock: s, consignment: c }
          : null;
      },
      "the supervisor to restart stock and consignment",
      90_000,
    );
    await buys.done;

    expect(healed.stock).toMatchObject({ reason: "crashed", attempt: 1 });
    expect(healed.stock.detail).toMatch(/SIGKILL/);
    expect(healed.consignment).toMatchObject({ reason: "liveness", attempt: 1 });
    expect(healed.consignment.detail).toMatch(/liveness probe failed 3 times/);
    expect(crashed.pid).not.toBe(crashedPid);
    expect(hung.pid).not.toBe(hungPid);
    expect(crashed.starts - crashedStarts).toBe(1);
    expect(hung.starts - hungStarts).toBe(1);
    expect(hung.paused).toBe(false);
    // Nothing else was restarted, and each restart was logged with its reason.
    expect(supervisor.restarts.map((r) => r.service).sort()).toEqual(["consignment", "stock"]);
    for (const r of supervisor.restarts) {
      expect(
        logged.find((l) => l.msg === "restarting service" && l.fields.service === r.service)?.fields,
      ).toMatchObject({ reason: r.reason, detail: r.detail });
      expect(logged.some((l) => l.msg === "service restarted" && l.fields.service === r.service)).toBe(true);
    }
    expect(
      logged.filter((l) => l.msg === "liveness probe failed" && l.fields.service === "consignment").length,
    ).toBeGreaterThanOrEqual(3);

    // Neither service is on the purchase path (purchase → billing only): every purchase went through.
    expect(buys.codes()).toEqual({});
    const accepted = buys.accepted();
    expect(accepted).toHaveLength(PURCHASES);
    const scenario: Scenario = {
      make: "Chaos",
      model: "SelfHealing",
      vehicleIds: fleet,
      accepted: accepted.map((b) => b.id),
    };
    const report = await untilConsistent(sys, staff, scenario, stream);
    expect(report.violations).toEqual([]);
    expect(report.byStatus).toEqual({ PAID: PURCHASES });

    const downFor = (r: RestartRecord) =>
      `${((r.healthyAt! - r.at) / 1000).toFixed(1)} s from ${r.reason === "liveness" ? "kill" : "exit"} to healthy`;
    console.log(`self-healing (supervisor, liveness every 1 s, 3 failures):
  operations               ${PURCHASES} purchases, ${accepted.length} accepted (${retriesOf(accepted)} retries after PAYMENT_UNAVAILABLE), p95 ${buys.latency(95)} ms
  faults injected          ${chaos.injected} (${chaos.describe()})
  stock (SIGKILL)          restarted by the supervisor: ${healed.stock.detail}; ${downFor(healed.stock)}
  consignment (SIGSTOP)    restarted by the supervisor: ${healed.consignment.detail}; detected ${((healed.consignment.at - faultAt) / 1000).toFixed(1)} s after SIGSTOP, ${downFor(healed.consignment)}
  effects consistent       ${(report.ms / 1000).toFixed(1)} s after the burst; ${report.events} events, ${report.duplicateEventIds} duplicate event ids
  violations               ${report.violations.length}`);
  }, 300_000);
});
