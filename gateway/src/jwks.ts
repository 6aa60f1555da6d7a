import { createLocalJWKSet, type JWK, type JWSHeaderParameters, type FlattenedJWSInput } from "jose";
import { DomainError, type AccessTokenKeys, type Logger } from "@junggo/runtime";

export interface RemoteKeySetOptions {
  /** Where identity publishes its JWKS. */
  url: () => string;
  /** Background refresh period: how soon a retired key stops being accepted (JWKS_REFRESH_SECONDS). */
  refreshMs: number;
  /** Least time between fetches caused by an unknown kid, so forged kids cannot hammer identity. */
  cooldownMs: number;
  timeoutMs?: number;
  log: Logger;
}

/**
 * The access-token keys, fetched from identity's JWKS. Unlike a plain remote JWKS, it keeps the
 * last good key set when identity is unreachable (logins already issued keep working through an
 * identity outage), refreshes in the background so retired keys drop out, and fetches at once when a
 * token names a kid it has not seen (a freshly activated key) — at most once per cooldown.
 */
export class RemoteKeySet {
  private local?: ReturnType<typeof createLocalJWKSet>;
  private kids = new Set<string>();
  private fetchedAt = 0;
  private inflight?: Promise<void>;
  private timer?: NodeJS.Timeout;
  fetches = 0;
  failures = 0;
  /** Changes whenever the fetched key set differs from the previous one (caches of verified tokens key on it). */
  generation = 0;
  private lastBody = "";

  constructor(private readonly o: RemoteKeySetOptions) {}

  start(): void {
    this.timer = setInterval(() => {
      this.refresh().catch(() => {});
    }, this.o.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  get size(): number {
    return this.kids.size;
  }

  /** One fetch at a time; concurrent callers share it. */
  refresh(): Promise<void> {
    this.inflight ??= this.fetchOnce().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async fetchOnce(): Promise<void> {
    this.fetches++;
    this.fetchedAt = Date.now();
    try {
      const res = await fetch(this.o.url(), { signal: AbortSignal.timeout(this.o.timeoutMs ?? 2000) });
      if (!res.ok) throw new Error(`JWKS answered HTTP ${res.status}`);
      const text = await res.text();
      const body = JSON.parse(text) as { keys?: JWK[] };
      if (!Array.isArray(body.keys) || body.keys.length === 0) throw new Error("JWKS has no keys");
      const kids = new Set(body.keys.map((k) => String(k.kid)));
      const changed = kids.size !== this.kids.size || [...kids].some((k) => !this.kids.has(k));
      this.local = createLocalJWKSet({ keys: body.keys });
      this.kids = kids;
      if (text !== this.lastBody) {
        this.lastBody = text;
        this.generation++;
      }
      if (changed) this.o.log.info("access-token keys loaded", { kids: [...kids] });
    } catch (err) {
      this.failures++;
      this.o.log.warn("JWKS fetch failed; keeping the previous keys", {
        err: (err as Error).message,
        keys: this.kids.size,
      });
      throw err;
    }
  }

  readonly getKey: AccessTokenKeys = async (header: JWSHeaderParameters, token: FlattenedJWSInput) => {
    const unknownKid = typeof header.kid === "string" && !this.kids.has(header.kid);
    if (!this.local || (unknownKid && Date.now() - this.fetchedAt >= this.o.cooldownMs)) {
      await this.refresh().catch(() => {});
    }
    if (!this.local) {
      throw new DomainError(
        "AUTH_UNAVAILABLE",
        "Your login cannot be checked right now. Please try again shortly.",
      );
    }
    return this.local(header, token);
  };
}
