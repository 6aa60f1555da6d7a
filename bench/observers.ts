// What a driver and a buyer see after a purchase is paid, observed through the gateway:
// - a driver subscribed to deliveryStatusChanged (graphql-ws): when the REQUESTED job arrives;
// - the dashboard read model (purchaseView): when the purchase's row appears.
import { performance } from "node:perf_hooks";
import type { TestSystem } from "../gateway/test/support/harness.ts";
import { LiveClient } from "../gateway/test/support/live.ts";
import type { GqlClient } from "./http.ts";
import { sleep } from "./stats.ts";

const DELIVERIES = `subscription { deliveryStatusChanged { id purchaseId status eta } }`;

/** A purchase whose paid answer arrived at `paidAt` (performance.now()). */
export interface Paid {
  id: string;
  paidAt: number;
}

/** A driver's graphql-ws subscription to deliveryStatusChanged; matches REQUESTED jobs to paid purchases. */
export class DriverWatch {
  private readonly live: LiveClient;
  private readonly stopSub: () => void;
  /** First REQUESTED arrival per purchase id, and its consignment id. */
  readonly requested = new Map<string, { at: number; consignmentId: string }>();
  private readonly paid = new Map<string, number>();
  /** REQUESTED → driver latency (ms) of every paid purchase seen both ways. */
  readonly latencies: number[] = [];
  /** Jobs that arrived before the purchase's paid answer did (latency counted as 0). */
  early = 0;
  errors: string[] = [];
  private waiters: (() => void)[] = [];

  constructor(sys: TestSystem, driverToken: string) {
    this.live = new LiveClient(sys, driverToken);
    this.stopSub = this.live.client.subscribe<{
      deliveryStatusChanged: { id: string; purchaseId: string; status: string };
    }>(
      { query: DELIVERIES },
      {
        next: (v) => {
          const at = performance.now();
          const job = v.data?.deliveryStatusChanged;
          if (v.errors?.length) this.errors.push(JSON.stringify(v.errors));
          if (job?.status !== "REQUESTED" || this.requested.has(job.purchaseId)) return;
          this.requested.set(job.purchaseId, { at, consignmentId: job.id });
          const paidAt = this.paid.get(job.purchaseId);
          if (paidAt !== undefined) this.match(paidAt, at);
          this.notify();
        },
        error: (err) => this.errors.push(String((err as Error)?.message ?? JSON.stringify(err))),
        complete: () => {},
      },
    );
  }

  private match(paidAt: number, at: number): void {
    if (at < paidAt) this.early++;
    this.latencies.push(Math.max(0, at - paidAt));
  }

  private notify(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  paidAnswer(p: Paid): void {
    this.paid.set(p.id, p.paidAt);
    const seen = this.requested.get(p.id);
    if (seen) this.match(p.paidAt, seen.at);
  }

  /** Paid purchases whose REQUESTED job has not arrived. */
  missing(): number {
    let n = 0;
    for (const id of this.paid.keys()) if (!this.requested.has(id)) n++;
    return n;
  }

  /** Waits until every paid purchase's job arrived, or the deadline (performance.now()). */
  async waitAll(deadline: number): Promise<boolean> {
    while (this.missing() > 0) {
      const left = deadline - performance.now();
      if (left <= 0) return false;
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.min(left, 1000));
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
    return true;
  }

  /** Clears the figures (after the warm-up); ids seen stay known. */
  reset(): void {
    this.latencies.length = 0;
    this.early = 0;
    this.paid.clear();
  }

  async close(): Promise<void> {
    this.stopSub();
    await this.live.close();
  }
}

/**
 * Polls the dashboard for the rows of paid purchases not seen yet, with one request per poll, at
 * most every `periodMs`, never two at once, only while something is pending: staff's
 * `myDashboard(first: 64)` (the newest rows: rows appear about in payment order, so a new row is
 * near the top) plus `purchaseView` of the 4 oldest pending purchases (a row that appeared out of
 * order below the top 64). That costs the dashboard a handful of reads per poll whatever the
 * backlog, instead of one per pending purchase. The lag of a row is counted when the answer that
 * first shows it arrives: what a polling screen would show, including the query's round trip.
 */
export class DashboardWatch {
  private readonly pending = new Map<string, number>();
  readonly lags: number[] = [];
  polls = 0;
  pollErrors = new Map<string, number>();
  private running = true;
  private wake: (() => void) | null = null;
  private readonly loop: Promise<void>;
  private static readonly OLDEST = 4;
  private static readonly QUERY =
    `query (${Array.from({ length: DashboardWatch.OLDEST }, (_, i) => `$p${i}: ID!`).join(", ")}) {
    newest: myDashboard(first: 64) { purchaseId purchaseStatus }
    ${Array.from({ length: DashboardWatch.OLDEST }, (_, i) => `p${i}: purchaseView(purchaseId: $p${i}) { purchaseId purchaseStatus }`).join("\n    ")} }`;

  constructor(
    private readonly client: GqlClient,
    private readonly staffToken: string,
    private readonly periodMs = 25,
  ) {
    this.loop = this.run();
  }

  private paused = false;

  paidAnswer(p: Paid): void {
    this.pending.set(p.id, p.paidAt);
    this.wake?.();
  }

  /** No polling (and no paid answers expected) until `resume`. */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.wake?.();
  }

  missing(): number {
    return this.pending.size;
  }

  private async run(): Promise<void> {
    while (this.running) {
      if (this.pending.size === 0 || this.paused) {
        await new Promise<void>((r) => {
          this.wake = r;
        });
        this.wake = null;
        continue;
      }
      // Map order is insertion order: the first ids are the oldest pending.
      const oldest = [...this.pending.keys()].slice(0, DashboardWatch.OLDEST);
      const variables = Object.fromEntries(
        Array.from({ length: DashboardWatch.OLDEST }, (_, i) => [
          `p${i}`,
          oldest[Math.min(i, oldest.length - 1)],
        ]),
      );
      const a = await this.client.request<
        Record<string, { purchaseId: string } | { purchaseId: string }[] | null>
      >(DashboardWatch.QUERY, variables, this.staffToken);
      this.polls++;
      if (a.errors?.length) {
        const code = String(a.errors[0]!.extensions?.code ?? `HTTP_${a.status}`);
        this.pollErrors.set(code, (this.pollErrors.get(code) ?? 0) + 1);
      }
      const rows = Object.values(a.data ?? {}).flatMap((v) => (Array.isArray(v) ? v : v ? [v] : []));
      for (const row of rows) {
        const paidAt = this.pending.get(row.purchaseId);
        if (paidAt === undefined) continue;
        this.pending.delete(row.purchaseId);
        this.lags.push(Math.max(0, a.doneAt - paidAt));
      }
      await sleep(this.periodMs - (performance.now() - a.sentAt));
    }
  }

  async waitAll(deadline: number): Promise<boolean> {
    while (this.pending.size > 0) {
      if (performance.now() >= deadline) return false;
      await sleep(20);
    }
    return true;
  }

  reset(): void {
    this.lags.length = 0;
    this.polls = 0;
    this.pollErrors.clear();
  }

  async close(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }
}
