// Crash points for resilience tests: make a service die (or fail) at an exact step of the messaging
// path, e.g. between a PubAck and marking the outbox row published, so a test can prove what a
// restart recovers. Inert unless FAILPOINTS is set; refused at start-up when NODE_ENV=production.
// Nothing is armed at import: startFailpoints() creates the process's set at start-up and the
// service passes it to the relay and the consumer (`failpoints?.hit(…)`: no set, no cost).
//
//   FAILPOINTS="<point>=<action>[@<times>][:<EventType>][,…]"
//   FAILPOINTS="relay.after-puback=crash@1:PurchasePaid,consumer.mid-transaction=error@3"
//
// action  crash: SIGKILL to itself after one synchronous log line (no finally blocks, no graceful
//         shutdown, an open transaction left to the database to roll back);
//         error: throws a FailpointError there, taking the code's ordinary failure path.
// @times  fire on the first <times> matching hits of this process only; without it, on every hit.
//         Counts are per process: a service restarted with the same FAILPOINTS fires again.
// :Type   fire only for events of that type (a name from the event catalogue).
import { writeSync } from "node:fs";
import { EVENT_CATALOGUE, type EventType } from "@junggo/events";

export const FAILPOINT_NAMES = [
  /** Outbox relay: the stream acknowledged the event, its row is not marked published yet. */
  "relay.after-puback",
  /** Consumer: the handler's transaction (inbox row + effects) committed, the message is not acked yet. */
  "consumer.after-commit",
  /** Consumer: the inbox row and the handler's effects are written, the transaction is not committed. */
  "consumer.mid-transaction",
] as const;
export type FailpointName = (typeof FAILPOINT_NAMES)[number];

const ACTIONS = ["crash", "error"] as const;
export type FailpointAction = (typeof ACTIONS)[number];

export interface FailpointRule {
  point: FailpointName;
  action: FailpointAction;
  /** How many matching hits fire; null: every one. */
  times: number | null;
  /** Only events of this type; null: any. */
  eventType: EventType | null;
}

/** What a call site knows at the point: the event, plus anything worth having in the log line. */
export interface FailpointHit {
  eventType?: string;
  eventId?: string;
  [field: string]: unknown;
}

/** Thrown by the `error` action. */
export class FailpointError extends Error {
  constructor(readonly point: FailpointName) {
    super(`failpoint ${point} fired`);
    this.name = "FailpointError";
  }
}

const ENTRY = /^([a-z.-]+)=([a-z]+)(?:@(\d+))?(?::([A-Za-z]+))?$/;

/** Parses a FAILPOINTS value; throws on anything it does not understand (a typo must not silently never fire). */
export function parseFailpoints(spec: string): FailpointRule[] {
  const rules: FailpointRule[] = [];
  for (const raw of spec.split(",")) {
    const entry = raw.trim();
    if (!entry) continue;
    const m = ENTRY.exec(entry);
    if (!m)
      throw new Error(
        `FAILPOINTS: cannot parse "${entry}" (expected <point>=<action>[@<times>][:<EventType>])`,
      );
    const [, point, action, times, eventType] = m;
    if (!(FAILPOINT_NAMES as readonly string[]).includes(point!)) {
      throw new Error(`FAILPOINTS: unknown point "${point}" (known: ${FAILPOINT_NAMES.join(", ")})`);
    }
    if (!(ACTIONS as readonly string[]).includes(action!)) {
      throw new Error(`FAILPOINTS: unknown action "${action}" in "${entry}" (known: ${ACTIONS.join(", ")})`);
    }
    if (times !== undefined && Number(times) < 1)
      throw new Error(`FAILPOINTS: "@${times}" in "${entry}" must be at least 1`);
    if (eventType !== undefined && !(eventType in EVENT_CATALOGUE)) {
      throw new Error(`FAILPOINTS: unknown event type "${eventType}" in "${entry}"`);
    }
    rules.push({
      point: point as FailpointName,
      action: action as FailpointAction,
      times: times === undefined ? null : Number(times),
      eventType: (eventType as EventType | undefined) ?? null,
    });
  }
  return rules;
}

/** The log line goes out with a synchronous write: after a SIGKILL nothing buffered would. */
function hardCrash(record: Record<string, unknown>): never {
  writeSync(2, `${JSON.stringify(record)}\n`);
  process.kill(process.pid, "SIGKILL");
  // SIGKILL to oneself is delivered before kill() returns; this line only satisfies the type.
  throw new Error("SIGKILL did not end the process");
}

/** The armed rules of one process, with their hit counts. */
export class Failpoints {
  private readonly fired: number[];

  constructor(
    readonly rules: readonly FailpointRule[],
    // Replaceable so unit tests can watch a crash without dying.
    private readonly crash: (record: Record<string, unknown>) => never = hardCrash,
  ) {
    this.fired = rules.map(() => 0);
  }

  /** Fires the first matching rule that has hits left: crashes, or throws a FailpointError. */
  hit(point: FailpointName, at: FailpointHit = {}): void {
    const i = this.rules.findIndex(
      (r, k) =>
        r.point === point &&
        (r.eventType === null || r.eventType === at.eventType) &&
        (r.times === null || this.fired[k]! < r.times),
    );
    if (i < 0) return;
    const rule = this.rules[i]!;
    this.fired[i]!++;
    const record = {
      t: new Date().toISOString(),
      level: "error",
      msg: "failpoint fired",
      failpoint: point,
      action: rule.action,
      pid: process.pid,
      ...at,
    };
    if (rule.action === "crash") this.crash(record);
    writeSync(2, `${JSON.stringify(record)}\n`);
    throw new FailpointError(point);
  }
}

/**
 * The process's failpoints from its environment: null when FAILPOINTS is unset or empty.
 * Production refuses them with an error (the service does not start) rather than ignoring them:
 * a crash point that reached production is a deployment mistake worth stopping for.
 */
export function configureFailpoints(env: NodeJS.ProcessEnv = process.env): Failpoints | null {
  const spec = env.FAILPOINTS?.trim();
  if (!spec) return null;
  if (env.NODE_ENV === "production") {
    throw new Error(
      "FAILPOINTS is set but NODE_ENV=production: crash points are for tests only; refusing to start",
    );
  }
  const rules = parseFailpoints(spec);
  return rules.length ? new Failpoints(rules) : null;
}

/**
 * The process's failpoint set, created once at start-up (runSubgraphService) from its configuration
 * and handed to the outbox relay and the consumer: null, and every call site a no-op, unless
 * FAILPOINTS is set. A bad or forbidden FAILPOINTS stops the service before it serves anything.
 */
export function startFailpoints(env: NodeJS.ProcessEnv = process.env): Failpoints | null {
  const failpoints = configureFailpoints(env);
  if (failpoints) {
    writeSync(
      2,
      `${JSON.stringify({ t: new Date().toISOString(), level: "warn", msg: "FAILPOINTS armed: this process will crash or fail on purpose", failpoints: env.FAILPOINTS, pid: process.pid })}\n`,
    );
  }
  return failpoints;
}
