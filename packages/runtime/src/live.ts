import type { Subscription as NatsSubscription } from "nats";
import { EVENT_CATALOGUE, type EventEnvelope, type EventType } from "@junggo/events";
import type { EventBus } from "./bus.ts";
import { requireViewer, type Viewer } from "./auth.ts";
import { DomainError } from "./errors.ts";
import type { Logger } from "./logger.ts";

export type LiveFilter<T extends EventType> = (event: EventEnvelope<T>) => boolean | Promise<boolean>;

export interface LiveStats {
  /** Open iterators (one per GraphQL subscription served by this process). */
  listeners: number;
  /** Core NATS subscriptions held for them (one per subject while anyone listens). */
  natsSubscriptions: number;
  delivered: number;
  /** Listeners ended because they fell more than LIVE_BUFFER events behind. */
  overflowed: number;
}

interface Listener {
  types: ReadonlySet<string>;
  push(event: EventEnvelope): void;
  end(): void;
}

/** LIVE_BUFFER by default: pending live events per listener. */
export const DEFAULT_LIVE_BUFFER = 256;

/**
 * Live fan-out of domain events to GraphQL subscriptions in this process. Live delivery reads
 * the stream's subjects with plain (core) NATS subscriptions: no durable state, nothing to clean up
 * but the subscription itself, and a subject is only subscribed while someone listens. The
 * durable consumer stays the only path for effects; a missed live event costs a client a refetch,
 * never a lost effect.
 */
export class LiveEvents {
  private readonly listeners = new Set<Listener>();
  private readonly subjects = new Map<string, { refs: number; sub: Promise<NatsSubscription | null> }>();
  private readonly recent = new Set<string>();
  private delivered = 0;
  private overflowed = 0;

  constructor(
    private readonly bus: EventBus,
    private readonly log: Logger,
    private readonly bufferSize = DEFAULT_LIVE_BUFFER,
  ) {}

  stats(): LiveStats {
    return {
      listeners: this.listeners.size,
      natsSubscriptions: this.subjects.size,
      delivered: this.delivered,
      overflowed: this.overflowed,
    };
  }

  /**
   * Events of the given types, in stream order, from now on, passing `filter` (evaluated one
   * event at a time, so order is kept). Ends when the consumer calls `return()` (graphql-js does
   * when the client unsubscribes or disconnects). A listener that falls more than `bufferSize`
   * events behind gets its buffered events, then a SUBSCRIPTION_OVERFLOW error, and ends: it never
   * silently misses an event.
   */
  subscribe<T extends EventType>(
    types: readonly T[],
    filter?: LiveFilter<T>,
  ): AsyncIterableIterator<EventEnvelope<T>> {
    const queue: EventEnvelope<T>[] = [];
    let wake: (() => void) | null = null;
    let done = false;
    let overflowed = false;
    const listener: Listener = {
      types: new Set(types),
      push: (event) => {
        if (overflowed) return;
        if (queue.length >= this.bufferSize) {
          overflowed = true;
          this.overflowed++;
        } else {
          queue.push(event as EventEnvelope<T>);
        }
        wake?.();
      },
      end: () => finish(),
    };
    this.listeners.add(listener);
    const subjects = [...new Set(types.map((t) => EVENT_CATALOGUE[t].subject))];
    for (const s of subjects) this.retain(s);

    const finish = () => {
      if (done) return;
      done = true;
      this.listeners.delete(listener);
      for (const s of subjects) this.release(s);
      wake?.();
    };
    const iterator: AsyncIterableIterator<EventEnvelope<T>> = {
      next: async () => {
        while (!done) {
          const event = queue.shift();
          if (event) {
            if (filter && !(await this.passes(filter, event))) continue;
            if (done) break;
            this.delivered++;
            return { value: event, done: false };
          }
          if (overflowed) {
            finish();
            throw new DomainError(
              "SUBSCRIPTION_OVERFLOW",
              "You fell behind on this subscription's events; refetch and subscribe again.",
            );
          }
          await new Promise<void>((r) => {
            wake = r;
          });
          wake = null;
        }
        return { value: undefined, done: true };
      },
      return: async () => {
        finish();
        return { value: undefined, done: true };
      },
      throw: async (err?: unknown) => {
        finish();
        throw err;
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }

  private async passes<T extends EventType>(
    filter: LiveFilter<T>,
    event: EventEnvelope<T>,
  ): Promise<boolean> {
    try {
      return await filter(event);
    } catch (err) {
      // A subscriber must not die of one unreadable event; its next event brings the current state.
      this.log.warn("live event skipped", {
        type: event.type,
        eventId: event.eventId,
        err: (err as Error).message,
      });
      return false;
    }
  }

  private retain(subject: string): void {
    const held = this.subjects.get(subject);
    if (held) {
      held.refs++;
      return;
    }
    const sub = this.bus.ready.then(
      () => {
        const entry = this.subjects.get(subject);
        if (!entry || entry.refs === 0) return null;
        const s = this.bus.connection().subscribe(subject);
        (async () => {
          for await (const m of s) this.dispatch(m.data);
        })().catch((err: Error) => this.log.warn("live subscription ended", { subject, err: err.message }));
        return s;
      },
      () => null,
    );
    this.subjects.set(subject, { refs: 1, sub });
  }

  private release(subject: string): void {
    const held = this.subjects.get(subject);
    if (!held) return;
    if (--held.refs > 0) return;
    this.subjects.delete(subject);
    void held.sub.then((s) => s?.unsubscribe());
  }

  private dispatch(data: Uint8Array): void {
    let event: EventEnvelope;
    try {
      event = JSON.parse(new TextDecoder().decode(data)) as EventEnvelope;
    } catch {
      return;
    }
    // A relay that republishes after a lost PubAck reaches core subscribers twice.
    if (this.recent.has(event.eventId)) return;
    this.recent.add(event.eventId);
    if (this.recent.size > 2048) this.recent.delete(this.recent.values().next().value!);
    for (const l of this.listeners) if (l.types.has(event.type)) l.push(event);
  }

  /** Ends every listener (shutdown). */
  close(): void {
    for (const l of [...this.listeners]) l.end();
    for (const [subject, held] of this.subjects) {
      this.subjects.delete(subject);
      void held.sub.then((s) => s?.unsubscribe());
    }
  }
}

/**
 * Memoizes a per-event lookup shared by every subscription of this process that receives the same
 * event (one database read per event, not one per subscriber).
 */
export function perEvent<R>(
  load: (event: EventEnvelope) => Promise<R>,
  size = 512,
): (event: EventEnvelope) => Promise<R> {
  const cache = new Map<string, Promise<R>>();
  return (event) => {
    let hit = cache.get(event.eventId);
    if (!hit) {
      hit = load(event);
      hit.catch(() => cache.delete(event.eventId));
      cache.set(event.eventId, hit);
      if (cache.size > size) cache.delete(cache.keys().next().value!);
    }
    return hit;
  };
}

export interface LiveSubscriptionOptions<Args, Row> {
  live: LiveEvents;
  /** The events that mean "this changed". */
  types: readonly EventType[];
  /** Cheap pre-filter on the event and the subscription's arguments (e.g. a purchaseId argument). */
  matches?: (event: EventEnvelope, args: Args) => boolean;
  /** The entity as it is now, read once per event for all subscribers; null when gone. */
  load: (event: EventEnvelope) => Promise<Row | null>;
  /** Whether this viewer may see this row: checked for every event, for every subscriber. */
  visible: (viewer: Viewer, row: Row) => boolean;
}

/**
 * A `Subscription` field resolver: events of `types`, filtered by the arguments and by what the
 * subscriber may see, each resolved to the entity's current state. Anonymous subscribers are refused.
 */
export function liveSubscription<Args, Row>(o: LiveSubscriptionOptions<Args, Row>) {
  const load = perEvent(o.load);
  return {
    subscribe: (_root: unknown, args: Args, ctx: { viewer: Viewer | null }) => {
      const viewer = requireViewer(ctx.viewer);
      return o.live.subscribe(o.types, async (event) => {
        if (o.matches && !o.matches(event, args)) return false;
        const row = await load(event);
        return row !== null && o.visible(viewer, row);
      });
    },
    resolve: (event: EventEnvelope) => load(event),
  };
}
