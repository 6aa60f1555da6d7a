import type { EventEnvelope } from "@junggo/events";
import {
  handleOnce,
  HANDLER_TX_OPTIONS,
  parseEnvelope,
  type HandlerMap,
  type TransactionalClient,
} from "./consumer.ts";
import type { Logger } from "./logger.ts";
import type { OutboxRelay, SqlTx } from "./outbox.ts";

/**
 * PENDING: waiting for a replay (a failed replay leaves it PENDING, with its error).
 * REPLAYED: a replay ran the handler and committed its effects.
 * ALREADY_PROCESSED: a replay found the event in the inbox (a redelivered copy was handled
 * meanwhile) and changed nothing.
 */
export type DeadLetterStatus = "PENDING" | "REPLAYED" | "ALREADY_PROCESSED";

/** One event a consumer gave up on, as operators see it (the body stays in the database). */
export interface DeadLetter {
  /** Row id, unique within the context's database. */
  id: string;
  consumer: string;
  eventId: string;
  type: string;
  subject: string;
  /** The error of the last delivery, the one that dead-lettered the event. */
  error: string;
  deliveries: number;
  createdAt: Date;
  replayedAt: Date | null;
  status: DeadLetterStatus;
  replayAttempts: number;
  /** The error of the latest failed replay; null once a replay succeeded or before any. */
  replayError: string | null;
}

interface Row {
  id: string;
  consumer: string;
  event_id: string;
  type: string;
  subject: string;
  error: string;
  deliveries: number;
  created_at: Date | string;
  replayed_at: Date | string | null;
  replay_outcome: string | null;
  replay_attempts: number;
  replay_error: string | null;
}

const COLUMNS = `id::text AS id, consumer, event_id, type, subject, error, deliveries, created_at, replayed_at, replay_outcome, replay_attempts, replay_error`;

/** Row ids are BIGSERIAL: a positive integer, as text. */
export const isDeadLetterId = (id: unknown): id is string =>
  typeof id === "string" && /^[1-9][0-9]{0,17}$/.test(id);

const toDeadLetter = (r: Row): DeadLetter => ({
  id: r.id,
  consumer: r.consumer,
  eventId: r.event_id,
  type: r.type,
  subject: r.subject,
  error: r.error,
  deliveries: Number(r.deliveries),
  createdAt: new Date(r.created_at),
  replayedAt: r.replayed_at === null ? null : new Date(r.replayed_at),
  status:
    r.replayed_at === null ? "PENDING" : r.replay_outcome === "DUPLICATE" ? "ALREADY_PROCESSED" : "REPLAYED",
  replayAttempts: Number(r.replay_attempts),
  replayError: r.replay_error,
});

export interface DeadLettersOptions<Tx extends SqlTx> {
  prisma: TransactionalClient<Tx>;
  /** The consumer whose dead letters these are (its durable name) — the same inbox rows. */
  consumer: string;
  /** The consumer's own handlers: a replay runs exactly what a delivery would. */
  handlers: HandlerMap<Tx>;
  log: Logger;
  /** Woken after a replay whose handler appended follow-up events. */
  relay?: OutboxRelay;
}

/**
 * A consumer's dead letters (messaging.dead_letter): listed for operators and replayed after a
 * fix. A replay is the consumer's own exactly-once step (inbox row + handler in one transaction)
 * plus the row's bookkeeping in that same transaction, so replaying twice, or replaying an event
 * that was handled meanwhile, changes nothing.
 */
export class DeadLetters<Tx extends SqlTx> {
  constructor(private readonly o: DeadLettersOptions<Tx>) {}

  /** Newest first. */
  async list(first: number): Promise<DeadLetter[]> {
    const rows = await this.o.prisma.$queryRawUnsafe<Row[]>(
      `SELECT ${COLUMNS} FROM messaging.dead_letter WHERE consumer = $1 ORDER BY created_at DESC, id DESC LIMIT $2`,
      this.o.consumer,
      first,
    );
    return rows.map(toDeadLetter);
  }

  /** Dead letters still waiting for a replay (a gauge on /metrics). */
  async pendingCount(): Promise<number> {
    const [row] = await this.o.prisma.$queryRawUnsafe<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM messaging.dead_letter WHERE consumer = $1 AND replayed_at IS NULL`,
      this.o.consumer,
    );
    return Number(row?.n ?? 0);
  }

  async find(id: string): Promise<DeadLetter | null> {
    if (!isDeadLetterId(id)) return null;
    const [row] = await this.o.prisma.$queryRawUnsafe<Row[]>(
      `SELECT ${COLUMNS} FROM messaging.dead_letter WHERE id = $1::bigint AND consumer = $2`,
      id,
      this.o.consumer,
    );
    return row ? toDeadLetter(row) : null;
  }

  /**
   * Runs the handler for the stored event again. Null for an unknown id. A row already replayed is
   * returned as it is; a replay that fails leaves the row PENDING with the new error.
   */
  async replay(id: string): Promise<DeadLetter | null> {
    if (!isDeadLetterId(id)) return null;
    const [stored] = await this.o.prisma.$queryRawUnsafe<{ body: string; replayed_at: Date | null }[]>(
      `SELECT body, replayed_at FROM messaging.dead_letter WHERE id = $1::bigint AND consumer = $2`,
      id,
      this.o.consumer,
    );
    if (!stored) return null;
    if (stored.replayed_at !== null) return this.find(id);
    try {
      const event = parseEnvelope(stored.body);
      const handler = this.o.handlers[event.type] as
        | ((e: EventEnvelope, tx: Tx) => Promise<void>)
        | undefined;
      if (!handler) throw new Error(`consumer ${this.o.consumer} has no handler for ${event.type}`);
      const outcome = await this.o.prisma.$transaction(async (tx) => {
        // The row lock serialises concurrent replays of one dead letter: the second finds it done.
        const [locked] = await tx.$queryRawUnsafe<{ replayed_at: Date | null }[]>(
          `SELECT replayed_at FROM messaging.dead_letter WHERE id = $1::bigint FOR UPDATE`,
          id,
        );
        if (!locked || locked.replayed_at !== null) return "skipped" as const;
        const result = await handleOnce(tx, this.o.consumer, event, handler);
        await tx.$executeRawUnsafe(
          `UPDATE messaging.dead_letter SET replayed_at = now(), last_replay_at = now(), replay_attempts = replay_attempts + 1,
             replay_outcome = $2, replay_error = NULL WHERE id = $1::bigint`,
          id,
          result === "handled" ? "HANDLED" : "DUPLICATE",
        );
        return result;
      }, HANDLER_TX_OPTIONS);
      if (outcome === "handled") this.o.relay?.nudge();
      if (outcome !== "skipped")
        this.o.log.info("dead letter replayed", {
          consumer: this.o.consumer,
          id,
          eventId: event.eventId,
          type: event.type,
          outcome,
        });
    } catch (err) {
      // The handler's transaction rolled back (inbox row included); only the attempt is recorded.
      const message = (err as Error).message;
      await this.o.prisma.$executeRawUnsafe(
        `UPDATE messaging.dead_letter SET last_replay_at = now(), replay_attempts = replay_attempts + 1, replay_error = $2
           WHERE id = $1::bigint AND replayed_at IS NULL`,
        id,
        message,
      );
      this.o.log.warn("dead letter replay failed", { consumer: this.o.consumer, id, err: message });
    }
    return this.find(id);
  }
}
