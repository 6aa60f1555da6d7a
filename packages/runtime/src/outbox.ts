import type { EventEnvelope } from "@junggo/events";
import { EVENT_CATALOGUE, streamOfSubject } from "@junggo/events";
import type { Database, SqlTx } from "./database.ts";
import type { EventBus } from "./bus.ts";
import type { Failpoints } from "./failpoints.ts";
import type { Logger } from "./logger.ts";
import { outboxTraceparent, publishSpan, tracingEnabled } from "./tracing.ts";

export type { SqlTx } from "./database.ts";

let appendedTotal = 0;
/** How many events `appendEvents` has written in this process (committed or not): a caller compares it before and after a transaction to know whether the relay has work. */
export const eventsAppended = (): number => appendedTotal;

/**
 * Writes events in the caller's transaction: they exist exactly when the state change does. One
 * statement for all of them (one round trip), on a raw or a Prisma transaction alike.
 */
export async function appendEvents(tx: SqlTx, events: EventEnvelope[]): Promise<void> {
  appendedTotal += events.length;
  // The trace the events were caused in goes with them (the relay sends it in the message headers).
  // Without tracing (undefined) the statement is the same as before tracing existed.
  const traceparent = outboxTraceparent();
  const width = traceparent === undefined ? 4 : 5;
  // At most 1,000 rows (5,000 parameters) a statement: PostgreSQL takes up to 65,535.
  for (let from = 0; from < events.length; from += 1000) {
    const values: unknown[] = [];
    const rows = events.slice(from, from + 1000).map((e, i) => {
      values.push(e.eventId, EVENT_CATALOGUE[e.type].subject, e.type, JSON.stringify(e));
      if (width === 5) values.push(traceparent);
      const n = width * i;
      return width === 5
        ? `($${n + 1}, $${n + 2}, $${n + 3}, $${n + 4}, $${n + 5})`
        : `($${n + 1}, $${n + 2}, $${n + 3}, $${n + 4})`;
    });
    await tx.$executeRawUnsafe(
      `INSERT INTO messaging.outbox (event_id, subject, type, body${width === 5 ? ", traceparent" : ""}) VALUES ${rows.join(", ")}`,
      ...values,
    );
  }
}

const encoder = new TextEncoder();

interface OutboxRow {
  seq: string | number;
  event_id: string;
  subject: string;
  type: string;
  body: string;
  /** Selected only while tracing is on. */
  traceparent?: string | null;
}

/**
 * Publishes outbox rows to JetStream in order, with msgID = event id (JetStream drops duplicates
 * inside its window), and marks a row published only after its PubAck. A crash between the two
 * republishes the row; the msgID makes that harmless.
 */
export class OutboxRelay {
  private running = false;
  private wake: (() => void) | null = null;
  /** A nudge that came while a batch was being published: look again before sleeping. */
  private nudged = false;
  private loop: Promise<void> | null = null;
  published = 0;

  constructor(
    private readonly db: Database,
    private readonly bus: EventBus,
    private readonly log: Logger,
    private readonly opts: { batchSize?: number; pollMs?: number; failpoints?: Failpoints | null } = {},
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Called after a commit that appended events, so they go out now rather than at the next poll. */
  nudge(): void {
    this.nudged = true;
    this.wake?.();
  }

  private async run(): Promise<void> {
    let backoff = 100;
    await this.bus.ready.catch(() => {});
    while (this.running) {
      try {
        this.nudged = false;
        const n = await this.publishBatch();
        backoff = 100;
        // A full batch may have more behind it; a short one was everything committed before its
        // SELECT, and whatever was committed since came with a nudge.
        if (n >= this.batchSize || this.nudged) continue;
      } catch (err) {
        this.log.warn("outbox relay failed, will retry", { err: (err as Error).message, backoffMs: backoff });
        await this.sleep(backoff);
        backoff = Math.min(backoff * 2, 5000);
        continue;
      }
      // Commits in this process nudge the relay; the poll is only the safety net.
      await this.sleep(this.opts.pollMs ?? 1000);
    }
  }

  private get batchSize(): number {
    return this.opts.batchSize ?? 100;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(t);
        this.wake = null;
        resolve();
      };
    });
  }

  /** Publishes one batch; returns how many rows were published. */
  async publishBatch(): Promise<number> {
    const rows = await this.db.query<OutboxRow>(
      `SELECT seq, event_id, subject, type, body${tracingEnabled() ? ", traceparent" : ""} FROM messaging.outbox WHERE published_at IS NULL ORDER BY seq LIMIT ${this.batchSize}`,
    );
    if (rows.length === 0) return 0;
    const js = this.bus.js();
    const done: string[] = [];
    // The batch is sent at once and its PubAcks awaited together (one round trip, not one per row).
    // The server stores one connection's messages in the order sent, so the stream keeps the outbox
    // order. A row whose PubAck did not come (timeout) is sent again with the next batch: if it was
    // stored after all, JetStream drops the copy by its msgID.
    const acks = await Promise.allSettled(
      rows.map((row) => {
        const span = publishSpan(row);
        const ack = js.publish(row.subject, encoder.encode(row.body), {
          msgID: row.event_id,
          expect: { streamName: streamOfSubject(row.subject) },
          headers: span?.headers,
        });
        return span ? span.settle(ack) : ack;
      }),
    );
    let failure: unknown;
    try {
      acks.forEach((ack, i) => {
        const row = rows[i]!;
        if (ack.status === "rejected") {
          failure ??= ack.reason;
          return;
        }
        // In the stream, not marked: a crash here must cost one deduplicated republish, not a second message.
        this.opts.failpoints?.hit("relay.after-puback", {
          eventType: row.type,
          eventId: row.event_id,
          seq: Number(row.seq),
        });
        done.push(String(Number(row.seq)));
      });
    } finally {
      if (done.length) {
        await this.db.query(
          `UPDATE messaging.outbox SET published_at = now() WHERE seq IN (${done.join(",")})`,
        );
        this.published += done.length;
      }
    }
    if (failure !== undefined) throw failure;
    return done.length;
  }

  /** Publishes everything pending (graceful shutdown); gives up quietly when NATS is away. */
  async flush(timeoutMs = 5000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until && this.bus.connected) {
      try {
        if ((await this.publishBatch()) === 0) return;
      } catch {
        return;
      }
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  async pendingCount(): Promise<number> {
    const rows = await this.db.query<{ n: string | number }>(
      `SELECT count(*) AS n FROM messaging.outbox WHERE published_at IS NULL`,
    );
    return Number(rows[0]?.n ?? 0);
  }
}
