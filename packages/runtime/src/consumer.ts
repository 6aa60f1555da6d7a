import { AckPolicy, DeliverPolicy, nanos, type ConsumerMessages, type JsMsg } from "nats";
import { EVENT_STREAM, type EventEnvelope, type EventType } from "@junggo/events";
import type { EventBus } from "./bus.ts";
import { failpoint, failpointsArmed } from "./failpoints.ts";
import type { Logger } from "./logger.ts";
import type { OutboxRelay, SqlTx } from "./outbox.ts";

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
  /** Relay to wake after a handler appended follow-up events. */
  relay?: OutboxRelay;
  maxDeliver?: number;
  /** First redelivery delay after a failure; doubles per attempt up to retryMaxMs. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  ackWaitMs?: number;
}

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

  constructor(private readonly o: ConsumerOptions<Tx>) {}

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
          this.messages = await consumer.fetch({ max_messages: 50, expires: 2000 });
          for await (const m of this.messages) {
            if (!this.running) {
              m.nak();
              continue;
            }
            this.inFlight = this.handle(m);
            await this.inFlight;
            this.inFlight = null;
          }
        }
      } catch (err) {
        if (!this.running) break;
        this.o.log.warn("consumer loop failed, restarting", { durable: this.o.durable, err: (err as Error).message });
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

  private async handle(m: JsMsg): Promise<void> {
    let event: EventEnvelope;
    try {
      event = parseEnvelope(new TextDecoder().decode(m.data));
    } catch (err) {
      await this.deadLetter(m, null, err as Error);
      m.term();
      return;
    }
    const handler = this.o.handlers[event.type] as ((e: EventEnvelope, tx: Tx) => Promise<void>) | undefined;
    if (!handler) {
      m.ack();
      return;
    }
    try {
      const outcome = await this.o.prisma.$transaction(async (tx) => {
        const outcome = await handleOnce(tx, this.o.durable, event, handler);
        // Inbox row and effects written, not committed: a crash here must leave none of them behind.
        if (failpointsArmed && outcome === "handled") failpoint("consumer.mid-transaction", this.failpointAt(m, event, outcome));
        return outcome;
      }, HANDLER_TX_OPTIONS);
      if (outcome === "duplicate") this.duplicates++;
      else this.handled++;
      this.o.relay?.nudge();
      // Committed, not acked: a crash here means a redelivery that the inbox must absorb.
      if (failpointsArmed) failpoint("consumer.after-commit", this.failpointAt(m, event, outcome));
      // A lost ack only means a redelivery, which the inbox absorbs.
      await m.ackAck().catch(() => m.ack());
    } catch (err) {
      const deliveries = m.info.redeliveryCount;
      const max = this.o.maxDeliver ?? 5;
      if (deliveries >= max) {
        await this.deadLetter(m, event, err as Error);
        m.term();
        this.o.log.error("event dead-lettered", { durable: this.o.durable, type: event.type, eventId: event.eventId, err: (err as Error).message });
      } else {
        const delay = Math.min((this.o.retryBaseMs ?? 250) * 2 ** (deliveries - 1), this.o.retryMaxMs ?? 10_000);
        m.nak(delay);
        this.o.log.warn("event handling failed, will retry", { durable: this.o.durable, type: event.type, eventId: event.eventId, deliveries, delayMs: delay, err: (err as Error).message });
      }
    }
  }

  private failpointAt(m: JsMsg, event: EventEnvelope, outcome: string) {
    return { eventType: event.type, eventId: event.eventId, consumer: this.o.durable, deliveries: m.info.redeliveryCount, outcome };
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
    await this.loop;
  }
}
