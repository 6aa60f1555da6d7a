// Fault injection on a running TestSystem (real OS processes): kill, pause/resume and restart any
// service or NATS, drive bursts of operations, and check the system's invariants through the
// gateway and the event stream.
import { connect } from "nats";
import { EVENT_STREAM, type EventEnvelope, type EventType } from "@junggo/events";
import { SUBGRAPHS, type ManagedProcess, type ServiceName } from "@junggo/devstack";
import { eventually, type GqlResult, type TestSystem } from "./harness.ts";
import { randomVin } from "./junggo.ts";

export type Target = ServiceName | "nats";

export interface Fault {
  target: Target;
  action: "SIGKILL" | "SIGTERM" | "SIGSTOP" | "SIGCONT" | "start";
  /** ms since the Chaos instance was created. */
  at: number;
}

/** Signals and restarts for the stack's processes; every action is recorded in `faults`. */
export class Chaos {
  readonly faults: Fault[] = [];
  private readonly t0 = Date.now();

  constructor(private readonly sys: TestSystem) {}

  process(target: Target): ManagedProcess {
    return target === "nats" ? this.sys.stack.nats : this.sys.stack.service(target);
  }

  private record(target: Target, action: Fault["action"]): void {
    this.faults.push({ target, action, at: Date.now() - this.t0 });
  }

  /** Kills the process (SIGKILL: no shutdown hook runs) and waits until it is gone. */
  async kill(target: Target, signal: "SIGKILL" | "SIGTERM" = "SIGKILL"): Promise<void> {
    const proc = this.process(target);
    if (!proc.running) throw new Error(`${target} is not running`);
    this.record(target, signal);
    if (signal === "SIGTERM") await proc.stop();
    else await proc.kill("SIGKILL");
  }

  /** SIGSTOP: the process stays alive (its ports stay bound) but answers nothing, like a hung one. */
  pause(target: Target): void {
    this.record(target, "SIGSTOP");
    this.process(target).pause();
  }

  resume(target: Target): void {
    this.record(target, "SIGCONT");
    this.process(target).resume();
  }

  /**
   * Starts a stopped or killed process again with the same port, data directory and environment
   * (NATS keeps its JetStream store, so the stream and consumers survive). For NATS the test's own
   * connection is replaced, since it may have given up reconnecting meanwhile.
   */
  async start(target: Target): Promise<void> {
    this.record(target, "start");
    await this.process(target).start(120_000);
    if (target === "nats") {
      await this.sys.nc.close().catch(() => {});
      this.sys.nc = await connect(this.sys.stack.natsOptions());
    }
  }

  /** True when the process answers its health check within a second. */
  async answers(target: Target): Promise<boolean> {
    const url = this.process(target).spec.healthUrl!;
    return fetch(url, { signal: AbortSignal.timeout(1000) }).then(
      (r) => r.ok,
      () => false,
    );
  }

  /** e.g. "SIGSTOP nats ×1, SIGCONT nats ×1, SIGKILL nats ×1, start nats ×1". */
  describe(): string {
    const counts = new Map<string, number>();
    for (const f of this.faults)
      counts.set(`${f.action} ${f.target}`, (counts.get(`${f.action} ${f.target}`) ?? 0) + 1);
    return [...counts].map(([k, n]) => `${k} ×${n}`).join(", ") || "none";
  }

  /** Signals sent to make something fail (restarts and SIGCONT are the recovery, not faults). */
  get injected(): number {
    return this.faults.filter(
      (f) => f.action === "SIGKILL" || f.action === "SIGTERM" || f.action === "SIGSTOP",
    ).length;
  }
}

/** A failed operation with its GraphQL error code ("TRANSPORT" when no answer came back). */
export class OpError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Data of a GraphQL result, or an OpError with its first error's code. */
export function dataOrThrow<T>(r: GqlResult<T>): T {
  if (r.errors?.length)
    throw new OpError(String(r.errors[0]!.extensions?.code ?? "UNKNOWN"), r.errors[0]!.message);
  if (!r.data) throw new OpError(`HTTP_${r.status}`, "no data");
  return r.data;
}

export interface Outcome<T> {
  index: number;
  ok: boolean;
  value?: T;
  code?: string;
  message?: string;
  ms: number;
}

/**
 * n operations, at most `concurrency` at a time, each outcome recorded. Faults can be injected
 * while it runs: `reached(k)` resolves once k operations have finished.
 */
export class Burst<T> {
  readonly outcomes: Outcome<T>[] = [];
  readonly done: Promise<Outcome<T>[]>;
  readonly startedAt = Date.now();
  finishedAt = 0;
  /** Operations started so far; they start in index order. */
  started = 0;
  private waiters: { n: number; resolve: () => void }[] = [];

  constructor(
    readonly n: number,
    op: (index: number) => Promise<T>,
    readonly concurrency: number,
  ) {
    const worker = async () => {
      while (this.started < n) {
        const index = this.started++;
        const t = Date.now();
        try {
          this.finish({ index, ok: true, value: await op(index), ms: Date.now() - t });
        } catch (err) {
          const code = err instanceof OpError ? err.code : "TRANSPORT";
          this.finish({ index, ok: false, code, message: (err as Error).message, ms: Date.now() - t });
        }
      }
    };
    this.done = Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker)).then(() => {
      this.finishedAt = Date.now();
      for (const w of this.waiters) w.resolve();
      return this.outcomes;
    });
  }

  private finish(o: Outcome<T>): void {
    this.outcomes.push(o);
    this.waiters = this.waiters.filter((w) => {
      if (this.outcomes.length < w.n) return true;
      w.resolve();
      return false;
    });
  }

  get completed(): number {
    return this.outcomes.length;
  }

  /** Resolves when at least k operations have finished (or all of them). */
  reached(k: number): Promise<void> {
    if (this.outcomes.length >= Math.min(k, this.n)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ n: Math.min(k, this.n), resolve }));
  }

  accepted(): T[] {
    return this.outcomes.filter((o) => o.ok).map((o) => o.value as T);
  }

  rejected(): Outcome<T>[] {
    return this.outcomes.filter((o) => !o.ok);
  }

  /** Rejections by error code, e.g. { PAYMENT_UNAVAILABLE: 2 }. */
  codes(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const o of this.rejected()) out[o.code!] = (out[o.code!] ?? 0) + 1;
    return out;
  }

  latency(p: number): number {
    const ms = this.outcomes.map((o) => o.ms).sort((a, b) => a - b);
    return ms[Math.min(ms.length - 1, Math.floor((p / 100) * ms.length))] ?? 0;
  }
}

/** Prints a scenario's figures, one aligned "name value" line each. */
export const figures = (name: string, lines: Record<string, unknown>) =>
  console.log(
    `${name}\n${Object.entries(lines)
      .map(([k, v]) => `  ${k.padEnd(24)} ${typeof v === "string" ? v : JSON.stringify(v)}`)
      .join("\n")}`,
  );

export const burst = <T>(n: number, op: (index: number) => Promise<T>, concurrency: number) =>
  new Burst(n, op, concurrency);

// Selections owned by purchase (and billing, the one synchronous dependency) only, so the answer
// does not depend on stock, consignment or dashboard being up.
const BUY = `mutation ($vehicleId: ID!) { requestPurchase(input: { vehicleId: $vehicleId }) { id status payment { status } } }`;
const CANCEL = `mutation ($id: ID!, $reason: String) { cancelPurchase(id: $id, reason: $reason) { id status } }`;

export interface Bought {
  id: string;
  vehicleId: string;
  /** Requests it took: more than 1 when billing answered PAYMENT_UNAVAILABLE and the buyer tried again. */
  attempts: number;
}

/**
 * Operation i buys vehicleIds[i]; accepted means PAID with an APPROVED payment. Like the web client,
 * a buyer told PAYMENT_UNAVAILABLE ("try again in N s": billing slow, e.g. on a saturated machine, or
 * its breaker open) tries again after `retryAfterSeconds` (at most 5 s), for up to `patienceMs`.
 * Nothing was bought by the failed attempt, so the same car is still for sale.
 */
export function buyOp(sys: TestSystem, buyer: string, vehicleIds: string[], patienceMs = 60_000) {
  return async (i: number): Promise<Bought> => {
    const until = Date.now() + patienceMs;
    for (let attempts = 1; ; attempts++) {
      const r = await sys.gql(BUY, { vehicleId: vehicleIds[i] }, buyer);
      const err = r.errors?.[0];
      if (err?.extensions?.code === "PAYMENT_UNAVAILABLE" && Date.now() < until) {
        const after = Number(err.extensions.retryAfterSeconds ?? 1) * 1000;
        await new Promise((res) => setTimeout(res, Math.min(Math.max(after, 200), 5000)));
        continue;
      }
      const p = dataOrThrow(r).requestPurchase;
      if (p.status !== "PAID" || p.payment?.status !== "APPROVED")
        throw new OpError("NOT_PAID", JSON.stringify(p));
      return { id: p.id, vehicleId: vehicleIds[i]!, attempts };
    }
  };
}

/** Requests repeated after PAYMENT_UNAVAILABLE, over every accepted purchase. */
export const retriesOf = (bought: Bought[]) => bought.reduce((n, b) => n + b.attempts - 1, 0);

export function cancelOp(sys: TestSystem, buyer: string, purchaseIds: string[]) {
  return async (i: number): Promise<string> => {
    const p = dataOrThrow(
      await sys.gql(CANCEL, { id: purchaseIds[i], reason: "chaos test" }, buyer),
    ).cancelPurchase;
    if (p.status !== "CANCELLED") throw new OpError("NOT_CANCELLED", JSON.stringify(p));
    return p.id;
  };
}

const REGISTER = `mutation ($input: RegisterVehicleInput!) { registerVehicle(input: $input) { id } }`;

/**
 * Registers `count` vehicles of one make and model (unique to the scenario, so stockSummary's line
 * for it covers exactly these cars) and waits until purchase's projection knows them all.
 */
export async function registerFleet(
  sys: TestSystem,
  staff: string,
  make: string,
  model: string,
  count: number,
): Promise<string[]> {
  const b = burst(
    count,
    async (i) => {
      const input = {
        vin: randomVin(),
        make,
        model,
        year: 2015 + (i % 9),
        mileageKm: 10_000 + i * 997,
        priceKrw: 9_000_000 + i * 10_000,
        color: "White",
        fuel: "Gasoline",
      };
      return dataOrThrow(await sys.gql(REGISTER, { input }, staff)).registerVehicle.id as string;
    },
    4,
  );
  await b.done;
  if (b.rejected().length) throw new Error(`vehicle registration failed: ${JSON.stringify(b.codes())}`);
  await eventually(drained(sys), "every registered vehicle to reach purchase's projection", 120_000);
  return b.accepted();
}

const SERVICE_URL = (sys: TestSystem, name: string) =>
  `http://127.0.0.1:${sys.stack.ports.get(name as ServiceName)}`;

/** Outbox rows not yet published and events not yet handled, per service ("" each when drained). */
export async function backlog(sys: TestSystem): Promise<string[]> {
  const out: string[] = [];
  for (const name of SUBGRAPHS) {
    try {
      const ready = (await (
        await fetch(`${SERVICE_URL(sys, name)}/readyz`, { signal: AbortSignal.timeout(3000) })
      ).json()) as { outboxPending?: number };
      if (ready.outboxPending !== 0) out.push(`${name}: ${ready.outboxPending} outbox rows not published`);
    } catch (err) {
      out.push(`${name}: not answering (${(err as Error).message})`);
    }
  }
  const jsm = await sys.nc.jetstreamManager();
  for (const c of await jsm.consumers.list(EVENT_STREAM).next()) {
    if (c.num_pending + c.num_ack_pending > 0)
      out.push(`consumer ${c.name}: ${c.num_pending} events pending, ${c.num_ack_pending} unacknowledged`);
  }
  return out;
}

/** A check for `eventually`: true once nothing is left to publish or handle; else throws what is left. */
export const drained = (sys: TestSystem) => async (): Promise<true> => {
  const left = await backlog(sys);
  if (left.length) throw new Error(left.join("; "));
  return true;
};

/** Outbox rows of one service not yet published to NATS. */
export async function outboxPending(sys: TestSystem, service: ServiceName): Promise<number> {
  const ready = (await (
    await fetch(`${SERVICE_URL(sys, service)}/readyz`, { signal: AbortSignal.timeout(3000) })
  ).json()) as { outboxPending?: number };
  return Number(ready.outboxPending);
}

/** The event stream, read once and then only its new messages (read by sequence, as stored). */
export class StreamLog {
  readonly events: EventEnvelope[] = [];
  private lastSeq = 0;

  constructor(private readonly sys: TestSystem) {}

  async read(): Promise<EventEnvelope[]> {
    const jsm = await this.sys.nc.jetstreamManager();
    const { first_seq, last_seq } = (await jsm.streams.info(EVENT_STREAM)).state;
    if (first_seq > 1) throw new Error(`the stream lost its head: it starts at sequence ${first_seq}`);
    if (this.lastSeq > last_seq)
      throw new Error(`the stream lost its tail: it ends at ${last_seq}, ${this.lastSeq} were read before`);
    if (this.lastSeq > 0) {
      // A server that lost acknowledged messages would hand their sequence numbers out again.
      const m = await jsm.streams.getMessage(EVENT_STREAM, { seq: this.lastSeq });
      const e = JSON.parse(new TextDecoder().decode(m.data)) as EventEnvelope;
      if (e.eventId !== this.events[this.lastSeq - 1]!.eventId)
        throw new Error(`sequence ${this.lastSeq} now holds another event`);
    }
    for (let seq = this.lastSeq + 1; seq <= last_seq; seq++) {
      const m = await jsm.streams.getMessage(EVENT_STREAM, { seq });
      this.events.push(JSON.parse(new TextDecoder().decode(m.data)) as EventEnvelope);
      this.lastSeq = seq;
    }
    return this.events;
  }
}

export interface Scenario {
  /** Every vehicle of the scenario's make and model (all of them, and only them). */
  make: string;
  model: string;
  vehicleIds: string[];
  /** Purchases whose request was answered with success. */
  accepted: string[];
  /**
   * Purchase requests that got no answer (a process died under them), by vehicle: each may or may
   * not have created a purchase, so that many purchases not in `accepted` are allowed on the car.
   */
  unanswered?: Map<string, number>;
  /**
   * The scenario made every payment on this stack: every payment must then belong to a purchase of
   * the scenario (or be VOIDED: a request that died after the charge) and the ledger must add up.
   */
  ownsPayments?: boolean;
}

export interface Ledger {
  payments: number;
  voided: number;
  /** Money taken (payments not voided) and given back (refunds), in KRW. */
  chargedKrw: number;
  refundedKrw: number;
  /** What the non-cancelled purchases cost. */
  liveValueKrw: number;
}

export interface Report {
  violations: string[];
  purchases: number;
  byStatus: Record<string, number>;
  events: number;
  duplicateEventIds: number;
  ledger?: Ledger;
}

// Events each purchase must have exactly once (or never), by how far it got.
const ONCE: EventType[] = [
  "PurchasePaid",
  "PaymentApproved",
  "VehicleReserved",
  "ConsignmentRequested",
  "ConsignmentAssigned",
  "ConsignmentPickedUp",
  "VehicleSold",
  "PurchaseDeliveryStarted",
  "ConsignmentDelivered",
  "PurchaseDelivered",
  "PurchaseCancelled",
  "PaymentRefunded",
  "VehicleReleased",
  "ConsignmentCancelled",
];

function expectedEvents(status: string, consignment: string | undefined): Partial<Record<EventType, number>> {
  const on = (b: boolean) => (b ? 1 : 0);
  const pickedUp = status === "DELIVERING" || status === "DELIVERED";
  const cancelled = status === "CANCELLED";
  return {
    PurchasePaid: 1,
    PaymentApproved: 1,
    VehicleReserved: 1,
    ConsignmentRequested: 1,
    ConsignmentAssigned: on(pickedUp || consignment === "ASSIGNED"),
    ConsignmentPickedUp: on(pickedUp),
    VehicleSold: on(pickedUp),
    PurchaseDeliveryStarted: on(pickedUp),
    ConsignmentDelivered: on(status === "DELIVERED"),
    PurchaseDelivered: on(status === "DELIVERED"),
    PurchaseCancelled: on(cancelled),
    PaymentRefunded: on(cancelled),
    VehicleReleased: on(cancelled),
    ConsignmentCancelled: on(cancelled),
  };
}

// Where each purchase status leaves its payment, delivery job and car.
const PAYMENT_OF: Record<string, string> = {
  PAID: "APPROVED",
  DELIVERING: "APPROVED",
  DELIVERED: "APPROVED",
  CANCELLED: "REFUNDED",
};
const JOB_OF: Record<string, string[]> = {
  PAID: ["REQUESTED", "ASSIGNED"],
  DELIVERING: ["PICKED_UP"],
  DELIVERED: ["DELIVERED"],
  CANCELLED: ["CANCELLED"],
};
const CAR_OF: Record<string, string> = { PAID: "RESERVED", DELIVERING: "SOLD", DELIVERED: "SOLD" };

const PURCHASES = `{ myPurchases { id status priceKrw vehicle { id } payment { status } } }`;
const PAYMENTS = `query ($after: ID) { payments(first: 200, after: $after) { id status amountKrw purchaseId } }`;
const JOBS = `{ myConsignments(first: 500) { id purchaseId status } }`;
const DASHBOARD = `{ myDashboard(first: 500) { purchaseId vehicleId purchaseStatus paymentStatus consignmentStatus } }`;
const VEHICLES = `query ($filter: VehicleFilter, $after: String) { vehicles(filter: $filter, first: 100, after: $after) {
  pageInfo { hasNextPage endCursor } edges { node { id model status } } } }`;
const SUMMARY = `{ stockSummary { make model available onLot } }`;
const DEAD_LETTERS = `{ deadLetters(first: 50) { unreachableContexts items { context eventType eventId error } } }`;

/**
 * Every invariant of the scenario, read through the gateway (as staff) and from the stream. An
 * empty `violations` means: backlogs drained, no dead letter, no event id twice in the stream,
 * every accepted purchase exists (and no other), each with exactly the events, payment, delivery
 * job, car status and dashboard row its status calls for, and stock counts that add up.
 */
export async function checkScenario(
  sys: TestSystem,
  staff: string,
  s: Scenario,
  stream: StreamLog,
): Promise<Report> {
  const v: string[] = [];
  const events = await stream.read();
  const seen = new Set<string>();
  let duplicateEventIds = 0;
  for (const e of events) {
    if (seen.has(e.eventId)) {
      duplicateEventIds++;
      v.push(`event ${e.eventId} (${e.type}) is in the stream more than once`);
    }
    seen.add(e.eventId);
  }
  v.push(...(await backlog(sys)));

  const dead = dataOrThrow(await sys.gql(DEAD_LETTERS, {}, staff)).deadLetters;
  if (dead.unreachableContexts.length)
    v.push(`dead letters: unreachable contexts ${dead.unreachableContexts.join(", ")}`);
  for (const d of dead.items) v.push(`dead letter in ${d.context}: ${d.eventType} ${d.eventId} (${d.error})`);

  const ours = new Set(s.vehicleIds);
  const everyPurchase = dataOrThrow(await sys.gql(PURCHASES, {}, staff)).myPurchases as {
    id: string;
    status: string;
    priceKrw: number;
    vehicle: { id: string };
    payment: { status: string } | null;
  }[];
  const purchases = everyPurchase.filter((p) => ours.has(p.vehicle.id));
  const jobs = dataOrThrow(await sys.gql(JOBS, {}, staff)).myConsignments as {
    id: string;
    purchaseId: string;
    status: string;
  }[];
  const rows = dataOrThrow(await sys.gql(DASHBOARD, {}, staff)).myDashboard as {
    purchaseId: string;
    vehicleId: string;
    purchaseStatus: string;
    paymentStatus: string | null;
    consignmentStatus: string | null;
  }[];
  const cars = new Map<string, { status: string; model: string }>();
  for (let after: string | null = null, more = true; more; ) {
    const page: any = dataOrThrow(
      await sys.gql(VEHICLES, { filter: { make: s.make, model: s.model }, after }, staff),
    ).vehicles;
    for (const e of page.edges) cars.set(e.node.id, e.node);
    more = page.pageInfo.hasNextPage;
    after = page.pageInfo.endCursor;
  }
  const summary = (
    dataOrThrow(await sys.gql(SUMMARY)).stockSummary as {
      make: string;
      model: string;
      available: number;
      onLot: number;
    }[]
  ).find((l) => l.make === s.make && l.model === s.model);

  const byId = new Map(purchases.map((p) => [p.id, p]));
  for (const id of s.accepted) if (!byId.has(id)) v.push(`accepted purchase ${id} is missing`);
  const acceptedSet = new Set(s.accepted);
  const unexplained = new Map<string, number>();
  for (const p of purchases)
    if (!acceptedSet.has(p.id)) unexplained.set(p.vehicle.id, (unexplained.get(p.vehicle.id) ?? 0) + 1);
  for (const [car, n] of unexplained) {
    const allowed = s.unanswered?.get(car) ?? 0;
    if (n > allowed)
      v.push(
        `vehicle ${car} has ${n} purchases whose request was not answered with success (${allowed} requests went unanswered)`,
      );
  }
  const ledger = s.ownsPayments ? await checkLedger(sys, staff, everyPurchase, purchases, v) : undefined;

  const eventsOf = new Map<string, Map<string, number>>();
  const tombstones = new Set<string>();
  for (const e of events) {
    if (
      e.type === "ConsignmentCancelled" &&
      (e.payload as { previousStatus: string }).previousStatus === "NONE"
    )
      tombstones.add(e.purchaseId!);
    if (!e.purchaseId || !byId.has(e.purchaseId)) continue;
    const m = eventsOf.get(e.purchaseId) ?? new Map<string, number>();
    m.set(e.type, (m.get(e.type) ?? 0) + 1);
    eventsOf.set(e.purchaseId, m);
  }

  const byStatus: Record<string, number> = {};
  const livePerCar = new Map<string, number>();
  const expectedCar = new Map<string, string>(s.vehicleIds.map((id) => [id, "AVAILABLE"]));
  for (const p of purchases) {
    byStatus[p.status] = (byStatus[p.status] ?? 0) + 1;
    if (p.status !== "CANCELLED") {
      livePerCar.set(p.vehicle.id, (livePerCar.get(p.vehicle.id) ?? 0) + 1);
      expectedCar.set(p.vehicle.id, CAR_OF[p.status]!);
    }

    const myJobs = jobs.filter((j) => j.purchaseId === p.id);
    if (myJobs.length !== 1) v.push(`purchase ${p.id} (${p.status}) has ${myJobs.length} delivery jobs`);
    const job = myJobs[0];
    if (job && !JOB_OF[p.status]!.includes(job.status))
      v.push(`purchase ${p.id} is ${p.status} but its job is ${job.status}`);
    if (p.payment?.status !== PAYMENT_OF[p.status])
      v.push(`purchase ${p.id} is ${p.status} but its payment is ${p.payment?.status}`);

    const counts = eventsOf.get(p.id) ?? new Map<string, number>();
    const want = expectedEvents(p.status, job?.status);
    // A job cancelled before its PurchasePaid was handled is a tombstone: cancelled (NONE), never requested.
    if (p.status === "CANCELLED" && tombstones.has(p.id)) want.ConsignmentRequested = 0;
    // A purchase cancelled on the road had its job assigned and picked up first; one cancelled earlier had not.
    const eitherWay =
      p.status === "CANCELLED"
        ? new Set<EventType>([
            "ConsignmentAssigned",
            "ConsignmentPickedUp",
            "VehicleSold",
            "PurchaseDeliveryStarted",
          ])
        : new Set<EventType>();
    for (const type of ONCE) {
      const n = counts.get(type) ?? 0;
      if (eitherWay.has(type) ? n > 1 : n !== (want[type] ?? 0))
        v.push(
          `purchase ${p.id} (${p.status}) has ${n} ${type} events, expected ${eitherWay.has(type) ? "at most 1" : (want[type] ?? 0)}`,
        );
    }

    const viewRows = rows.filter((r) => r.purchaseId === p.id);
    if (viewRows.length !== 1) v.push(`purchase ${p.id} has ${viewRows.length} dashboard rows`);
    const row = viewRows[0];
    if (
      row &&
      (row.purchaseStatus !== p.status ||
        row.paymentStatus !== p.payment?.status ||
        row.consignmentStatus !== (job?.status ?? null) ||
        row.vehicleId !== p.vehicle.id)
    ) {
      v.push(
        `dashboard row of ${p.id} says ${row.purchaseStatus}/${row.paymentStatus}/${row.consignmentStatus}, the contexts say ${p.status}/${p.payment?.status}/${job?.status}`,
      );
    }
  }
  for (const [car, n] of livePerCar) if (n > 1) v.push(`vehicle ${car} has ${n} live purchases`);

  if (cars.size !== s.vehicleIds.length)
    v.push(`stock lists ${cars.size} ${s.make} ${s.model} vehicles, ${s.vehicleIds.length} were registered`);
  for (const [id, want] of expectedCar) {
    const got = cars.get(id)?.status;
    if (got !== want) v.push(`vehicle ${id} is ${got}, its purchases say ${want}`);
  }
  const statuses = [...expectedCar.values()];
  const available = statuses.filter((x) => x === "AVAILABLE").length;
  const onLot = statuses.filter((x) => x !== "SOLD").length;
  if (!summary || summary.available !== available || summary.onLot !== onLot) {
    v.push(
      `stockSummary ${s.make} ${s.model}: ${JSON.stringify(summary)}, expected available ${available}, onLot ${onLot}`,
    );
  }
  return {
    violations: v,
    purchases: purchases.length,
    byStatus,
    events: events.length,
    duplicateEventIds,
    ledger,
  };
}

/** Every payment on the stack, newest first, read page by page. */
export async function allPayments(
  sys: TestSystem,
  staff: string,
): Promise<{ id: string; status: string; amountKrw: number; purchaseId: string }[]> {
  const out: { id: string; status: string; amountKrw: number; purchaseId: string }[] = [];
  const seen = new Set<string>();
  for (let after: string | null = null; ; ) {
    const page = dataOrThrow(await sys.gql(PAYMENTS, { after }, staff)).payments as typeof out;
    for (const p of page) {
      if (seen.has(p.id)) throw new Error(`payment ${p.id} came back on two pages`);
      seen.add(p.id);
      out.push(p);
    }
    if (page.length < 200) return out;
    after = page[page.length - 1]!.id;
  }
}

/**
 * Billing's side of "no payment, no purchase": exactly one payment per purchase, of its price, in
 * the state the purchase calls for; any other payment voided (its request died after the charge);
 * money taken minus money refunded equals what the non-cancelled purchases cost.
 */
async function checkLedger(
  sys: TestSystem,
  staff: string,
  everyPurchase: { id: string }[],
  ours: { id: string; status: string; priceKrw: number }[],
  v: string[],
): Promise<Ledger> {
  const payments = await allPayments(sys, staff);
  const byPurchase = new Map<string, typeof payments>();
  for (const p of payments) byPurchase.set(p.purchaseId, [...(byPurchase.get(p.purchaseId) ?? []), p]);
  const known = new Set(everyPurchase.map((p) => p.id));
  for (const p of ours) {
    const mine = byPurchase.get(p.id) ?? [];
    if (mine.length !== 1) v.push(`purchase ${p.id} (${p.status}) has ${mine.length} payments`);
    else if (mine[0]!.amountKrw !== p.priceKrw)
      v.push(`purchase ${p.id} cost ${p.priceKrw} KRW but its payment is ${mine[0]!.amountKrw} KRW`);
  }
  for (const p of payments) {
    if (!known.has(p.purchaseId) && p.status !== "VOIDED")
      v.push(`payment ${p.id} (${p.status}, ${p.amountKrw} KRW) belongs to no purchase and was not voided`);
  }
  const sum = (xs: { amountKrw: number }[]) => xs.reduce((n, x) => n + x.amountKrw, 0);
  const ledger: Ledger = {
    payments: payments.length,
    voided: payments.filter((p) => p.status === "VOIDED").length,
    chargedKrw: sum(payments.filter((p) => p.status !== "VOIDED")),
    refundedKrw: sum(payments.filter((p) => p.status === "REFUNDED")),
    liveValueKrw: sum(ours.filter((p) => p.status !== "CANCELLED").map((p) => ({ amountKrw: p.priceKrw }))),
  };
  if (ledger.chargedKrw - ledger.refundedKrw !== ledger.liveValueKrw) {
    v.push(
      `charges ${ledger.chargedKrw} − refunds ${ledger.refundedKrw} KRW ≠ ${ledger.liveValueKrw} KRW, the price of the purchases not cancelled`,
    );
  }
  return ledger;
}

/**
 * Polls until the scenario holds (cheap backlog check first, then every invariant); returns the
 * last report, whose violations the caller asserts to be empty.
 */
export async function untilConsistent(
  sys: TestSystem,
  staff: string,
  s: Scenario,
  stream: StreamLog,
  timeoutMs = 150_000,
): Promise<Report & { ms: number }> {
  const t = Date.now();
  try {
    const r = await eventually(
      async () => {
        await drained(sys)();
        const report = await checkScenario(sys, staff, s, stream);
        return report.violations.length === 0 ? report : null;
      },
      "every effect of the scenario",
      timeoutMs,
    );
    return { ...r, ms: Date.now() - t };
  } catch {
    return { ...(await checkScenario(sys, staff, s, stream)), ms: Date.now() - t };
  }
}
