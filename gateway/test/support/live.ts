import { createClient, type Client } from "graphql-ws";
import { performance } from "node:perf_hooks";
import WebSocket from "ws";
import type { TestSystem } from "./harness.ts";

export interface Pushed<T = any> {
  data?: T;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
  /** performance.now() when it arrived. */
  at?: number;
}

/** One graphql-ws connection to the gateway, as a browser would open it. */
export class LiveClient {
  readonly client: Client;
  closedWith: { code: number; reason: string } | null = null;

  constructor(sys: TestSystem, token: string | null, opts: { retry?: boolean } = {}) {
    this.client = createClient({
      url: sys.stack.gatewayUrl.replace(/^http/, "ws"),
      webSocketImpl: WebSocket,
      lazy: false,
      onNonLazyError: () => {},
      retryAttempts: opts.retry ? 5 : 0,
      connectionParams: token ? { authorization: `Bearer ${token}` } : {},
      on: {
        closed: (e) => {
          const c = e as { code: number; reason: string };
          this.closedWith = { code: c.code, reason: c.reason };
        },
      },
    });
  }

  subscribe<T = any>(query: string, variables: Record<string, unknown> = {}): Subscription<T> {
    return new Subscription<T>(this.client, query, variables);
  }

  async close(): Promise<void> {
    await this.client.dispose();
  }
}

export class Subscription<T> {
  readonly received: Pushed<T>[] = [];
  completed = false;
  private readonly stop: () => void;
  private waiters: (() => void)[] = [];

  constructor(client: Client, query: string, variables: Record<string, unknown>) {
    this.stop = client.subscribe<T>(
      { query, variables },
      {
        next: (v) => this.add(v as Pushed<T>),
        error: (err) =>
          this.add({
            errors: Array.isArray(err)
              ? err
              : [{ message: String((err as Error)?.message ?? err), extensions: { code: "SOCKET_CLOSED" } }],
          }),
        complete: () => {
          this.completed = true;
          this.notify();
        },
      },
    );
  }

  private add(v: Pushed<T>): void {
    this.received.push({ ...v, at: performance.now() });
    this.notify();
  }

  private notify(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Waits until a pushed payload satisfies `pred`; returns it. */
  async waitFor(pred: (p: Pushed<T>) => boolean, what: string, timeoutMs = 30_000): Promise<Pushed<T>> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.received.find(pred);
      if (hit) return hit;
      const left = end - Date.now();
      if (left <= 0)
        throw new Error(`timed out waiting for ${what}; received: ${JSON.stringify(this.received)}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  unsubscribe(): void {
    this.stop();
  }
}

/** A service's /metrics as numbers by metric name. */
export async function metrics(baseUrl: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const line of text.split("\n")) {
    const m = /^(\w+)(?:\{[^}]*\})?\s+(-?[\d.e+]+)$/.exec(line.trim());
    if (m) out[m[1]!] = Number(m[2]);
  }
  return out;
}

export const serviceUrl = (sys: TestSystem, name: string) =>
  `http://127.0.0.1:${sys.stack.ports.get(name as never)}`;
