import { AckPolicy, DeliverPolicy, nanos, type ConsumerMessages, type JsMsg } from "nats";
import { EVENT_CATALOGUE, EVENT_STREAM, type EventEnvelope, type EventType } from "@junggo/events";
import type { EventBus } from "./bus.ts";
import type { Database } from "./database.ts";
import type { Failpoints } from "./failpoints.ts";
import type { Logger } from "./logger.ts";
import { eventsAppended, type OutboxRelay, type SqlTx } from "./outbox.ts";
import { traceConsumedBatch } from "./tracing.ts";

export interface TransactionalClient<Tx extends SqlTx> extends SqlTx {
  $transaction<R>(fn: (tx: Tx) => Promise<R>, options?: { timeout?: number; maxWait?: number }): Promise<R>;
}

export type HandlerMap<Tx> = { [T in EventType]?: (event: EventEnvelope<T>, tx: Tx) => Promise<void> };

export interface ConsumerOptions<Tx extends SqlTx> {
  bus: EventBus;
  prisma: TransactionalClient<Tx>;
  /** Durable consumer name, shared by every replica of the context (competing consumers). */
  durable: string;
  handlers: HandlerMap<Tx>;
  log: Logger;
  /**
   * Runs each event's transaction (inbox row + handler) in plain SQL on the driver (`db.transaction`)
   * instead of a Prisma interactive transaction: the handlers then get a tx that only offers
   * `$executeRawUnsafe` / `$queryRawUnsafe`, so every handler must be written in raw SQL.
   */
  raw?: Database;
  /** Relay to wake after a handler appended follow-up events. */
  relay?: OutboxRelay;
  maxDeliver?: number;
  /** First redelivery delay after a failure; doubles per attempt up to retryMaxMs. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  ackWaitMs?: number;
  /** The process's crash points (tests); none: no-op. */
  failpoints?: Failpoints | null;
}

/** How long one pull request waits on the server for events (it ends early with a full batch). */
const FETCH_EXPIRES_MS = 2000;
/**
 * A fetch the server has not ended this long after its expiry is closed by the client (its 408 was
 * lost). Short: until then this replica has no pull request on the server and takes no work (a
 * 15 s allowance once left one of three replicas idle through a whole burst).
 */
const FETCH_SAFETY_MS = 3_000;

/**
 * Lets the server end a fetch (its 408 at `expires`, or a full batch) rather than the client.
 * nats.js also closes a fetch by its own timer at 1.05 × expires and re-pulls when two idle
 * heartbeats seem missed. On a busy machine (2 cores, a dozen processes) this process can be
 * descheduled past that timer: it then unsubscribes the fetch's inbox before reading events the
 * server had already delivered to it in the last moments of the pull. Those are dropped on the
 * floor and count as unacknowledged until ack_wait (30 s) redelivers them: a whole context (every
 * replica) seemingly stalled for half a minute with "0 pending, 1 unacknowledged". Without those
 * client timers, every event the server sends before its 408 is read and handled (or nak'ed on
 * shutdown). A generous safety timer still closes a fetch whose end never came (connection lost
 * for good); on reconnect nats.js re-pulls by itself. Returns that timer.
 */
function endFetchByServer(messages: ConsumerMessages, onLost: () => void): ReturnType<typeof setTimeout> {
  // Implementation detail of nats.js 2.x (PullConsumerMessagesImpl): without it, its own timers stay.
  const impl = messages as unknown as { clearTimers?: () => void };
  if (typeof impl.clearTimers === "function") impl.clearTimers();
  return setTimeout(() => {
    onLost();
    messages.close().catch(() => {});
  }, FETCH_EXPIRES_MS + FETCH_SAFETY_MS);
}

const decoder = new TextDecoder();
/** An event this consumer handles, with its message and handler. */
interface Work<Tx> {
  m: JsMsg;
  event: EventEnvelope;
  handler: (e: EventEnvelope, tx: Tx) => Promise<void>;
}

/** Events handled in one transaction at most. */
const MAX_BATCH = 32;

/** Transaction options of every handler run, by the consumer or by a dead-letter replay. */
export const HANDLER_TX_OPTIONS = { timeout: 20_000, maxWait: 20_000 };

/** The envelope in a message body; throws for anything that is not one. */
export function parseEnvelope(body: string): EventEnvelope {
  const event = JSON.parse(body) as EventEnvelope;
  if (!event?.eventId || !event.type) throw new Error("not an event envelope");
  return event;
}

/**
 * The exactly-once step, inside the caller's transaction: the inbox row (consumer, event id) and
 * the handler's effects commit together, so an event this consumer already processed changes
 * nothing ("duplicate"). The consumer and dead-letter replay both go through here.
 */
export async function handleOnce<Tx extends SqlTx>(
  tx: Tx,
  consumer: string,
  event: EventEnvelope,
  handler: (e: EventEnvelope, tx: Tx) => Promise<void>,
): Promise<"handled" | "duplicate"> {
  const fresh = await tx.$executeRawUnsafe(
    `INSERT INTO messaging.inbox (consumer, event_id, type) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
    consumer,
    event.eventId,
    event.type,
  );
  if (fresh === 0) return "duplicate";
  await handler(event, tx);
  return "handled";
}

/**
 * Runs a durable pull consumer over the event stream. Each event is handled in one database
 * transaction together with its inbox row (event id), so a redelivered event changes nothing;
 * the ack follows the commit. Failures are nak'ed with backoff; after maxDeliver attempts the
 * event is written to messaging.dead_letter and terminated.
 */
export class EventConsumer<Tx extends SqlTx> {
  private messages: ConsumerMessages | null = null;
  private running = false;
  private loop: Promise<void> | null = null;
  private inFlight: Promise<void> | null = null;
  handled = 0;
  duplicates = 0;
  /** Events of other types, acknowledged without being read (every consumer sees the whole stream). */
  skipped = 0;
  /** Handler transactions committed or tried (a batch of events shares one). */
  transactions = 0;
  /** Subjects of the event types this consumer handles. */
  private readonly subjects: Set<string>;

  constructor(private readonly o: ConsumerOptions<Tx>) {
    this.subjects = new Set(Object.keys(o.handlers).map((t) => EVENT_CATALOGUE[t as EventType].subject));
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    await this.o.bus.ready.catch(() => {});
    let backoff = 200;
    while (this.running) {
      try {
        await this.ensureConsumer();
        const consumer = await this.o.bus.js().consumers.get(EVENT_STREAM, this.o.durable);
        backoff = 200;
        // Bounded pulls rather than an endless consume(): on shutdown the rest of a batch is
        // nak'ed, so another replica gets it now instead of after ack_wait.
        while (this.running) {
          const messages = await consumer.fetch({ max_messages: 50, expires: FETCH_EXPIRES_MS });
          this.messages = messages;
          const safety = endFetchByServer(messages, () =>
            this.o.log.warn("pull request not ended by the server in time; pulling again", {
              durable: this.o.durable,
              afterMs: FETCH_EXPIRES_MS + FETCH_SAFETY_MS,
            }),
          );
          // Reading and handling are decoupled: the events that arrived while a batch was being
          // handled form the next batch (one transaction), so a busy consumer commits less often.
          const arrived: JsMsg[] = [];
          const state: { ended: boolean; wake: (() => void) | null } = { ended: false, wake: null };
          const reader = (async () => {
            try {
              for await (const m of messages) {
                arrived.push(m);
                state.wake?.();
              }
            } finally {
              state.ended = true;
              state.wake?.();
            }
          })();
          reader.catch(() => {
            /* rethrown by the await below */
          });
          try {
            while (arrived.length > 0 || !state.ended) {
              if (arrived.length === 0) {
                await new Promise<void>((r) => {
                  state.wake = r;
                });
                state.wake = null;
                continue;
              }
              const batch = arrived.splice(0, MAX_BATCH);
              if (!this.running) {
                for (const m of batch) m.nak();
                continue;
              }
              this.inFlight = this.handleBatch(batch);
              await this.inFlight;
              this.inFlight = null;
            }
            await reader;
          } finally {
            clearTimeout(safety);
          }
        }
      } catch (err) {
        if (!this.running) break;
        this.o.log.warn("consumer loop failed, restarting", {
          durable: this.o.durable,
          err: (err as Error).message,
        });
      }
      if (this.running) {
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, 5000);
      }
    }
  }

  private async ensureConsumer(): Promise<void> {
    const jsm = this.o.bus.jsm();
    try {
      await jsm.consumers.info(EVENT_STREAM, this.o.durable);
    } catch {
      await jsm.consumers.add(EVENT_STREAM, {
        durable_name: this.o.durable,
        ack_policy: AckPolicy.Explicit,
        // A new context replays the whole history: it catches up without touching anyone's database.
        deliver_policy: DeliverPolicy.All,
        ack_wait: nanos(this.o.ackWaitMs ?? 30_000),
        max_ack_pending: 1000,
      });
    }
  }

  /**
   * Handles the events of a batch in order. Those this context handles go through one transaction
   * (each with its inbox row, so exactly-once holds per event); if it fails, the event whose handler
   * failed takes its retry or dead-letter path at once (its handler ran once for this delivery) and
   * every other one is handled in a transaction of its own, so one failing event holds up no other.
   */
  private async handleBatch(batch: JsMsg[]): Promise<void> {
    // Other types' events are acknowledged first, in one synchronous pass: nats.js flushes its
    // outbound buffer in a microtask, so an await between two acks would cost a socket write each
    // (on nats-server 2.9 most of a context's deliveries are such skips).
    const ours: JsMsg[] = [];
    for (const m of batch) {
      if (this.subjects.has(m.subject)) ours.push(m);
      else {
        this.skipped++;
        m.ack();
      }
    }
    const mine: Work<Tx>[] = [];
    for (const m of ours) {
      const work = await this.accept(m);
      if (work) mine.push(work);
    }
    if (mine.length === 0) return;
    const failure = await this.commit(mine);
    if (!failure) return;
    for (const [index, w] of mine.entries()) {
      const own = failure.index === index || mine.length === 1 ? failure : await this.commit([w]);
      if (own) await this.failed(w.m, w.event, own.err);
    }
  }

  /**
   * The event of a message on one of this context's subjects, or null once the message is dealt
   * with: a body that is not an event is dead-lettered.
   */
  private async accept(m: JsMsg): Promise<Work<Tx> | null> {
    let event: EventEnvelope;
    try {
      event = parseEnvelope(decoder.decode(m.data));
    } catch (err) {
      await this.deadLetter(m, null, err as Error);
      m.term();
      return null;
    }
    const handler = this.o.handlers[event.type] as ((e: EventEnvelope, tx: Tx) => Promise<void>) | undefined;
    if (!handler) {
      m.ack();
      return null;
    }
    return { m, event, handler };
  }

  /**
   * Runs the events in one transaction, each with its inbox row, then acknowledges each (the ack
   * follows the commit). After a rollback it returns which event's handler failed (index -1: the
   * transaction itself), and nothing was acknowledged.
   */
  private async commit(work: Work<Tx>[]): Promise<{ index: number; err: Error } | undefined> {
    const appendedBefore = eventsAppended();
    let failing: { index: number; err: Error } | undefined;
    let outcomes: ("handled" | "duplicate")[];
    // A span per event, continuing its producer's trace (null without tracing).
    const traced = traceConsumedBatch(this.o.durable, work);
    try {
      const run = async (tx: Tx) => {
        const out: ("handled" | "duplicate")[] = [];
        for (const [index, { m, event, handler }] of work.entries()) {
          let outcome: "handled" | "duplicate";
          try {
            outcome = traced
              ? await traced.event(index, () => handleOnce(tx, this.o.durable, event, handler))
              : await handleOnce(tx, this.o.durable, event, handler);
          } catch (err) {
            failing = { index, err: err as Error };
            throw err;
          }
          // Inbox row and effects written, not committed: a crash here must leave none of them behind.
          if (outcome === "handled")
            this.o.failpoints?.hit("consumer.mid-transaction", this.failpointAt(m, event, outcome));
          out.push(outcome);
        }
        return out;
      };
      this.transactions++;
      const transact = () =>
        this.o.raw
          ? this.o.raw.transaction((tx) => run(tx as Tx))
          : this.o.prisma.$transaction(run, HANDLER_TX_OPTIONS);
      outcomes = await (traced ? traced.transaction(transact) : transact());
    } catch (err) {
      const failure = failing ?? { index: -1, err: err as Error };
      traced?.end(failure);
      return failure;
    }
    // Only a handler that appended events gives the relay work (a projection appends none).
    if (eventsAppended() !== appendedBefore) this.o.relay?.nudge();
    for (const [i, { m, event }] of work.entries()) {
      if (outcomes[i] === "duplicate") this.duplicates++;
      else this.handled++;
      try {
        // Committed, not acked: a crash here means a redelivery that the inbox must absorb.
        this.o.failpoints?.hit("consumer.after-commit", this.failpointAt(m, event, outcomes[i]!));
      } catch (err) {
        await this.failed(m, event, err as Error);
        continue;
      }
      // Not ackAck: a lost ack only means a redelivery, which the inbox absorbs, so waiting for the
      // server's confirmation would cost a round trip per event and buy nothing.
      m.ack();
    }
    traced?.end();
    return undefined;
  }

  /** A delivery whose handling failed: redelivered later with backoff, or dead-lettered after maxDeliver. */
  private async failed(m: JsMsg, event: EventEnvelope, err: Error): Promise<void> {
    const deliveries = m.info.redeliveryCount;
    const max = this.o.maxDeliver ?? 5;
    if (deliveries >= max) {
      await this.deadLetter(m, event, err);
      m.term();
      this.o.log.error("event dead-lettered", {
        durable: this.o.durable,
        type: event.type,
        eventId: event.eventId,
        err: err.message,
      });
    } else {
      const delay = Math.min(
        (this.o.retryBaseMs ?? 250) * 2 ** (deliveries - 1),
        this.o.retryMaxMs ?? 10_000,
      );
      m.nak(delay);
      this.o.log.warn("event handling failed, will retry", {
        durable: this.o.durable,
        type: event.type,
        eventId: event.eventId,
        deliveries,
        delayMs: delay,
        err: err.message,
      });
    }
  }

  private failpointAt(m: JsMsg, event: EventEnvelope, outcome: string) {
    return {
      eventType: event.type,
      eventId: event.eventId,
      consumer: this.o.durable,
      deliveries: m.info.redeliveryCount,
      outcome,
    };
  }

  private async deadLetter(m: JsMsg, event: EventEnvelope | null, err: Error): Promise<void> {
    await this.o.prisma
      .$executeRawUnsafe(
        `INSERT INTO messaging.dead_letter (consumer, event_id, subject, type, body, error, deliveries) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        this.o.durable,
        event?.eventId ?? `seq-${m.seq}`,
        m.subject,
        event?.type ?? "unknown",
        new TextDecoder().decode(m.data),
        err.message,
        m.info.redeliveryCount,
      )
      .catch((e: Error) => this.o.log.error("could not write dead letter", { err: e.message }));
  }

  /** Finishes the event in hand, hands the rest of the batch back (nak) and stops (graceful shutdown). */
  async stop(): Promise<void> {
    this.running = false;
    await this.inFlight;
    // The server ends the current pull within FETCH_EXPIRES_MS (what it still delivers is nak'ed);
    // with NATS away that end never comes, so the fetch is closed rather than waited for.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ended = await Promise.race([
      this.loop?.then(() => true),
      new Promise<boolean>((r) => {
        timer = setTimeout(() => r(false), FETCH_EXPIRES_MS + 1000);
      }),
    ]);
    clearTimeout(timer);
    if (!ended) await this.messages?.close().catch(() => {});
    await this.loop;
  }
}
