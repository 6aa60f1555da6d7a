// OpenTelemetry tracing: one trace per operation, from the gateway through every subgraph fetch, into
// the outbox event and every consumer's handling of it. Installed only when an OTLP endpoint is
// configured. Without one nothing of the SDK is loaded, no context manager or propagator is
// registered, and every hook below returns at its first test of `tracer`: the hot paths pay one
// null check. Only the API package is imported here (a few kilobytes of no-op defaults).
import { hostname } from "node:os";
import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type TextMapGetter,
  type Tracer,
} from "@opentelemetry/api";
import type { ApolloServerPlugin, BaseContext } from "@apollo/server";
import type { Express, NextFunction, Request, Response } from "express";
import { headers as natsHeaders, type JsMsg, type MsgHdrs } from "nats";
import type { Database, SqlTx } from "./database.ts";

export { SpanKind } from "@opentelemetry/api";

let tracer: Tracer | null = null;
let shutdown: (() => Promise<void>) | null = null;

/**
 * Where spans go: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (the full URL) or OTEL_EXPORTER_OTLP_ENDPOINT
 * (the collector's base URL; the exporter adds /v1/traces), unless OTEL_SDK_DISABLED=true or
 * OTEL_TRACES_EXPORTER=none. Undefined: tracing stays off.
 */
export function tracingEndpoint(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === "true") return undefined;
  if (env.OTEL_TRACES_EXPORTER?.trim().toLowerCase() === "none") return undefined;
  return (
    env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || undefined
  );
}

/** True once `initTracing` installed the SDK in this process. */
export const tracingEnabled = (): boolean => tracer !== null;

/**
 * Installs the tracing SDK for this process when an endpoint is configured (see `tracingEndpoint`):
 * spans batched and exported as OTLP/HTTP (JSON encoding) with `service.name` = `service`, W3C
 * trace context propagation, async-local context. Call once, before the service builds its HTTP
 * app. Returns whether tracing is on.
 */
export async function initTracing(service: string): Promise<boolean> {
  if (tracer) return true;
  if (!tracingEndpoint()) return false;
  // Loaded only here: a process without an endpoint never loads the SDK or the exporter.
  const [sdk, resources, otlp] = await Promise.all([
    import("@opentelemetry/sdk-trace-node"),
    import("@opentelemetry/resources"),
    import("@opentelemetry/exporter-trace-otlp-http"),
  ]);
  const provider = new sdk.NodeTracerProvider({
    resource: resources.resourceFromAttributes({
      "service.name": service,
      "service.instance.id": `${hostname()}:${process.pid}`,
    }),
    // Sampler from OTEL_TRACES_SAMPLER (default: parent-based, always on); batching from OTEL_BSP_*.
    spanProcessors: [new sdk.BatchSpanProcessor(new otlp.OTLPTraceExporter())],
  });
  // Registered by the SDK through the CommonJS build of the API, the one Apollo Gateway holds its
  // tracer from: registered through this module's ES build instead, Apollo's tracer would stay a
  // no-op (each build has its own proxy provider; only the global registry is shared). Async-local
  // context, W3C trace context (and baggage) propagation.
  provider.register();
  tracer = trace.getTracer("junggo");
  shutdown = () => provider.shutdown();
  return true;
}

/** Exports the spans still buffered and uninstalls tracing (graceful shutdown). */
export async function shutdownTracing(): Promise<void> {
  const s = shutdown;
  tracer = null;
  shutdown = null;
  await s?.().catch(() => {});
}

/** Trace and span id of the active span, for log lines; undefined when tracing is off or no span is active. */
export function activeTraceIds(): { traceId: string; spanId: string } | undefined {
  if (!tracer) return undefined;
  const sc = trace.getActiveSpan()?.spanContext();
  return sc ? { traceId: sc.traceId, spanId: sc.spanId } : undefined;
}

function failSpan(span: Span, err: unknown): void {
  span.recordException(err as Error);
  span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error)?.message });
}

/**
 * Runs `fn` in a new span, a child of the active one, and ends the span when `fn` settles (a
 * rejection is recorded as the span's error). `describe` adds attributes from the result. Without
 * tracing: just `fn()`.
 */
export function inSpan<R>(
  name: string,
  fn: () => Promise<R>,
  o: { kind?: SpanKind; attributes?: Attributes; describe?: (result: R) => Attributes } = {},
): Promise<R> {
  if (!tracer) return fn();
  return tracer.startActiveSpan(name, { kind: o.kind, attributes: o.attributes }, async (span) => {
    try {
      const result = await fn();
      if (o.describe) span.setAttributes(o.describe(result));
      return result;
    } catch (err) {
      failSpan(span, err);
      throw err;
    } finally {
      span.end();
    }
  });
}

/**
 * The database with a `db.transaction` span around each plain-SQL transaction (`Database.transaction`,
 * hence `Infra.sqlTransact` and the raw-SQL consumers). Without tracing: the same object, untouched.
 */
export function traceTransactions(db: Database): Database {
  if (!tracer) return db;
  const plain = db.transaction;
  const attributes = { "db.system.name": "postgresql", "junggo.db.driver": db.kind };
  return {
    ...db,
    transaction: <R>(fn: (tx: SqlTx) => Promise<R>) =>
      inSpan("db.transaction", () => plain(fn), { kind: SpanKind.CLIENT, attributes }),
  };
}

/** Adds attributes to the active span (no-op without tracing or without an active span). */
export function setSpanAttributes(attributes: Attributes): void {
  if (tracer) trace.getActiveSpan()?.setAttributes(attributes);
}

/** Copies the active trace context into outgoing HTTP headers (`traceparent`, `tracestate`); returns them. */
export function injectTraceHeaders<H extends Record<string, string>>(headers: H): H {
  if (tracer) propagation.inject(context.active(), headers);
  return headers;
}

/**
 * Operations and internal APIs are traced; health checks, scrapes, the key set and the web client's
 * files are not.
 */
const traced = (path: string) => path === "/graphql" || path.startsWith("/internal/");

/**
 * A server span for every request to `/graphql` and `/internal/…` of `app`, continuing the
 * caller's trace from its `traceparent`; the request's handlers (GraphQL, internal routes) run in
 * it. Without tracing nothing is added to the app. Mount before any route.
 */
export function traceHttpRequests(app: Express): void {
  const t = tracer;
  if (!t) return;
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (!traced(req.path)) return next();
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    const span = t.startSpan(
      `${req.method} ${req.path}`,
      {
        kind: SpanKind.SERVER,
        attributes: { "http.request.method": req.method, "url.path": req.path },
      },
      parent,
    );
    const ctx = trace.setSpan(parent, span);
    // Listeners on the request and response (body parsing, the end of the answer) run in the span's
    // context too: they are called from the socket's own context otherwise.
    context.bind(ctx, req);
    context.bind(ctx, res);
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      span.setAttribute("http.response.status_code", res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    };
    res.once("finish", end);
    res.once("close", end);
    context.with(ctx, next);
  });
}

/**
 * Apollo Server plugins naming the request's server span after its GraphQL operation
 * (`mutation requestPurchase`) and recording errors. Empty without tracing.
 */
export function tracingPlugins<C extends BaseContext>(): ApolloServerPlugin<C>[] {
  if (!tracer) return [];
  return [
    {
      async requestDidStart() {
        const span = trace.getActiveSpan();
        return {
          async didResolveOperation(rc) {
            if (!span || !rc.operation) return;
            const type = rc.operation.operation;
            const name = rc.operationName ?? rc.operation.name?.value;
            // An anonymous operation is named by its first root field (`mutation requestPurchase`).
            const first = rc.operation.selectionSet.selections[0];
            const label = name ?? (first?.kind === "Field" ? first.name.value : undefined);
            span.updateName(label ? `${type} ${label}` : type);
            span.setAttributes({
              "graphql.operation.type": type,
              ...(name ? { "graphql.operation.name": name } : {}),
            });
          },
          async didEncounterErrors(rc) {
            const codes = rc.errors.map((e) => String(e.extensions?.code ?? "INTERNAL_SERVER_ERROR"));
            span?.setAttribute("graphql.error.codes", codes);
          },
        };
      },
    },
  ];
}

/**
 * The W3C `traceparent` of the active span, stored with the outbox rows appended under it. Undefined
 * when tracing is off (the outbox then writes exactly what it wrote before tracing existed); null
 * when tracing is on but no span is active (e.g. a periodic job).
 */
export function outboxTraceparent(): string | null | undefined {
  if (!tracer) return undefined;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent ?? null;
}

const contextOf = (traceparent: string): Context => propagation.extract(ROOT_CONTEXT, { traceparent });

/**
 * A producer span for one outbox row being published, a child of the context the row was appended
 * in; `headers` carry its `traceparent` to consumers. Null without tracing or without a stored context.
 */
export function publishSpan(row: {
  subject: string;
  type: string;
  event_id: string;
  traceparent?: string | null;
}): { headers: MsgHdrs; settle<T>(ack: Promise<T>): Promise<T> } | null {
  if (!tracer || !row.traceparent) return null;
  const span = tracer.startSpan(
    `send ${row.type}`,
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        "messaging.system": "nats",
        "messaging.operation.type": "send",
        "messaging.destination.name": row.subject,
        "messaging.message.id": row.event_id,
        "junggo.event.type": row.type,
      },
    },
    contextOf(row.traceparent),
  );
  const carrier: Record<string, string> = {};
  propagation.inject(trace.setSpan(ROOT_CONTEXT, span), carrier);
  const headers = natsHeaders();
  for (const [k, v] of Object.entries(carrier)) headers.set(k, v);
  return {
    headers,
    settle: (ack) =>
      ack.then(
        (r) => {
          span.end();
          return r;
        },
        (err) => {
          failSpan(span, err);
          span.end();
          throw err;
        },
      ),
  };
}

const natsGetter: TextMapGetter<MsgHdrs> = {
  get: (h, key) => h.get(key) || undefined,
  keys: (h) => h.keys(),
};

/** The spans of a batch of consumed events: one per event, plus where the batch's transaction runs. */
export interface ConsumedBatchTrace {
  /** Runs `fn` (the event's handler) in the event's span. */
  event<R>(index: number, fn: () => Promise<R>): Promise<R>;
  /**
   * Runs the batch's transaction in the first event's span (a batch shares one transaction; the
   * other events' spans are linked to it).
   */
  transaction<R>(fn: () => Promise<R>): Promise<R>;
  /** Ends every span; the failing event's (or all, for index -1) records the error. */
  end(failure?: { index: number; err: Error }): void;
}

/**
 * A consumer span per event of a batch (`process <EventType>`), each a child of the producer span
 * whose `traceparent` came in the message headers (a root span when none came). Null without tracing.
 */
export function traceConsumedBatch(
  consumer: string,
  work: readonly { m: JsMsg; event: { eventId: string; type: string; purchaseId?: string } }[],
): ConsumedBatchTrace | null {
  const t = tracer;
  if (!t || work.length === 0) return null;
  const spans = work.map(({ m, event }) => {
    const parent = m.headers ? propagation.extract(ROOT_CONTEXT, m.headers, natsGetter) : ROOT_CONTEXT;
    const span = t.startSpan(
      `process ${event.type}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          "messaging.system": "nats",
          "messaging.operation.type": "process",
          "messaging.destination.name": m.subject,
          "messaging.consumer.group.name": consumer,
          "messaging.message.id": event.eventId,
          "messaging.batch.message_count": work.length,
          "junggo.event.type": event.type,
          "junggo.deliveries": m.info.redeliveryCount,
          ...(event.purchaseId ? { "junggo.purchase.id": event.purchaseId } : {}),
        },
      },
      parent,
    );
    return { span, ctx: trace.setSpan(parent, span) };
  });
  for (const s of spans.slice(1)) spans[0]!.span.addLink({ context: s.span.spanContext() });
  return {
    event: (index, fn) => context.with(spans[index]!.ctx, fn),
    transaction: (fn) => context.with(spans[0]!.ctx, fn),
    end(failure) {
      spans.forEach(({ span }, i) => {
        if (failure && (failure.index === -1 || failure.index === i)) failSpan(span, failure.err);
        span.end();
      });
    },
  };
}
