import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, TestSystem } from "./support/harness.ts";
import { buyWhenKnown, purchaseOf, Q, settled, VehiclePicker } from "./support/junggo.ts";

// OpenTelemetry across the whole stack: every service exports OTLP/HTTP (JSON) to a receiver run by
// this test, and one purchase must come out as one trace, from the gateway through purchase and
// billing into every consumer of its events.

interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
  /** Span ids this span links to. */
  links: string[];
}

// OTLP span kinds (opentelemetry-proto SpanKind).
const SERVER = 2;
const CLIENT = 3;
const PRODUCER = 4;
const CONSUMER = 5;

type AnyValue = {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
};
const anyValue = (v: AnyValue) =>
  v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : (v.boolValue ?? v.doubleValue));
const attributesOf = (list: { key: string; value: AnyValue }[] = []) =>
  Object.fromEntries(list.map((a) => [a.key, anyValue(a.value)]));

/** A minimal OTLP/HTTP collector: JSON-encoded ExportTraceServiceRequest on POST /v1/traces. */
function otlpReceiver(): Promise<{ server: Server; url: string; spans: ReceivedSpan[]; requests: number }> {
  const state = { spans: [] as ReceivedSpan[], requests: 0 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (
        req.method !== "POST" ||
        req.url !== "/v1/traces" ||
        !/json/.test(req.headers["content-type"] ?? "")
      ) {
        res.writeHead(415).end();
        return;
      }
      state.requests++;
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      for (const rs of body.resourceSpans ?? []) {
        const service = String(attributesOf(rs.resource?.attributes)["service.name"]);
        for (const ss of rs.scopeSpans ?? [])
          for (const s of ss.spans ?? [])
            state.spans.push({
              service,
              traceId: s.traceId,
              spanId: s.spanId,
              parentSpanId: s.parentSpanId ?? "",
              name: s.name,
              kind: s.kind,
              attributes: attributesOf(s.attributes),
              links: (s.links ?? []).map((l: { spanId: string }) => l.spanId),
            });
      }
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({
        server,
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        get spans() {
          return state.spans;
        },
        get requests() {
          return state.requests;
        },
      }),
    ),
  );
}

let receiver: Awaited<ReturnType<typeof otlpReceiver>>;
let sys: TestSystem;

beforeAll(async () => {
  receiver = await otlpReceiver();
  sys = await TestSystem.start({
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      // Export every 200 ms rather than every 5 s.
      OTEL_BSP_SCHEDULE_DELAY: "200",
      // "purchase paid", "payment approved", "delivery requested" are info lines.
      LOG_LEVEL: "info",
    },
  });
});
afterAll(async () => {
  await sys?.stop();
  receiver?.server.close();
});

describe("tracing (OTEL_EXPORTER_OTLP_ENDPOINT set)", () => {
  it("makes one purchase one trace: gateway → purchase → billing, and every consumer of its events", async () => {
    const buyer = await sys.login("buyer@junggo.test");
    const driver = await sys.login("driver@junggo.test");
    const car = await new VehiclePicker(sys).next();
    const r = await buyWhenKnown(sys, buyer, car.id);
    expect(r.errors).toBeUndefined();
    const purchaseId: string = r.data.requestPurchase.id;

    // On to DELIVERED (the driver's steps are operations, and so traces, of their own).
    const job = await eventually(async () => {
      const d = await sys.ok(Q.openConsignments, {}, driver);
      return (d.openConsignments as { id: string; purchaseId: string }[]).find(
        (c) => c.purchaseId === purchaseId,
      );
    }, "the delivery job");
    await sys.ok(Q.accept, { id: job.id }, driver);
    await sys.ok(Q.pickUp, { id: job.id }, driver);
    await sys.ok(Q.complete, { id: job.id }, driver);
    await eventually(
      async () => (await purchaseOf(sys, buyer, purchaseId)).status === "DELIVERED",
      "purchase DELIVERED",
    );
    await settled(sys);

    // The purchase's events that PurchasePaid caused, directly or not (the saga's automatic steps).
    const events = await sys.events({ purchaseId });
    const paid = events.find((e) => e.type === "PurchasePaid")!;
    const caused = new Set([paid.eventId]);
    for (let grew = true; grew; ) {
      grew = false;
      for (const e of events)
        if (e.causationId && caused.has(e.causationId) && !caused.has(e.eventId)) {
          caused.add(e.eventId);
          grew = true;
        }
    }
    expect(events.filter((e) => caused.has(e.eventId)).map((e) => e.type)).toEqual(
      expect.arrayContaining(["PurchasePaid", "VehicleReserved", "ConsignmentRequested"]),
    );

    const consumersOfPaid = ["consignment", "stock", "dashboard", "notification"];
    const spans = () => receiver.spans;
    const charge = await eventually(
      async () =>
        spans().find((s) => s.name === "billing.charge" && s.attributes["junggo.purchase.id"] === purchaseId),
      "the billing.charge span of the purchase",
    );
    const traceId = charge.traceId;
    // Every service's spans of the trace have come in (exported in batches, every 200 ms).
    await eventually(async () => {
      const inTrace = spans().filter((s) => s.traceId === traceId);
      return (
        consumersOfPaid.every((c) =>
          inTrace.some((s) => s.service === c && s.kind === CONSUMER && s.name === "process PurchasePaid"),
        ) &&
        inTrace.some((s) => s.service === "billing" && s.kind === SERVER) &&
        inTrace.some((s) => s.service === "gateway" && s.kind === SERVER)
      );
    }, "the purchase's spans from every service");
    const trace = spans().filter((s) => s.traceId === traceId);
    const byId = new Map(trace.map((s) => [s.spanId, s]));
    const ancestors = (s: ReceivedSpan) => {
      const out: ReceivedSpan[] = [];
      for (let p = byId.get(s.parentSpanId); p; p = byId.get(p.parentSpanId)) out.push(p);
      return out;
    };

    // One root: the gateway's server span of the operation.
    const roots = trace.filter((s) => !s.parentSpanId);
    expect(roots.map((s) => [s.service, s.kind, s.name])).toEqual([
      ["gateway", SERVER, "mutation requestPurchase"],
    ]);
    const root = roots[0]!;
    // Every span of the trace hangs under it: no parent is missing, no other trace is mixed in.
    for (const s of trace)
      expect(s === root || ancestors(s).at(-1) === root, `${s.service} ${s.name}`).toBe(true);

    // gateway → purchase → billing, link by link.
    const purchaseServer = trace.find((s) => s.service === "purchase" && s.kind === SERVER)!;
    expect(purchaseServer.name).toBe("mutation requestPurchase");
    expect(byId.get(purchaseServer.parentSpanId)).toMatchObject({
      service: "gateway",
      name: "gateway.fetch",
    });
    expect(ancestors(charge)).toContain(purchaseServer);
    expect(charge).toMatchObject({
      service: "purchase",
      kind: CLIENT,
      attributes: { "billing.breaker.state": "closed", "billing.outcome": "approved" },
    });
    const billingServer = trace.find((s) => s.service === "billing" && s.kind === SERVER)!;
    expect(billingServer.name).toBe("POST /internal/payments/charge");
    expect(billingServer.parentSpanId).toBe(charge.spanId);
    // Billing's own transaction (the payment and its outbox rows) is a child of its server span.
    expect(
      trace.some(
        (s) =>
          s.service === "billing" && s.name.endsWith(".transaction") && ancestors(s).includes(billingServer),
      ),
    ).toBe(true);

    // PurchasePaid: appended in purchase's transaction, sent by its relay, handled by each consumer.
    // (Once, unless a PubAck was lost and the relay sent it again: JetStream drops the copy.)
    const sends = trace.filter(
      (s) => s.service === "purchase" && s.kind === PRODUCER && s.name === "send PurchasePaid",
    );
    expect(sends.length).toBeGreaterThan(0);
    for (const send of sends) {
      expect(send.attributes["messaging.message.id"]).toBe(paid.eventId);
      expect(byId.get(send.parentSpanId)).toMatchObject({ service: "purchase", name: "db.transaction" });
      expect(ancestors(send)).toContain(purchaseServer);
    }
    for (const context of consumersOfPaid) {
      // Once, unless JetStream delivered it again (each delivery is handled, the inbox absorbs the copy).
      const processed = trace.filter(
        (s) => s.service === context && s.kind === CONSUMER && s.name === "process PurchasePaid",
      );
      expect(processed.length, context).toBeGreaterThan(0);
      for (const p of processed) {
        expect(
          sends.map((s) => s.spanId),
          context,
        ).toContain(p.parentSpanId);
        expect(p.attributes).toMatchObject({
          "messaging.message.id": paid.eventId,
          "messaging.consumer.group.name": context,
          "junggo.purchase.id": purchaseId,
        });
      }
      // Its transaction (inbox row and effects) is traced too: under its span, or, when it was
      // handled in a batch behind another event, under the span of the batch's first event, which
      // links to it.
      const first = processed[0]!;
      const head =
        spans().find((s) => s.service === context && s.kind === CONSUMER && s.links.includes(first.spanId)) ??
        first;
      expect(
        spans().some(
          (s) =>
            s.service === context &&
            s.name === "db.transaction" &&
            (s.parentSpanId === head.spanId || ancestors(s).includes(head)),
        ),
        `${context} db.transaction`,
      ).toBe(true);
    }

    // The follow-up events too, hop after hop: every handling of an event PurchasePaid caused is in
    // this trace (e.g. stock's VehicleReserved as handled by purchase and the dashboard).
    const handled = spans().filter(
      (s) => s.kind === CONSUMER && caused.has(String(s.attributes["messaging.message.id"])),
    );
    expect(handled.filter((s) => s.name === "process VehicleReserved").length).toBeGreaterThan(0);
    for (const s of handled) expect(s.traceId, `${s.service} ${s.name}`).toBe(traceId);

    // Log lines written while handling the purchase carry its trace id.
    const logOf = (service: string) =>
      readFileSync(join(sys.stack.opts.dataRoot, "logs", `${service}.log`), "utf8")
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(
      logOf("purchase").find((l) => l.msg === "purchase paid" && l.purchaseId === purchaseId),
    ).toMatchObject({
      traceId,
    });
    expect(
      logOf("billing").find((l) => l.msg === "payment approved" && l.purchaseId === purchaseId),
    ).toMatchObject({
      traceId,
    });
    expect(
      logOf("consignment").find((l) => l.msg === "delivery requested" && l.purchaseId === purchaseId),
    ).toMatchObject({ traceId });

    // Health checks and scrapes make no spans.
    expect(spans().some((s) => /healthz|readyz|metrics/.test(s.name))).toBe(false);
  });
});
