import { context, propagation, trace } from "@opentelemetry/api";
import { newEvent } from "@junggo/events";
import type { JsMsg } from "nats";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Database } from "../src/database.ts";
import { createLogger } from "../src/logger.ts";
import { appendEvents, type SqlTx } from "../src/outbox.ts";
import {
  activeTraceIds,
  initTracing,
  injectTraceHeaders,
  inSpan,
  outboxTraceparent,
  publishSpan,
  traceConsumedBatch,
  traceHttpRequests,
  traceTransactions,
  tracingEnabled,
  tracingEndpoint,
  tracingPlugins,
} from "../src/tracing.ts";

const OTEL_VARS = ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"];
const saved = Object.fromEntries(OTEL_VARS.map((k) => [k, process.env[k]]));
afterEach(() => {
  for (const k of OTEL_VARS) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
  vi.restoreAllMocks();
});

const TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

describe("tracing without OTEL_EXPORTER_OTLP_ENDPOINT", () => {
  it("installs nothing: no tracer provider, context manager or propagator, and every hook is a no-op", async () => {
    for (const k of OTEL_VARS) delete process.env[k];
    expect(await initTracing("purchase")).toBe(false);
    expect(tracingEnabled()).toBe(false);

    // The API's global registry (shared by every copy of @opentelemetry/api) holds nothing.
    const registry = (globalThis as Record<symbol, Record<string, unknown> | undefined>)[
      Symbol.for("opentelemetry.js.api.1")
    ];
    expect(registry?.trace).toBeUndefined();
    expect(registry?.context).toBeUndefined();
    expect(registry?.propagation).toBeUndefined();
    // So the API's own answers are its no-op ones (Apollo Gateway's spans among them).
    const span = trace.getTracer("any").startSpan("x");
    expect(span.isRecording()).toBe(false);
    expect(propagation.fields()).toEqual([]);
    expect(context.with(trace.setSpan(context.active(), span), () => trace.getActiveSpan())).toBeUndefined();

    // The hooks in the hot paths return at once, adding nothing.
    expect(activeTraceIds()).toBeUndefined();
    expect(outboxTraceparent()).toBeUndefined();
    expect(injectTraceHeaders({ "content-type": "application/json" })).toEqual({
      "content-type": "application/json",
    });
    const db = { kind: "postgres", transaction: async () => 1 } as unknown as Database;
    expect(traceTransactions(db)).toBe(db);
    const app = { use: vi.fn() };
    traceHttpRequests(app as never);
    expect(app.use).not.toHaveBeenCalled();
    expect(tracingPlugins()).toEqual([]);
    expect(
      publishSpan({
        subject: "purchase.paid",
        type: "PurchasePaid",
        event_id: "e1",
        traceparent: TRACEPARENT,
      }),
    ).toBeNull();
    const msg = { subject: "purchase.paid", info: { redeliveryCount: 1 } } as unknown as JsMsg;
    expect(
      traceConsumedBatch("stock", [{ m: msg, event: { eventId: "e1", type: "PurchasePaid" } }]),
    ).toBeNull();
    expect(await inSpan("x", async () => trace.getActiveSpan() ?? 42)).toBe(42);
  });

  it("writes outbox rows exactly as before tracing existed (no traceparent column)", async () => {
    const statements: { sql: string; values: unknown[] }[] = [];
    const tx: SqlTx = {
      $executeRawUnsafe: async (sql, ...values) => {
        statements.push({ sql, values });
        return 1;
      },
      $queryRawUnsafe: async () => [] as never,
    };
    const e = newEvent(
      "PurchaseCancelled",
      { purchaseId: "p1", vehicleId: "v1", reason: "r", refund: true } as never,
      { producer: "purchase" },
    );
    await appendEvents(tx, [e, { ...e, eventId: "e2" }]);
    expect(statements).toHaveLength(1);
    expect(statements[0]!.sql).toBe(
      "INSERT INTO messaging.outbox (event_id, subject, type, body) VALUES ($1, $2, $3, $4), ($5, $6, $7, $8)",
    );
    expect(statements[0]!.values).toHaveLength(8);
  });

  it("writes log lines without trace fields", () => {
    const out = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    createLogger("purchase").info("hello", { a: 1 });
    const rec = JSON.parse(String(out.mock.calls[0]![0]));
    expect(rec).toMatchObject({ msg: "hello", a: 1 });
    expect(rec).not.toHaveProperty("traceId");
  });
});

describe("tracingEndpoint", () => {
  it("reads the standard OTLP variables, and is off when they are empty or tracing is disabled", () => {
    expect(tracingEndpoint({})).toBeUndefined();
    expect(tracingEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: "" })).toBeUndefined();
    expect(tracingEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" })).toBe(
      "http://collector:4318",
    );
    expect(
      tracingEndpoint({
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318",
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://jaeger:4318/v1/traces",
      }),
    ).toBe("http://jaeger:4318/v1/traces");
    expect(
      tracingEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318", OTEL_SDK_DISABLED: "true" }),
    ).toBeUndefined();
    expect(
      tracingEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318", OTEL_TRACES_EXPORTER: "none" }),
    ).toBeUndefined();
  });
});
