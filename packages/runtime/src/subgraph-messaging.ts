import type { EventBus } from "./bus.ts";
import type { ServiceConfig } from "./config.ts";
import { EventConsumer, type HandlerMap, type TransactionalClient } from "./consumer.ts";
import type { Database } from "./database.ts";
import { DeadLetters } from "./dead-letters.ts";
import type { Failpoints } from "./failpoints.ts";
import { LiveEvents } from "./live.ts";
import type { Logger } from "./logger.ts";
import { eventsAppended, OutboxRelay, type SqlTx } from "./outbox.ts";
import { inSpan } from "./tracing.ts";

/**
 * The messaging of one subgraph: the outbox relay (events out), live events (subscriptions), and
 * once the module's handlers are known, the durable consumer and its dead letters (events in).
 * Building it starts nothing; the lifecycle starts and stops each part.
 */
export class SubgraphMessaging<Tx extends SqlTx> {
  readonly relay: OutboxRelay;
  readonly live: LiveEvents;

  constructor(
    private readonly o: {
      context: string;
      config: ServiceConfig;
      db: Database;
      prisma: TransactionalClient<Tx>;
      bus: EventBus;
      log: Logger;
      /** The process's crash points (tests only), handed to the relay and the consumer. */
      failpoints: Failpoints | null;
    },
  ) {
    this.relay = new OutboxRelay(o.db, o.bus, o.log, { failpoints: o.failpoints });
    this.live = new LiveEvents(o.bus, o.log, o.config.liveBuffer);
  }

  /** Runs `fn` in one Prisma transaction (state + outbox), then wakes the relay. */
  transact = async <R>(fn: (tx: Tx) => Promise<R>): Promise<R> => {
    const r = await inSpan("prisma.transaction", () =>
      this.o.prisma.$transaction(fn, { timeout: 20_000, maxWait: 20_000 }),
    );
    this.relay.nudge();
    return r;
  };

  /** Runs `fn` in one plain-SQL transaction; wakes the relay only if it appended events. */
  sqlTransact = async <R>(fn: (tx: SqlTx) => Promise<R>): Promise<R> => {
    const appended = eventsAppended();
    const r = await this.o.db.transaction(fn);
    // Only a transaction that appended events gives the relay work (e.g. taking a hold appends none).
    if (eventsAppended() !== appended) this.relay.nudge();
    return r;
  };

  /** The consumer of the module's handlers (null without handlers) and its dead letters. */
  inbound(mod: { handlers?: HandlerMap<Tx>; rawHandlers?: boolean }) {
    const { context, config, bus, prisma, log, db } = this.o;
    const consumer = mod.handlers
      ? new EventConsumer<Tx>({
          bus,
          prisma,
          durable: context,
          handlers: mod.handlers,
          log,
          relay: this.relay,
          raw: mod.rawHandlers ? db : undefined,
          maxDeliver: config.consumerMaxDeliver,
          retryBaseMs: config.consumerRetryBaseMs,
          retryMaxMs: config.consumerRetryMaxMs,
          failpoints: this.o.failpoints,
        })
      : null;
    // Same consumer name and handlers as the consumer: a replay is one more delivery, exactly once.
    const deadLetters = new DeadLetters<Tx>({
      prisma,
      consumer: context,
      handlers: mod.handlers ?? {},
      log,
      relay: this.relay,
    });
    return { consumer, deadLetters };
  }
}
