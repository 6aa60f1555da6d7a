// A small GraphQL-over-HTTP client on node:http with a keep-alive agent: cheap for the load
// generator (which shares the machine's cores with the system under test) and with a known number
// of connections.
import http from "node:http";
import { performance } from "node:perf_hooks";

export interface GqlError {
  message: string;
  extensions?: Record<string, unknown>;
}

export interface GqlAnswer<T = any> {
  status: number;
  data?: T;
  errors?: GqlError[];
  /** Retry-After header in seconds, when the answer had one. */
  retryAfter?: number;
  /** performance.now() when the request was sent and when the whole answer had arrived. */
  sentAt: number;
  doneAt: number;
}

export class GqlClient {
  private readonly agent: http.Agent;
  private readonly url: URL;

  constructor(gatewayUrl: string, connections: number) {
    this.url = new URL(gatewayUrl);
    this.agent = new http.Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
  }

  /** One operation. Never throws for a GraphQL or HTTP error: a network failure becomes code NETWORK_ERROR. */
  request<T = any>(
    query: string,
    variables: Record<string, unknown> = {},
    token?: string,
    timeoutMs = 60_000,
  ): Promise<GqlAnswer<T>> {
    const body = JSON.stringify({ query, variables });
    const sentAt = performance.now();
    return new Promise((resolve) => {
      const fail = (message: string, code: string) =>
        resolve({
          status: 0,
          errors: [{ message, extensions: { code } }],
          sentAt,
          doneAt: performance.now(),
        });
      const req = http.request(
        {
          host: this.url.hostname,
          port: this.url.port,
          path: this.url.pathname,
          method: "POST",
          agent: this.agent,
          headers: {
            "content-type": "application/json",
            "content-length": Buffer.byteLength(body),
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
          timeout: timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("error", (err) => fail(err.message, "NETWORK_ERROR"));
          res.on("end", () => {
            const doneAt = performance.now();
            const text = Buffer.concat(chunks).toString("utf8");
            const retryAfterHeader = Number(res.headers["retry-after"]);
            const retryAfter =
              Number.isFinite(retryAfterHeader) && res.headers["retry-after"] !== undefined
                ? retryAfterHeader
                : undefined;
            let parsed: { data?: T; errors?: GqlError[] } = {};
            try {
              parsed = JSON.parse(text);
            } catch {
              parsed = {
                errors: [
                  {
                    message: `HTTP ${res.statusCode}: ${text.slice(0, 200)}`,
                    extensions: { code: `HTTP_${res.statusCode}` },
                  },
                ],
              };
            }
            if (!parsed.data && !parsed.errors?.length && (res.statusCode ?? 0) >= 400) {
              parsed.errors = [
                { message: `HTTP ${res.statusCode}`, extensions: { code: `HTTP_${res.statusCode}` } },
              ];
            }
            resolve({
              status: res.statusCode ?? 0,
              data: parsed.data ?? undefined,
              errors: parsed.errors,
              retryAfter,
              sentAt,
              doneAt,
            });
          });
        },
      );
      req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on("error", (err) =>
        fail(err.message, err.message.startsWith("no answer") ? "CLIENT_TIMEOUT" : "NETWORK_ERROR"),
      );
      req.end(body);
    });
  }

  /** An operation that must succeed: its data, or an error naming the operation. */
  async ok<T = any>(
    what: string,
    query: string,
    variables: Record<string, unknown> = {},
    token?: string,
  ): Promise<T> {
    const a = await this.request<T>(query, variables, token);
    if (a.errors?.length || !a.data)
      throw new Error(`${what} failed (HTTP ${a.status}): ${JSON.stringify(a.errors)}`);
    return a.data;
  }

  close(): void {
    this.agent.destroy();
  }
}

/** The error code of a refused answer (extensions.code, else HTTP_<status>), or null when it succeeded. */
export function errorCode(a: GqlAnswer): string | null {
  if (!a.errors?.length) return a.data ? null : `HTTP_${a.status}`;
  const code = a.errors[0]!.extensions?.code;
  return typeof code === "string" ? code : `HTTP_${a.status}`;
}

/** Seconds the server asked the client to wait before retrying (extensions.retryAfterSeconds or Retry-After). */
export function retryAfterSeconds(a: GqlAnswer): number | undefined {
  const ext = a.errors?.[0]?.extensions?.retryAfterSeconds;
  if (typeof ext === "number" && Number.isFinite(ext) && ext >= 0) return ext;
  return a.retryAfter;
}
