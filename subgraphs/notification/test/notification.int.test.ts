import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorCode, eventually, TestSystem } from "../../../gateway/test/support/harness.ts";
import { buyWhenKnown, Q, settled, VehiclePicker } from "../../../gateway/test/support/junggo.ts";
import { LiveClient, metrics, serviceUrl } from "../../../gateway/test/support/live.ts";
import { startSmtpServer, type TestSmtpServer } from "./support/smtp.ts";

// Notifications end to end through the gateway, on a real stack whose notification service
// emails through an SMTP server running in this test process; the dispatch timeout is a few
// seconds so that "no driver yet" can be seen.
let sys: TestSystem;
let smtp: TestSmtpServer;
let cars: VehiclePicker;
let buyerKo: string, buyer2: string, driver: string, staff: string;
let buyerEn: { token: string; email: string };
const clients: LiveClient[] = [];

const MY = `query ($first: Int) { myNotifications(first: $first) { id kind title message purchaseId createdAt read readAt } }`;
const UNREAD = `{ unreadNotificationCount }`;
const MARK = `mutation ($id: ID!) { markNotificationRead(id: $id) { id read readAt } }`;
const MARK_ALL = `mutation { markAllNotificationsRead }`;
const LIVE = `subscription { notificationReceived { id kind message purchaseId read } }`;
const ESCALATION_KINDS = ["CONSIGNMENT_ESCALATED", "CONSIGNMENT_ESCALATED_STAFF"];

interface Note {
  id: string;
  kind: string;
  title: string;
  message: string;
  purchaseId: string | null;
  read: boolean;
}
const notes = async (token: string, first = 200) =>
  (await sys.ok<{ myNotifications: Note[] }>(MY, { first }, token)).myNotifications;
const notesOf = async (token: string, purchaseId: string) =>
  (await notes(token)).filter((n) => n.purchaseId === purchaseId);

beforeAll(async () => {
  smtp = await startSmtpServer();
  sys = await TestSystem.start({
    serviceEnv: {
      notification: { SMTP_URL: smtp.url, MAIL_POLL_MS: "200" },
      consignment: { DISPATCH_TIMEOUT_MINUTES: "0.05", DISPATCH_SWEEP_MS: "500" },
    },
  });
  cars = new VehiclePicker(sys);
  buyerKo = await sys.login("buyer@junggo.test");
  buyer2 = await sys.login("buyer2@junggo.test");
  driver = await sys.login("driver@junggo.test");
  staff = await sys.login("staff@junggo.test");
  const email = `jane.${Date.now()}@example.test`;
  const signedUp = await sys.ok(`mutation ($input: SignUpInput!) { signUp(input: $input) { token } }`, {
    input: { email, password: "correct-horse-battery", name: "Jane Doe", role: "BUYER", locale: "en" },
  });
  buyerEn = { token: signedUp.signUp.token, email };
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => {})));
  await sys?.stop();
  await smtp?.close();
});

async function openJobFor(purchaseId: string) {
  return eventually(async () => {
    const d = await sys.ok(Q.openConsignments, {}, driver);
    return (d.openConsignments as { id: string; purchaseId: string }[]).find(
      (c) => c.purchaseId === purchaseId,
    );
  }, `a delivery job for purchase ${purchaseId}`);
}

describe("notifications through the gateway", () => {
  let purchaseId: string;
  let carName: string;

  it("a purchase delivered to an English-speaking buyer: one notification per status change, live, and by email", async () => {
    const buyerLive = new LiveClient(sys, buyerEn.token);
    const otherLive = new LiveClient(sys, buyer2);
    clients.push(buyerLive, otherLive);
    const mine = buyerLive.subscribe(LIVE);
    const others = otherLive.subscribe(LIVE);
    await eventually(
      async () => (await metrics(serviceUrl(sys, "notification"))).junggo_live_listeners! >= 2,
      "notification listeners",
    );

    const car = await cars.next();
    carName = `${car.year} ${car.make} ${car.model}`;
    const r = await buyWhenKnown(sys, buyerEn.token, car.id);
    expect(r.errors).toBeUndefined();
    purchaseId = r.data.requestPurchase.id;
    const job = await openJobFor(purchaseId);
    await sys.ok(Q.accept, { id: job.id }, driver);
    await sys.ok(Q.pickUp, { id: job.id }, driver);
    await sys.ok(Q.complete, { id: job.id }, driver);

    const expected = [
      "CONSIGNMENT_ASSIGNED",
      "CONSIGNMENT_DELIVERED",
      "CONSIGNMENT_PICKED_UP",
      "PAYMENT_APPROVED",
      "PURCHASE_DELIVERED",
      "PURCHASE_DELIVERY_STARTED",
      "PURCHASE_PAID",
    ];
    // The dispatch timeout is short here: a "still looking for a driver" may come in between.
    const statusNotes = async () =>
      (await notesOf(buyerEn.token, purchaseId)).filter((n) => !ESCALATION_KINDS.includes(n.kind));
    const got = await eventually(async () => {
      const n = await statusNotes();
      return n.length >= expected.length ? n : null;
    }, "the buyer's notifications");
    expect(got.map((n) => n.kind).sort()).toEqual(expected);
    const byKind = new Map(got.map((n) => [n.kind, n]));
    expect(byKind.get("PURCHASE_PAID")!.message).toBe(
      `Your purchase of the ${carName} is confirmed. You paid ₩${car.priceKrw.toLocaleString("en-US")}. We are finding a driver to deliver it.`,
    );
    expect(byKind.get("CONSIGNMENT_ASSIGNED")!.message).toMatch(
      new RegExp(
        `^Jung Hyunwoo will deliver your ${carName}\\. Expected arrival: \\d{1,2} \\w+ \\d{4}, \\d\\d:\\d\\d KST\\.$`,
      ),
    );
    expect(byKind.get("PURCHASE_DELIVERED")!.message).toBe(
      `Your purchase of the ${carName} is complete. Thank you for buying with Junggo.`,
    );
    expect(got.every((n) => !n.read)).toBe(true);

    // The driver (Korean) was told about their own job.
    const driverNotes = await eventually(async () => {
      const n = (await notesOf(driver, purchaseId)).filter((x) => x.kind === "CONSIGNMENT_ASSIGNED_DRIVER");
      return n.length > 0 ? n : null;
    }, "the driver's notification");
    expect(driverNotes).toHaveLength(1);
    expect(driverNotes[0]!.message).toMatch(
      new RegExp(
        `^${carName} 배송을 수락했습니다\\. 고객 도착 예정: \\d{4}년 \\d{1,2}월 \\d{1,2}일 \\d\\d:\\d\\d\\.$`,
      ),
    );

    // Live: each of the buyer's notifications was pushed to the buyer, none to another buyer.
    const all = await notesOf(buyerEn.token, purchaseId);
    await eventually(
      async () => all.every((n) => mine.received.some((p) => p.data?.notificationReceived?.id === n.id)),
      "every notification pushed live",
    );
    expect(mine.received.every((p) => p.data?.notificationReceived?.purchaseId === purchaseId)).toBe(true);
    expect(others.received.some((p) => p.data?.notificationReceived?.purchaseId === purchaseId)).toBe(false);

    // Email: one per notification, in English, to the buyer's address; the driver's in Korean.
    const mails = await eventually(async () => {
      const m = smtp.messages.filter((x) => x.envelopeTo.includes(buyerEn.email));
      return m.length >= all.length ? m : null;
    }, "the buyer's emails");
    expect(mails.map((m) => m.subject).sort()).toEqual(all.map((n) => n.title).sort());
    const assignedMail = mails.find((m) => m.subject === "Driver assigned")!;
    expect(assignedMail.from).toBe("Junggo <no-reply@junggo.test>");
    expect(assignedMail.text).toContain(byKind.get("CONSIGNMENT_ASSIGNED")!.message);
    const driverMail = await eventually(
      async () =>
        smtp.messages.find(
          (m) => m.envelopeTo.includes("driver@junggo.test") && m.text.includes(driverNotes[0]!.message),
        ),
      "the driver's email",
    );
    expect(driverMail.subject).toBe("배송 수락");
  });

  it("a redelivered event and a settled system create nothing twice", async () => {
    await settled(sys);
    const before = (await notesOf(buyerEn.token, purchaseId)).length;
    const mailsBefore = smtp.messages.length;
    const [paid] = await sys.events({ purchaseId, type: "PurchasePaid" });
    const [assigned] = await sys.events({ purchaseId, type: "ConsignmentAssigned" });
    await sys.redeliver(paid!);
    await sys.redeliver(assigned!);
    await settled(sys);
    await new Promise((r) => setTimeout(r, 600)); // a mailer pass or two
    expect((await notesOf(buyerEn.token, purchaseId)).length).toBe(before);
    expect(smtp.messages.length).toBe(mailsBefore);
  });

  it("read state: unread count, mark one (owner only), mark all", async () => {
    const unread = (await sys.ok(UNREAD, {}, buyerEn.token)).unreadNotificationCount as number;
    expect(unread).toBe((await notes(buyerEn.token)).length);
    const [latest] = await notes(buyerEn.token, 1);
    const marked = (await sys.ok(MARK, { id: latest!.id }, buyerEn.token)).markNotificationRead;
    expect(marked).toMatchObject({ id: latest!.id, read: true });
    expect((await sys.ok(UNREAD, {}, buyerEn.token)).unreadNotificationCount).toBe(unread - 1);

    expect(errorCode(await sys.gql(MARK, { id: latest!.id }, buyerKo))).toBe("NOTIFICATION_NOT_FOUND");
    expect(errorCode(await sys.gql(MARK, { id: crypto.randomUUID() }, buyerEn.token))).toBe(
      "NOTIFICATION_NOT_FOUND",
    );
    expect(errorCode(await sys.gql(MARK, { id: "nope" }, buyerEn.token))).toBe("BAD_USER_INPUT");
    expect((await sys.ok(MARK_ALL, {}, buyerEn.token)).markAllNotificationsRead).toBe(unread - 1);
    expect((await sys.ok(UNREAD, {}, buyerEn.token)).unreadNotificationCount).toBe(0);
  });

  it("validates and authenticates", async () => {
    expect(errorCode(await sys.gql(MY, {}))).toBe("UNAUTHENTICATED");
    expect(errorCode(await sys.gql(UNREAD, {}))).toBe("UNAUTHENTICATED");
    for (const first of [0, 201]) {
      const r = await sys.gql(MY, { first }, buyerEn.token);
      expect(errorCode(r)).toBe("BAD_USER_INPUT");
      expect(r.errors![0]!.extensions!.field).toBe("first");
    }
    expect((await notes(buyerEn.token, 2)).length).toBe(2);
  });

  it("no driver in time: staff and the buyer are told in Korean, the job stays open and is escalated at most 3 times", async () => {
    const car = await cars.next();
    const name = `${car.year} ${car.make} ${car.model}`;
    const r = await buyWhenKnown(sys, buyerKo, car.id);
    expect(r.errors).toBeUndefined();
    const id = r.data.requestPurchase.id as string;

    const staffNote = await eventually(
      async () => (await notesOf(staff, id)).find((n) => n.kind === "CONSIGNMENT_ESCALATED_STAFF"),
      "staff told",
    );
    expect(staffNote.title).toBe("기사 미배정 (1차)");
    expect(staffNote.message).toMatch(
      new RegExp(
        `^${name} 배송\\(구매 ${id.slice(0, 8)}\\)이 \\d+분째 기사를 기다리고 있습니다\\. 기사들에게 다시 제안했습니다\\.$`,
      ),
    );
    const buyerNote = await eventually(
      async () => (await notesOf(buyerKo, id)).find((n) => n.kind === "CONSIGNMENT_ESCALATED"),
      "buyer told",
    );
    expect(buyerNote.message).toBe(
      `아직 ${name} 배송을 맡을 기사를 찾지 못했습니다. 담당 직원에게 알렸고 계속 기사를 찾고 있습니다.`,
    );
    await eventually(
      async () =>
        smtp.messages.find(
          (m) => m.envelopeTo.includes("staff@junggo.test") && m.subject === "기사 미배정 (1차)",
        ),
      "staff email",
    );

    // Still offered to drivers; escalated again after each timeout, three times in all.
    const job = await openJobFor(id);
    await eventually(
      async () => (await sys.events({ purchaseId: id, type: "ConsignmentEscalated" })).length === 3,
      "three escalations",
      60_000,
    );
    await new Promise((r) => setTimeout(r, 4000)); // more than one timeout: no fourth
    const escalations = await sys.events({ purchaseId: id, type: "ConsignmentEscalated" });
    expect(escalations.map((e) => (e.payload as { escalation: number }).escalation)).toEqual([1, 2, 3]);
    const c = (
      await sys.ok(
        `query ($id: ID!) { consignment(id: $id) { status escalationCount escalatedAt } }`,
        { id: job.id },
        staff,
      )
    ).consignment;
    expect(c).toMatchObject({ status: "REQUESTED", escalationCount: 3 });
    await settled(sys);
    expect(
      (await notesOf(staff, id))
        .filter((n) => n.kind === "CONSIGNMENT_ESCALATED_STAFF")
        .map((n) => n.title)
        .sort(),
    ).toEqual(["기사 미배정 (1차)", "기사 미배정 (2차)", "기사 미배정 (3차)"]);

    // A driver can still take it.
    expect((await sys.ok(Q.accept, { id: job.id }, driver)).acceptConsignment.status).toBe("ASSIGNED");
  });
});
