import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newEvent, subjectOf, type EventEnvelope } from "@junggo/events";
import type { SubgraphName } from "@junggo/devstack";
import { IDENTITY_HEADER, openDatabase, signForwardedIdentity, signServiceToken } from "@junggo/runtime";
import { errorCode, eventually, TestSystem } from "./support/harness.ts";
import { buyWhenKnown, Q, VehiclePicker } from "./support/junggo.ts";

// Dead letters on a real stack, seen and replayed by staff through the gateway only.
//
// The fault: the notification database refuses notifications about one purchase (a CHECK
// constraint, standing in for whatever a handler cannot get past: a bad migration, a bug, data it
// needs). An event about that purchase is retried CONSUMER_MAX_DELIVER times, then dead-lettered,
// while everything else keeps flowing; after the repair, a replay creates the notification once.
let sys: TestSystem;
let staff: string, buyer: string, driver: string;
let buyerId: string;
const MAX_DELIVER = 4;
const FAULT = "simulated_fault_dead_letter_test";
const SECRET = process.env.INTERNAL_SECRET ?? "dev-only-internal-secret-change-me";

const DL = {
  list: `query ($context: String, $first: Int) { deadLetters(context: $context, first: $first) {
    unreachableContexts items { id context consumer eventId eventType subject error deliveries createdAt replayedAt status replayAttempts replayError } } }`,
  replay: `mutation ($context: String!, $id: ID!) { replayDeadLetter(context: $context, id: $id) {
    id context eventId status replayedAt replayAttempts replayError error } }`,
  notifications: `{ myNotifications(first: 100) { id purchaseId message createdAt } }`,
};

interface DeadLetterNode {
  id: string;
  context: string;
  eventId: string;
  status: string;
  replayedAt: string | null;
  createdAt: string;
  [k: string]: unknown;
}

const deadLetters = async (vars: Record<string, unknown> = {}) =>
  (
    await sys.ok<{ deadLetters: { items: DeadLetterNode[]; unreachableContexts: string[] } }>(
      DL.list,
      vars,
      staff,
    )
  ).deadLetters;
const notificationsAbout = async (purchaseId: string) =>
  (
    (await sys.ok(DL.notifications, {}, buyer)).myNotifications as {
      purchaseId: string | null;
      createdAt: string;
    }[]
  ).filter((n) => n.purchaseId === purchaseId);

/** Runs SQL on a context's own database while its service is stopped (PGlite is single-process), then starts it again. */
async function withServiceStopped(name: SubgraphName, whileDown: () => Promise<void>, sql: string) {
  const svc = sys.stack.service(name);
  await svc.stop();
  await whileDown();
  const db = await openDatabase({ dataDir: svc.spec.env.DATA_DIR!, databaseUrl: svc.spec.env.DATABASE_URL });
  try {
    await db.exec(sql);
  } finally {
    await db.close();
  }
  await svc.start();
}

beforeAll(async () => {
  // Retries 1 s, 2 s, 4 s apart: a long window in which other events must keep flowing.
  sys = await TestSystem.start({
    env: { CONSUMER_MAX_DELIVER: String(MAX_DELIVER), CONSUMER_RETRY_BASE_MS: "1000" },
  });
  staff = await sys.login("staff@junggo.test");
  buyer = await sys.login("buyer@junggo.test");
  driver = await sys.login("driver@junggo.test");
  buyerId = (await sys.ok(Q.me, {}, buyer)).me.id;
});
afterAll(async () => {
  await sys?.stop();
});

describe("dead letters through the gateway", () => {
  const purchaseId = crypto.randomUUID();
  let poison: EventEnvelope<"PurchaseDelivered">;
  let row: DeadLetterNode;

  it("dead-letters a poison event after CONSUMER_MAX_DELIVER deliveries while other purchases keep flowing", async () => {
    await withServiceStopped(
      "notification",
      async () => {},
      `ALTER TABLE "Notification" ADD CONSTRAINT ${FAULT} CHECK ("purchaseId" IS DISTINCT FROM '${purchaseId}'::uuid)`,
    );
    poison = newEvent(
      "PurchaseDelivered",
      { purchaseId, vehicleId: crypto.randomUUID(), buyerId },
      { producer: "purchase" },
    );
    await sys.nc
      .jetstream()
      .publish(subjectOf(poison.type), new TextEncoder().encode(JSON.stringify(poison)), {
        msgID: poison.eventId,
      });

    // A real purchase right behind it: notification must handle its events while the poison waits.
    const car = await new VehiclePicker(sys).next();
    const bought = await buyWhenKnown(sys, buyer, car.id);
    expect(bought.errors).toBeUndefined();
    const [paidNote] = await eventually(async () => {
      const notes = await notificationsAbout(bought.data.requestPurchase.id);
      return notes.length ? notes : null;
    }, "the buyer's notification about the new purchase");

    row = await eventually(
      async () =>
        (await deadLetters({ context: "notification" })).items.find((d) => d.eventId === poison.eventId),
      "the poison in the dead letters",
      60_000,
    );
    expect(row).toMatchObject({
      context: "notification",
      consumer: "notification",
      eventType: "PurchaseDelivered",
      subject: "purchase.purchase.delivered",
      deliveries: MAX_DELIVER,
      status: "PENDING",
      replayedAt: null,
      replayAttempts: 0,
      replayError: null,
    });
    expect(row.error).toContain(FAULT);
    // The purchase published after the poison was notified before the poison was given up.
    expect(Date.parse(paidNote!.createdAt)).toBeLessThan(Date.parse(row.createdAt));
    expect(await notificationsAbout(purchaseId)).toHaveLength(0);
  });

  it("lists it with every context's dead letters, under the context that failed only", async () => {
    const all = await deadLetters();
    expect(all.unreachableContexts).toEqual([]);
    expect(all.items.filter((d) => d.eventId === poison.eventId).map((d) => d.context)).toEqual([
      "notification",
    ]);
    // The dashboard consumed the same event without trouble.
    expect((await deadLetters({ context: "dashboard" })).items.map((d) => d.eventId)).not.toContain(
      poison.eventId,
    );
  });

  it("is for staff only, and the internal API only for the dashboard's service token", async () => {
    for (const token of [buyer, driver]) {
      expect(errorCode(await sys.gql(DL.list, {}, token))).toBe("FORBIDDEN");
      expect(errorCode(await sys.gql(DL.replay, { context: "notification", id: row.id }, token))).toBe(
        "FORBIDDEN",
      );
    }
    expect(errorCode(await sys.gql(DL.list, {}))).toBe("UNAUTHENTICATED");
    expect(errorCode(await sys.gql(DL.replay, { context: "notification", id: row.id }))).toBe(
      "UNAUTHENTICATED",
    );

    // Straight to the subgraph: a staff identity as the gateway forwards it is not a service token.
    const base = `http://127.0.0.1:${sys.stack.ports.get("notification")}/internal/dead-letters`;
    const staffIdentity = await signForwardedIdentity(
      { id: crypto.randomUUID(), role: "STAFF", name: "x", email: "x@junggo.test" },
      SECRET,
    );
    const refused: [string, Record<string, string>, number][] = [
      ["no token", {}, 401],
      ["forwarded staff identity", { [IDENTITY_HEADER]: staffIdentity }, 401],
      ["forwarded identity as bearer", { authorization: `Bearer ${staffIdentity}` }, 401],
      [
        "another service's token",
        { authorization: `Bearer ${await signServiceToken("purchase", SECRET)}` },
        403,
      ],
    ];
    for (const [what, headers, status] of refused) {
      expect((await fetch(base, { headers })).status, what).toBe(status);
      expect((await fetch(`${base}/${row.id}/replay`, { method: "POST", headers })).status, what).toBe(
        status,
      );
    }
    expect(
      (
        await fetch(base, {
          headers: { authorization: `Bearer ${await signServiceToken("dashboard", SECRET)}` },
        })
      ).status,
    ).toBe(200);
    expect(await notificationsAbout(purchaseId)).toHaveLength(0);
  });

  it("refuses bad arguments naming the field, and unknown dead letters", async () => {
    const field = (r: Awaited<ReturnType<typeof sys.gql>>) => [
      errorCode(r),
      r.errors?.[0]?.extensions?.field,
    ];
    expect(field(await sys.gql(DL.list, { context: "nope" }, staff))).toEqual(["BAD_USER_INPUT", "context"]);
    expect(field(await sys.gql(DL.list, { first: 0 }, staff))).toEqual(["BAD_USER_INPUT", "first"]);
    expect(field(await sys.gql(DL.replay, { context: "Notification", id: row.id }, staff))).toEqual([
      "BAD_USER_INPUT",
      "context",
    ]);
    expect(field(await sys.gql(DL.replay, { context: "notification", id: "1 OR 1=1" }, staff))).toEqual([
      "BAD_USER_INPUT",
      "id",
    ]);
    expect(errorCode(await sys.gql(DL.replay, { context: "notification", id: "987654321" }, staff))).toBe(
      "DEAD_LETTER_NOT_FOUND",
    );
    // Ids are per context: the notification's row id names nothing in stock.
    expect(errorCode(await sys.gql(DL.replay, { context: "stock", id: row.id }, staff))).toBe(
      "DEAD_LETTER_NOT_FOUND",
    );
  });

  it("keeps the dead letter, with the new error, when a replay fails before the fix", async () => {
    const r = (await sys.ok(DL.replay, { context: "notification", id: row.id }, staff)).replayDeadLetter;
    expect(r).toMatchObject({
      id: row.id,
      eventId: poison.eventId,
      status: "PENDING",
      replayedAt: null,
      replayAttempts: 1,
      error: row.error,
    });
    expect(r.replayError).toContain(FAULT);
    expect(await notificationsAbout(purchaseId)).toHaveLength(0);
  });

  it("reports the notification context as unreachable while it is down, and answers with the others", async () => {
    await withServiceStopped(
      "notification",
      async () => {
        const report = await deadLetters();
        expect(report.unreachableContexts).toEqual(["notification"]);
        expect(report.items.some((d) => d.context === "notification")).toBe(false);
        expect(errorCode(await sys.gql(DL.replay, { context: "notification", id: row.id }, staff))).toBe(
          "CONTEXT_UNAVAILABLE",
        );
      },
      `ALTER TABLE "Notification" DROP CONSTRAINT ${FAULT}`,
    ); // the repair
  });

  it("replays it exactly once after the fix; a second replay changes nothing", async () => {
    const r = (await sys.ok(DL.replay, { context: "notification", id: row.id }, staff)).replayDeadLetter;
    expect(r).toMatchObject({ id: row.id, status: "REPLAYED", replayError: null, replayAttempts: 2 });
    expect(Date.parse(r.replayedAt)).toBeGreaterThan(Date.parse(row.createdAt));
    // The replay committed before it answered: the buyer has the notification now, once.
    expect(await notificationsAbout(purchaseId)).toHaveLength(1);

    const again = (await sys.ok(DL.replay, { context: "notification", id: row.id }, staff)).replayDeadLetter;
    expect(again).toEqual(r);
    expect(await notificationsAbout(purchaseId)).toHaveLength(1);
    const listed = (await deadLetters({ context: "notification" })).items.find((d) => d.id === row.id);
    expect(listed).toMatchObject({ status: "REPLAYED", replayedAt: r.replayedAt });
  });
});
