import { Agent, request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { injectTraceHeaders } from "./tracing.ts";

/** What callers read of a response (what Apollo's RemoteGraphQLDataSource reads of one). */
export interface HttpResponse {
  ok: boolean;
  status: number;
  statusText: string;
  url: string;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
  json(): Promise<unknown>;
}

export interface KeepAliveHttpOptions {
  /**
   * Idle pooled sockets are closed after this long: well before a Junggo service closes them itself
   * (65 s), so a request never races the server's close of the socket it was given.
   */
  idleSocketMs?: number;
}

/**
 * Service-to-service calls (the gateway's subgraph calls, purchase's charge at billing) on plain
 * node:http with a keep-alive pool. Node's fetch (undici, web streams, a Request object and an
 * AbortSignal per call) cost the gateway about a sixth of its CPU per request and purchase ~8%; each
 * call is one small JSON POST, which needs none of it. `signal` aborts the request (its promise
 * rejects with the signal's reason), as with fetch.
 */
export function keepAliveHttp(o: KeepAliveHttpOptions = {}) {
  const idle = o.idleSocketMs ?? 4000;
  const agents = {
    http: new Agent({ keepAlive: true, timeout: idle }),
    https: new HttpsAgent({ keepAlive: true, timeout: idle }),
  };
  const fetcher = (
    url: string,
    init: { method?: string; headers?: Record<string, string>; body?: string; signal?: AbortSignal },
  ): Promise<HttpResponse> =>
    new Promise((resolve, reject) => {
      const signal = init.signal;
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const target = new URL(url);
      const secure = target.protocol === "https:";
      const body = init.body === undefined ? undefined : Buffer.from(init.body);
      const req = (secure ? httpsRequest : httpRequest)(
        target,
        {
          method: init.method ?? "POST",
          agent: secure ? agents.https : agents.http,
          // The operation's trace goes on in the callee (`traceparent`; nothing added without tracing).
          headers: injectTraceHeaders({
            ...init.headers,
            ...(body ? { "content-length": String(body.length) } : {}),
          }),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("error", reject);
          res.on("aborted", () => reject(signal?.reason ?? new Error("response aborted")));
          res.on("end", () => {
            signal?.removeEventListener("abort", onAbort);
            const text = Buffer.concat(chunks).toString("utf8");
            const status = res.statusCode ?? 0;
            resolve({
              ok: status >= 200 && status < 300,
              status,
              statusText: res.statusMessage ?? "",
              url,
              headers: { get: (name) => headerValue(res.headers, name) },
              text: async () => text,
              json: async () => JSON.parse(text),
            });
          });
        },
      );
      const onAbort = () => req.destroy(signal?.reason);
      signal?.addEventListener("abort", onAbort, { once: true });
      req.on("error", (err) => {
        signal?.removeEventListener("abort", onAbort);
        reject(err);
      });
      req.end(body);
    });
  return {
    fetcher,
    close: () => {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | null {
  const v = headers[name.toLowerCase()];
  return v === undefined ? null : Array.isArray(v) ? v.join(", ") : v;
}
