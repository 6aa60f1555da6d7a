import type { Logger } from "@junggo/runtime";
import type { DeadLetter, DeadLetterStatus } from "../domain/dead-letter.ts";
import { ContextUnreachable, type DeadLetterSource } from "../app/dead-letters.port.ts";

export interface DeadLettersClientOptions {
  /** Base URL per context, e.g. { purchase: "http://127.0.0.1:4003" }. */
  urls: Record<string, string>;
  /** Per call; a replay runs a handler, so allow it a moment. */
  timeoutMs: number;
  serviceToken: () => Promise<string>;
  log: Logger;
}

const STATUSES: readonly DeadLetterStatus[] = ["PENDING", "REPLAYED", "ALREADY_PROCESSED"];

/** The runtime's JSON for one dead letter (packages/runtime/src/dead-letters.ts), checked field by field. */
function toDeadLetter(context: string, raw: unknown): DeadLetter {
  const r = (raw ?? {}) as Record<string, unknown>;
  const str = (k: string) => {
    if (typeof r[k] !== "string") throw new Error(`field ${k} missing`);
    return r[k] as string;
  };
  const num = (k: string) => {
    if (typeof r[k] !== "number") throw new Error(`field ${k} missing`);
    return r[k] as number;
  };
  const status = str("status") as DeadLetterStatus;
  if (!STATUSES.includes(status)) throw new Error(`unknown status ${status}`);
  return {
    context,
    id: str("id"),
    consumer: str("consumer"),
    eventId: str("eventId"),
    eventType: str("type"),
    subject: str("subject"),
    error: str("error"),
    deliveries: num("deliveries"),
    createdAt: new Date(str("createdAt")),
    replayedAt: r.replayedAt == null ? null : new Date(str("replayedAt")),
    status,
    replayAttempts: num("replayAttempts"),
    replayError: r.replayError == null ? null : str("replayError"),
  };
}

/**
 * Calls a context's internal dead-letter API with the dashboard's service token. Anything but the
 * API's own answers (no connection, timeout, 5xx, a refused token, an unreadable body) is
 * ContextUnreachable: the caller reports that context instead of failing.
 */
export class DeadLettersClient implements DeadLetterSource {
  constructor(private readonly o: DeadLettersClientOptions) {}

  async list(context: string, first: number): Promise<DeadLetter[]> {
    const { status, body } = await this.call(context, "GET", `/internal/dead-letters?first=${first}`);
    if (status !== 200 || !Array.isArray(body?.deadLetters)) throw this.unexpected(context, status, body);
    return this.parse(context, () => (body!.deadLetters as unknown[]).map((d) => toDeadLetter(context, d)));
  }

  async replay(context: string, id: string): Promise<DeadLetter | null> {
    const { status, body } = await this.call(
      context,
      "POST",
      `/internal/dead-letters/${encodeURIComponent(id)}/replay`,
    );
    if (status === 404 && body?.code === "DEAD_LETTER_NOT_FOUND") return null;
    if (status !== 200 || !body?.deadLetter) throw this.unexpected(context, status, body);
    return this.parse(context, () => toDeadLetter(context, body.deadLetter));
  }

  private async call(
    context: string,
    method: "GET" | "POST",
    path: string,
  ): Promise<{ status: number; body: Record<string, unknown> | null }> {
    const base = this.o.urls[context];
    if (!base) throw new ContextUnreachable(context, "no URL configured");
    try {
      const res = await fetch(new URL(path, base), {
        method,
        headers: { authorization: `Bearer ${await this.o.serviceToken()}` },
        signal: AbortSignal.timeout(this.o.timeoutMs),
      });
      return {
        status: res.status,
        body: (await res.json().catch(() => null)) as Record<string, unknown> | null,
      };
    } catch (err) {
      throw new ContextUnreachable(context, (err as Error).message);
    }
  }

  private unexpected(
    context: string,
    status: number,
    body: Record<string, unknown> | null,
  ): ContextUnreachable {
    const reason = `answered ${status} ${body?.code ?? ""}`.trim();
    // A 4xx here means the two services disagree (secret, version): worth an error, not just a warning.
    if (status < 500)
      this.o.log.error("dead-letter API refused the dashboard's call", { context, status, code: body?.code });
    return new ContextUnreachable(context, reason);
  }

  private parse<T>(context: string, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw new ContextUnreachable(context, `unreadable answer: ${(err as Error).message}`);
    }
  }
}
