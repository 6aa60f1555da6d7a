import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  EVENT_CATALOGUE,
  EVENT_STREAM,
  NOTIFICATION_STREAM,
  newEvent,
  streamOfSubject,
} from "@junggo/events";

describe("event catalogue", () => {
  const doc = readFileSync(new URL("./events.md", import.meta.url), "utf8");
  const rows = new Map(
    doc
      .split("\n")
      .filter((l) => /^\| [A-Z]\w+ \| `/.test(l))
      .map((l) => {
        const [, name, subject, producer, consumers] = l.split("|").map((c) => c.trim());
        return [name, { subject: subject!.replace(/`/g, ""), producer, consumers }] as const;
      }),
  );

  it("documents every event with the subject and producer the code uses", () => {
    expect([...rows.keys()].sort()).toEqual(Object.keys(EVENT_CATALOGUE).sort());
    for (const [type, def] of Object.entries(EVENT_CATALOGUE)) {
      expect(rows.get(type)).toMatchObject({ subject: def.subject, producer: def.producer });
      expect(def.subject.startsWith(`${def.producer}.`)).toBe(true);
      for (const c of def.consumers) expect(rows.get(type)!.consumers).toContain(c);
    }
  });

  it("stores every event some context reacts to in the one stream the durable consumers read", () => {
    for (const [type, def] of Object.entries(EVENT_CATALOGUE)) {
      const stream = streamOfSubject(def.subject);
      if (def.consumers.length > 0) expect({ type, stream }).toEqual({ type, stream: EVENT_STREAM });
    }
    expect(streamOfSubject(EVENT_CATALOGUE.NotificationCreated.subject)).toBe(NOTIFICATION_STREAM);
    expect(() => streamOfSubject("pricing.quote.created")).toThrow("no event stream takes subject");
  });

  it("builds envelopes with id, time, correlation key, causation and version", () => {
    const e = newEvent(
      "PurchaseCancelled",
      { purchaseId: "p1", vehicleId: "v1", buyerId: "b1", reason: null, previousStatus: "PAID" },
      { producer: "purchase", causationId: "c1" },
    );
    expect(e).toMatchObject({
      type: "PurchaseCancelled",
      version: 1,
      purchaseId: "p1",
      causationId: "c1",
      producer: "purchase",
    });
    expect(e.eventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number.isNaN(Date.parse(e.occurredAt))).toBe(false);
  });
});
