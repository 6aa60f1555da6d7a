import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EVENT_STREAM } from "@junggo/events";
import { eventually, TestSystem } from "../support/harness.ts";
import { Q } from "../support/junggo.ts";
import {
  burst,
  buyOp,
  cancelOp,
  Chaos,
  figures,
  outboxPending,
  registerFleet,
  retriesOf,
  StreamLog,
  untilConsistent,
  type Scenario,
} from "../support/chaos.ts";

// Issue #4, tests 5 and 6: real processes stopped, frozen and killed during bursts of purchases
// through the gateway; afterwards every effect must appear exactly once.
const PURCHASES = Number(process.env.CHAOS_PURCHASES ?? 100);
const CONCURRENCY = 6;

let sys: TestSystem;
let stream: StreamLog;
let staff: string, buyer: string, driver: string;
let outageFleet: string[], natsFleet: string[];

beforeAll(async () => {
  const t0 = Date.now();
  sys = await TestSystem.start();
  const t1 = Date.now();
  stream = new StreamLog(sys);
  [staff, buyer, driver] = [
    await sys.login("staff@junggo.test"),
    await sys.login("buyer@junggo.test"),
    await sys.login("driver@junggo.test"),
  ];
  outageFleet = await registerFleet(sys, staff, "Chaos", "Outage", PURCHASES);
  natsFleet = await registerFleet(sys, staff, "Chaos", "NatsFault", PURCHASES);
  console.log(
    `setup: stack up in ${((t1 - t0) / 1000).toFixed(1)} s, ${2 * PURCHASES} vehicles registered and projected in ${((Date.now() - t1) / 1000).toFixed(1)} s`,
  );
});
afterAll(async () => {
  await sys?.stop();
});

describe("resilience", () => {
  it("5. consignment, stock and dashboard stopped for a burst: every purchase accepted, every effect once after restart", async () => {
    const chaos = new Chaos(sys);
    const down = ["consignment", "stock", "dashboard"] as const;
    await Promise.all(down.map((n) => chaos.kill(n, "SIGTERM")));
    for (const n of down) {
      expect(chaos.process(n).running, `${n} process`).toBe(false);
      expect(await chaos.answers(n), `${n} answering`).toBe(false);
    }
    const downAt = Date.now();

    // Purchase calls only billing synchronously: none of the stopped contexts is on that path.
    const buys = burst(PURCHASES, buyOp(sys, buyer, outageFleet), CONCURRENCY);
    await buys.done;
    expect(buys.codes()).toEqual({});
    const bought = buys.accepted();
    expect(bought).toHaveLength(PURCHASES);

    // Some buyers change their mind while the delivery and stock contexts are still away.
    const cancelled = bought.slice(0, Math.ceil(PURCHASES / 10)).map((b) => b.id);
    const cancels = burst(cancelled.length, cancelOp(sys, buyer, cancelled), CONCURRENCY);
    await cancels.done;
    expect(cancels.codes()).toEqual({});

    // The missed events wait in the stream for the stopped contexts' durable consumers.
    const jsm = await sys.nc.jetstreamManager();
    for (const n of down) {
      await eventually(
        async () => (await jsm.consumers.info(EVENT_STREAM, n)).num_pending >= PURCHASES + cancelled.length,
        `${n}'s backlog in the stream`,
      );
    }

    const restartAt = Date.now();
    await Promise.all(down.map((n) => chaos.start(n)));
    const scenario: Scenario = {
      make: "Chaos",
      model: "Outage",
      vehicleIds: outageFleet,
      accepted: bought.map((b) => b.id),
    };
    const recovered = await untilConsistent(sys, staff, scenario, stream);
    expect(recovered.violations).toEqual([]);
    expect(recovered.byStatus).toEqual({ PAID: PURCHASES - cancelled.length, CANCELLED: cancelled.length });

    // The state machine keeps going after the outage: picked-up cars leave the lot, delivered ones stay sold.
    const open = (await sys.ok(`{ openConsignments(first: 500) { id purchaseId } }`, {}, driver))
      .openConsignments as { id: string; purchaseId: string }[];
    const live = new Set(bought.map((b) => b.id).filter((id) => !cancelled.includes(id)));
    const jobs = open.filter((j) => live.has(j.purchaseId)).slice(0, 5);
    expect(jobs).toHaveLength(5);
    for (const j of jobs) {
      await sys.ok(Q.accept, { id: j.id }, driver);
      await sys.ok(Q.pickUp, { id: j.id }, driver);
    }
    for (const j of jobs.slice(0, 2)) await sys.ok(Q.complete, { id: j.id }, driver);
    const final = await untilConsistent(sys, staff, scenario, stream);
    expect(final.violations).toEqual([]);
    expect(final.byStatus).toEqual({
      PAID: PURCHASES - cancelled.length - 5,
      DELIVERING: 3,
      DELIVERED: 2,
      CANCELLED: cancelled.length,
    });

    figures("test 5 (consignment, stock, dashboard stopped during a burst):", {
      operations: `${PURCHASES} purchases + ${cancelled.length} cancellations + ${jobs.length * 2 + 2} driver actions`,
      accepted: `${bought.length}/${PURCHASES} purchases (${retriesOf(bought)} retries after PAYMENT_UNAVAILABLE), ${cancels.accepted().length}/${cancelled.length} cancellations`,
      "purchase latency": `p50 ${buys.latency(50)} ms, p95 ${buys.latency(95)} ms`,
      "faults injected": `${chaos.injected} (${chaos.describe()}), down ${((restartAt - downAt) / 1000).toFixed(1)} s`,
      "caught up after restart": `${(recovered.ms / 1000).toFixed(1)} s`,
      "purchases checked": final.byStatus,
      "events in stream": `${final.events}, ${final.duplicateEventIds} duplicate event ids`,
      violations: final.violations.length,
    });
  }, 300_000);

  it("6. NATS frozen 10 s, then SIGKILLed and restarted during bursts: outbox drains, nothing lost, nothing duplicated", async () => {
    const chaos = new Chaos(sys);
    const half = Math.floor(PURCHASES / 2);

    // Phase 1: SIGSTOP. The connections stay open but nothing answers: every publish times out.
    chaos.pause("nats");
    const frozenAt = Date.now();
    const frozen = burst(half, buyOp(sys, buyer, natsFleet), CONCURRENCY);
    await frozen.done;
    // Frozen for 10 s in all, however quick the burst was (fault duration, not a wait for a result).
    await new Promise((r) => setTimeout(r, Math.max(0, 10_000 - (Date.now() - frozenAt))));
    // Each purchase accepted meanwhile wrote its PurchasePaid to purchase's outbox, unpublished.
    const heldWhileFrozen = await outboxPending(sys, "purchase");
    chaos.resume("nats");
    const frozenMs = Date.now() - frozenAt;
    expect(frozen.codes()).toEqual({});
    expect(heldWhileFrozen).toBeGreaterThanOrEqual(frozen.accepted().length);

    // Phase 2: SIGKILL a quarter into a burst; the burst goes on without NATS; restart at three quarters.
    const rest = natsFleet.slice(half);
    const killed = burst(rest.length, buyOp(sys, buyer, rest), CONCURRENCY);
    await killed.reached(Math.floor(rest.length / 4));
    const beforeKill = (await (await sys.nc.jetstreamManager()).streams.info(EVENT_STREAM)).state;
    await chaos.kill("nats");
    const killedAt = Date.now();
    const startedAfterKill = killed.started;
    await killed.reached(Math.floor((rest.length * 3) / 4));
    const acceptedWithoutNats = killed.outcomes.filter((o) => o.ok && o.index >= startedAfterKill).length;
    const heldWhileKilled = await outboxPending(sys, "purchase");
    await chaos.start("nats");
    const killedMs = Date.now() - killedAt;
    await killed.done;
    expect(killed.codes()).toEqual({});
    expect(acceptedWithoutNats).toBeGreaterThan(0);
    expect(heldWhileKilled).toBeGreaterThanOrEqual(acceptedWithoutNats);

    // Same port, same store: the stream came back with every message acknowledged before the kill.
    const afterRestart = (await (await sys.nc.jetstreamManager()).streams.info(EVENT_STREAM)).state;
    expect(afterRestart.first_seq).toBe(1);
    expect(afterRestart.last_seq).toBeGreaterThanOrEqual(beforeKill.last_seq);

    const bought = [...frozen.accepted(), ...killed.accepted()];
    expect(bought).toHaveLength(PURCHASES);
    const scenario: Scenario = {
      make: "Chaos",
      model: "NatsFault",
      vehicleIds: natsFleet,
      accepted: bought.map((b) => b.id),
    };
    const report = await untilConsistent(sys, staff, scenario, stream);
    expect(report.violations).toEqual([]);
    expect(report.byStatus).toEqual({ PAID: PURCHASES });
    expect(report.duplicateEventIds).toBe(0);

    figures("test 6 (NATS SIGSTOP 10 s, then SIGKILL + restart, during bursts):", {
      operations: `${PURCHASES} purchases (${half} while frozen, ${rest.length} around the kill)`,
      accepted: `${bought.length}/${PURCHASES} (${acceptedWithoutNats} while NATS was dead; ${retriesOf(bought)} retries after PAYMENT_UNAVAILABLE)`,
      "purchase latency": `frozen p95 ${frozen.latency(95)} ms, killed p95 ${killed.latency(95)} ms`,
      "faults injected": `${chaos.injected} (${chaos.describe()}), frozen ${(frozenMs / 1000).toFixed(1)} s, dead ${(killedMs / 1000).toFixed(1)} s`,
      "outbox backlog": `${heldWhileFrozen} rows before SIGCONT, ${heldWhileKilled} before the restart (purchase)`,
      "drained and consistent": `${(report.ms / 1000).toFixed(1)} s after the burst`,
      "events in stream": `${report.events}, ${report.duplicateEventIds} duplicate event ids`,
      violations: report.violations.length,
    });
  }, 300_000);
});
