import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type NatsConnection } from "nats";
import { EVENT_STREAM, type EventEnvelope, type EventType } from "@junggo/events";
import { Stack, type StackOptions } from "@junggo/devstack";
import { importSigningKey, readKeyFile, signAccessToken, type Viewer } from "@junggo/runtime";

export const DEMO_PASSWORD = "junggo-demo";

export interface GqlResult<T = any> {
  data?: T;
  errors?: { message: string; extensions?: Record<string, unknown>; path?: (string | number)[] }[];
  status: number;
}

/**
 * A whole Junggo stack (real NATS, real databases, one OS process per service) on free ports,
 * talked to only through the gateway. JUNGGO_TEST_POSTGRES_URL switches every context to a fresh
 * PostgreSQL database instead of PGlite.
 */
export class TestSystem {
  private tokens = new Map<string, string>();
  nc!: NatsConnection;

  private constructor(
    readonly stack: Stack,
    private readonly dir: string,
  ) {}

  static async start(opts: Partial<StackOptions> = {}): Promise<TestSystem> {
    const dir = mkdtempSync(join(tmpdir(), "junggo-it-"));
    const stack = await Stack.start({
      dataRoot: dir,
      ports: "free",
      seedDemo: true,
      postgresUrl: process.env.JUNGGO_TEST_POSTGRES_URL || undefined,
      ...opts,
      // Test drivers act for many users from one token; the gateway's own rate limit is tested apart.
      env: {
        LOG_LEVEL: "warn",
        RATE_LIMIT_PER_MINUTE: "600000",
        RATE_LIMIT_BURST: "10000",
        LOGIN_RATE_LIMIT_PER_MINUTE: "600000",
        LOGIN_RATE_LIMIT_BURST: "10000",
        ...opts.env,
      },
    });
    const sys = new TestSystem(stack, dir);
    sys.nc = await connect(stack.natsOptions());
    return sys;
  }

  async stop(): Promise<void> {
    await this.nc?.close().catch(() => {});
    await this.stack.stop();
    if (!process.env.JUNGGO_KEEP_TEST_DATA) rmSync(this.dir, { recursive: true, force: true });
  }

  async gql<T = any>(
    query: string,
    variables: Record<string, unknown> = {},
    token?: string,
  ): Promise<GqlResult<T>> {
    const res = await fetch(this.stack.gatewayUrl, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as GqlResult<T>;
    return { ...body, status: res.status };
  }

  /** Runs an operation that must succeed and returns its data. */
  async ok<T = any>(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> {
    const r = await this.gql<T>(query, variables, token);
    if (r.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(r.errors)}`);
    return r.data as T;
  }

  /** An access token signed with the stack's active key, as identity would issue it (e.g. short-lived). */
  async signToken(viewer: Viewer, ttlSeconds: number): Promise<string> {
    return signAccessToken(viewer, await importSigningKey(readKeyFile(this.stack.jwtKeysFile)), ttlSeconds);
  }

  async login(email: string): Promise<string> {
    const cached = this.tokens.get(email);
    if (cached) return cached;
    const d = await this.ok<{ login: { token: string } }>(
      `mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { token } }`,
      { email, password: DEMO_PASSWORD },
    );
    this.tokens.set(email, d.login.token);
    return d.login.token;
  }

  /** Every event in the stream (optionally for one purchase or of one type), read by sequence. */
  async events(filter: { purchaseId?: string; type?: EventType } = {}): Promise<EventEnvelope[]> {
    const jsm = await this.nc.jetstreamManager();
    const { first_seq, last_seq } = (await jsm.streams.info(EVENT_STREAM)).state;
    const out: EventEnvelope[] = [];
    for (let seq = Math.max(first_seq, 1); seq <= last_seq; seq++) {
      const m = await jsm.streams.getMessage(EVENT_STREAM, { seq });
      const e = JSON.parse(new TextDecoder().decode(m.data)) as EventEnvelope;
      if (
        (!filter.purchaseId || e.purchaseId === filter.purchaseId) &&
        (!filter.type || e.type === filter.type)
      )
        out.push(e);
    }
    return out;
  }

  /** Publishes an already-delivered event again, as JetStream does after a lost ack. */
  async redeliver(e: EventEnvelope): Promise<void> {
    const { EVENT_CATALOGUE } = await import("@junggo/events");
    await this.nc
      .jetstream()
      .publish(EVENT_CATALOGUE[e.type].subject, new TextEncoder().encode(JSON.stringify(e)), {
        msgID: crypto.randomUUID(),
      });
  }
}

/** Polls until `check` returns a truthy value (eventual consistency), or fails with the last value seen. */
export async function eventually<T>(
  check: () => Promise<T>,
  what: string,
  timeoutMs = 30_000,
): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      last = await check();
      if (last) return last as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(
    `timed out waiting for ${what}; last value: ${last instanceof Error ? last.message : JSON.stringify(last)}`,
  );
}

export const errorCode = (r: GqlResult) => r.errors?.[0]?.extensions?.code;
