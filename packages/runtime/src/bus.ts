import {
  connect,
  nanos,
  RetentionPolicy,
  StorageType,
  type JetStreamClient,
  type JetStreamManager,
  type NatsConnection,
} from "nats";
import { EVENT_STREAM, EVENT_STREAM_SUBJECTS } from "@junggo/events";
import { intEnv, type NatsCredentials } from "./config.ts";
import type { Logger } from "./logger.ts";
import { natsInboxPrefix } from "./nats-auth.ts";

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
        await ensureStream(this.jsmClient);
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

/**
 * Copies of the event stream the JetStream cluster keeps (NATS_STREAM_REPLICAS): 1 on a single
 * server (development), 3 on a three-node cluster (Kubernetes), so losing one node loses no event.
 */
export function streamReplicas(): number {
  const n = intEnv("NATS_STREAM_REPLICAS", 1);
  if (!Number.isInteger(n) || n < 1 || n > 5)
    throw new Error(`NATS_STREAM_REPLICAS must be a whole number from 1 to 5, got ${n}`);
  return n;
}

/** One stream for all domain events, in publish order, so consumers see causes before effects. */
export async function ensureStream(jsm: JetStreamManager): Promise<void> {
  const replicas = streamReplicas();
  const config = {
    name: EVENT_STREAM,
    subjects: EVENT_STREAM_SUBJECTS,
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    num_replicas: replicas,
    // JetStream drops a second publish with the same msgID inside this window.
    duplicate_window: nanos(Number(process.env.NATS_DUPLICATE_WINDOW_MS ?? 10 * 60_000)),
  };
  const existing = await jsm.streams.info(EVENT_STREAM).catch(() => null);
  if (!existing) {
    try {
      await jsm.streams.add(config);
    } catch (err) {
      // Another service created it in the meantime.
      await jsm.streams.info(EVENT_STREAM).catch(() => {
        throw err;
      });
    }
    return;
  }
  // A stream created by an older release lacks the subjects of contexts added since (their events
  // would be refused): widen it in place, keeping its messages and other settings.
  const subjects = existing.config.subjects ?? [];
  const missing = EVENT_STREAM_SUBJECTS.filter((s) => !subjects.includes(s));
  // A stream created with fewer copies (before the cluster grew) is scaled in place; JetStream copies its messages.
  const rescale = (existing.config.num_replicas || 1) !== replicas;
  if (!missing.length && !rescale) return;
  try {
    await jsm.streams.update(EVENT_STREAM, {
      ...existing.config,
      subjects: [...subjects, ...missing],
      num_replicas: replicas,
    });
  } catch (err) {
    // A context's NATS user may not change the stream (deploy/nats-auth.conf): the administrator does.
    throw new Error(
      `stream ${EVENT_STREAM} needs ${missing.length ? `subjects ${missing.join(", ")}` : ""}${missing.length && rescale ? " and " : ""}${rescale ? `${replicas} replicas` : ""} and could not be changed (${(err as Error).message}): run \`npm run nats -- stream\` as the NATS administrator (docs/nats-security.md)`,
    );
  }
}
