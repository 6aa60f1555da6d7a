import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EventEnvelope, newEvent } from "@junggo/events";
import { appendEvents, type Database, type HandlerMap, type SqlTx } from "../src/index.ts";
import { type ConsumerHarness, consumerHarness } from "../src/testing.ts";

// The test helper the contexts' consumer tests share, on a real database (identity's migrations
// as host): what it writes per delivery is what their assertions about redeliveries rely on.
const seen: string[] = [];
/** Handles VehicleReserved only: records it and appends a follow-up event in the same transaction. */
const handlers: HandlerMap<SqlTx> = {
  VehicleReserved: async (e, tx) => {
    seen.push(e.eventId);
    await appendEvents(tx, [
      newEvent("VehicleReleased", e.payload, { producer: "harness-test", causationId: e.eventId }),
    ]);
  },
};
type Client = { $disconnect(): Promise<void> };
let h: ConsumerHarness<SqlTx, Client>;
let opened: { db: Database; client: unknown } | undefined;

beforeAll(async () => {
  h = await consumerHarness({
    context: "identity",
    consumer: "harness-test",
    client: (): Client => ({ $disconnect: async () => {} }),
    handlers: (o) => {
      opened = o;
      return handlers;
    },
  });
});
afterAll(async () => {
  await h?.close();
});

const reserved = () =>
  newEvent(
    "VehicleReserved",
    { vehicleId: crypto.randomUUID(), purchaseId: crypto.randomUUID() },
    { producer: "test" },
  );
const inboxRows = async (e: EventEnvelope) =>
  (
    await h.db.query<{ consumer: string }>(`SELECT consumer FROM messaging.inbox WHERE event_id = $1`, [
      e.eventId,
    ])
  ).map((r) => r.consumer);
const followUps = async (e: EventEnvelope) =>
  (await h.db.query<{ body: string }>(`SELECT body FROM messaging.outbox`, [])).filter(
    (r) => (JSON.parse(r.body) as EventEnvelope).causationId === e.eventId,
  ).length;

describe("consumerHarness", () => {
  it("builds the handler map on the opened database and client", () => {
    expect(opened?.db).toBe(h.db);
    expect(opened?.client).toBe(h.client);
    expect(h.handlers).toBe(handlers);
  });

  it("deliver: inbox row under the consumer's name and effects once; the same envelope again is a duplicate", async () => {
    const e = reserved();
    expect(await h.deliver(e)).toBe("handled");
    expect(await h.deliver(e)).toBe("duplicate");
    expect(seen.filter((id) => id === e.eventId)).toHaveLength(1);
    expect(await inboxRows(e)).toEqual(["harness-test"]);
    expect(await followUps(e)).toBe(1);
  });

  it("deliverIn: a transaction that fails after the handler leaves neither inbox row nor effects", async () => {
    const e = reserved();
    await expect(
      h.db.transaction(async (tx) => {
        expect(await h.deliverIn(tx, e)).toBe("handled");
        throw new Error("crash before commit");
      }),
    ).rejects.toThrow(/crash/);
    expect(await inboxRows(e)).toEqual([]);
    expect(await followUps(e)).toBe(0);
    expect(await h.deliver(e)).toBe("handled");
    expect(await followUps(e)).toBe(1);
  });

  it("apply: the handler alone, every time, without an inbox row", async () => {
    const e = reserved();
    await h.apply(e);
    await h.apply(e);
    expect(seen.filter((id) => id === e.eventId)).toHaveLength(2);
    expect(await inboxRows(e)).toEqual([]);
    expect(await followUps(e)).toBe(2);
  });

  it("an event the map does not handle is refused, and nothing is written", async () => {
    const e = newEvent(
      "VehicleSold",
      { vehicleId: crypto.randomUUID(), purchaseId: crypto.randomUUID() },
      {
        producer: "test",
      },
    );
    await expect(h.deliver(e)).rejects.toThrow("harness-test has no handler for VehicleSold");
    await expect(h.apply(e)).rejects.toThrow("harness-test has no handler for VehicleSold");
    await h.db.transaction(async (tx) => {
      await expect(h.deliverIn(tx, e)).rejects.toThrow("harness-test has no handler for VehicleSold");
    });
    expect(await inboxRows(e)).toEqual([]);
  });

  it("a handler map that cannot be built closes what was opened (the client, then the database)", async () => {
    let disconnected = false;
    const client: Client = {
      $disconnect: async () => {
        disconnected = true;
      },
    };
    await expect(
      consumerHarness({
        context: "identity",
        client: () => client,
        handlers: () => {
          throw new Error("no handlers");
        },
      }),
    ).rejects.toThrow("no handlers");
    expect(disconnected).toBe(true);
  });
});
