import {
  connect,
  nanos,
  RetentionPolicy,
  StorageType,
  type JetStreamClient,
  type JetStreamManager,
  type NatsConnection,
} from "nats";
import { EVENT_STREAMS } from "@junggo/events";
import type { Logger } from "./logger.ts";

/** A NATS user and its password (deploy/nats-auth.conf). */
export interface NatsCredentials {
  user: string;
  pass: string;
}

/**
 * Replies to a user's requests (JetStream API answers, PubAcks, pulled events) arrive on its own
 * inbox prefix, so no user can subscribe to another's replies (a pull consumer delivers events there).
 */
export function natsInboxPrefix(user: string): string {
  return `_INBOX.${user}`;
}

/**
 * The NATS JetStream connection of one service. Connecting never blocks the service from
 * starting: purchases must be accepted while NATS is down; the outbox keeps the events.
 */
export class EventBus {
  private nc: NatsConnection | null = null;
  private jsClient: JetStreamClient | null = null;
  private jsmClient: JetStreamManager | null = null;
  private closed = false;
  /** False between a "disconnect" and the following "reconnect" status. */
  private linkUp = false;
  readonly ready: Promise<void>;

  constructor(
    private readonly url: string,
    private readonly name: string,
    private readonly log: Logger,
    /** The context's NATS user (deploy/nats-auth.conf); none for a server without authentication. */
    private readonly credentials?: NatsCredentials,
    private readonly options: { duplicateWindowMs?: number; streamReplicas?: number } = {},
  ) {
    this.ready = this.connectLoop();
    this.ready.catch(() => {});
  }

  private async connectLoop(): Promise<void> {
    let delay = 200;
    while (!this.closed) {
      try {
        const nc = await connect({
          servers: this.url,
          name: this.name,
          maxReconnectAttempts: -1,
          reconnectTimeWait: 500,
          timeout: 2000,
          // nats.js gives up for good after two refused reconnects (e.g. NATS restarted with a
          // password not yet deployed): keep trying, as when NATS is down, until it is fixed.
          ignoreAuthErrorAbort: true,
          ...(this.credentials
            ? {
                user: this.credentials.user,
                pass: this.credentials.pass,
                // Replies come back under the user's own inbox prefix, the only one it may subscribe to.
                inboxPrefix: natsInboxPrefix(this.credentials.user),
              }
            : {}),
        });
        this.nc = nc;
        // No account-info probe ($JS.API.INFO, not granted to a context): ensureStream's first call tells.
        this.jsmClient = await nc.jetstreamManager({ timeout: 5000, checkAPI: false });
        await ensureStream(this.jsmClient, {
          duplicateWindowMs: this.options.duplicateWindowMs,
          replicas: this.options.streamReplicas,
        });
        this.jsClient = nc.jetstream({ timeout: 5000 });
        this.linkUp = true;
        this.log.info("connected to NATS", { url: this.url });
        (async () => {
          for await (const s of nc.status()) {
            if (s.type === "disconnect") this.linkUp = false;
            if (s.type === "reconnect") this.linkUp = true;
            this.log.debug("nats status", { type: s.type });
          }
        })().catch(() => {});
        return;
      } catch (err) {
        if (this.nc) await this.nc.close().catch(() => {});
        this.nc = null;
        this.log.warn("NATS not reachable yet, retrying", { url: this.url, err: (err as Error).message });
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 3000);
      }
    }
    throw new Error("event bus closed");
  }

  get connected(): boolean {
    return !!this.nc && !this.nc.isClosed() && this.linkUp;
  }

  /** The live connection (core NATS); throws before the first successful connect. */
  connection(): NatsConnection {
    if (!this.nc) throw new Error("NATS not connected");
    return this.nc;
  }

  js(): JetStreamClient {
    if (!this.jsClient) throw new Error("NATS not connected");
    return this.jsClient;
  }

  jsm(): JetStreamManager {
    if (!this.jsmClient) throw new Error("NATS not connected");
    return this.jsmClient;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.nc) await this.nc.drain().catch(() => this.nc?.close());
  }
}

/** NATS_DUPLICATE_WINDOW_MS by default. */
export const DEFAULT_DUPLICATE_WINDOW_MS = 10 * 60_000;

/**
 * The event streams (EVENT_STREAMS): one for every event some context reacts to, in publish order,
 * so consumers see causes before effects, and one for notification's own events, which nobody
 * consumes durably. `replicas` (NATS_STREAM_REPLICAS): copies the JetStream cluster keeps, 1 on a
 * single server (development), 3 on a three-node cluster (Kubernetes), so losing one node loses no
 * event.
 */
export async function ensureStream(
  jsm: JetStreamManager,
  o: { duplicateWindowMs?: number; replicas?: number } = {},
): Promise<void> {
  const replicas = o.replicas ?? 1;
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > 5)
    throw new Error(`NATS_STREAM_REPLICAS must be a whole number from 1 to 5, got ${replicas}`);
  const duplicateWindowMs = o.duplicateWindowMs ?? DEFAULT_DUPLICATE_WINDOW_MS;
  // In order: a subject moved out of the event stream (notification.> in older releases) must
  // leave it before the stream that takes it over can be created (streams may not overlap).
  for (const stream of EVENT_STREAMS) await ensureOneStream(jsm, stream, replicas, duplicateWindowMs);
}

async function ensureOneStream(
  jsm: JetStreamManager,
  stream: { name: string; subjects: readonly string[] },
  replicas: number,
  duplicateWindowMs: number,
): Promise<void> {
  const config = {
    name: stream.name,
    subjects: [...stream.subjects],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    num_replicas: replicas,
    // JetStream drops a second publish with the same msgID inside this window.
    duplicate_window: nanos(duplicateWindowMs),
  };
  const existing = await jsm.streams.info(stream.name).catch(() => null);
  if (!existing) {
    try {
      await jsm.streams.add(config);
    } catch (err) {
      // Another service created it in the meantime.
      await jsm.streams.info(stream.name).catch(() => {
        throw err;
      });
    }
    return;
  }
  // A stream created by an older release lacks the subjects of contexts added since (their events
  // would be refused), or still holds one another stream now takes: changed in place, keeping its
  // messages and other settings.
  const subjects = existing.config.subjects ?? [];
  const missing = stream.subjects.filter((s) => !subjects.includes(s));
  const moved = subjects.filter((s) => EVENT_STREAMS.some((o) => o !== stream && o.subjects.includes(s)));
  // A stream created with fewer copies (before the cluster grew) is scaled in place; JetStream copies its messages.
  const rescale = (existing.config.num_replicas || 1) !== replicas;
  if (!missing.length && !moved.length && !rescale) return;
  try {
    await jsm.streams.update(stream.name, {
      ...existing.config,
      subjects: [...subjects.filter((s) => !moved.includes(s)), ...missing],
      num_replicas: replicas,
    });
  } catch (err) {
    // A context's NATS user may not change a stream (deploy/nats-auth.conf): the administrator does.
    const needs = [
      missing.length ? `subjects ${missing.join(", ")}` : "",
      moved.length ? `${moved.join(", ")} moved to another stream` : "",
      rescale ? `${replicas} replicas` : "",
    ].filter(Boolean);
    throw new Error(
      `stream ${stream.name} needs ${needs.join(" and ")} and could not be changed (${(err as Error).message}): run \`npm run nats -- stream\` as the NATS administrator (docs/nats-security.md)`,
    );
  }
}
