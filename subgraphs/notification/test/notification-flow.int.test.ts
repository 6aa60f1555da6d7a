// The notification context's handlers, inbox and mailer against a real (PGlite or PostgreSQL)
// database and a real SMTP server in this process.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newEvent, type EventEnvelope, type EventType } from "@junggo/events";
import { migrationsDir } from "@junggo/prisma";
import { PrismaClient, type Prisma } from "@junggo/prisma/notification";
import { createLogger, type Viewer } from "@junggo/runtime";
import {
  openTestDatabase,
  refusalOfAsync,
  type TestDatabase,
  DELIVERY_JOB,
  testEvent as ev,
} from "@junggo/runtime/testing";
import { makeNotify, makeRecordRecipient } from "../src/app/notify.use-case.ts";
import { makeInbox } from "../src/app/notifications.query.ts";
import { makeDeliverEmails } from "../src/app/deliver-emails.use-case.ts";
import { notificationHandlers } from "../src/adapters/event.handlers.ts";
import {
  prismaNotificationRepository,
  prismaProjectionStore,
} from "../src/adapters/notification.repository.ts";
import { smtpMailer } from "../src/adapters/smtp.mailer.ts";
import { startSmtpServer, type TestSmtpServer } from "./support/smtp.ts";

type Tx = Prisma.TransactionClient;
const log = createLogger("notification-test");

let tdb: TestDatabase;
let prisma: PrismaClient;
let smtp: TestSmtpServer;
let mailer: ReturnType<typeof smtpMailer>;
let handlers: ReturnType<typeof notificationHandlers<Tx>>;
let deliverDue: ReturnType<typeof makeDeliverEmails<Tx>>;
let inbox: ReturnType<typeof makeInbox<Tx>>;

const id = () => crypto.randomUUID();
const account = (name: string, role: string, locale: string) => ({
  accountId: id(),
  email: `${name.toLowerCase().replace(/\W/g, ".")}@junggo.test`,
  name,
  role,
  locale,
});
const buyerKo = account("Kim Minjun", "BUYER", "ko");
const buyerEn = account("Jane Doe", "BUYER", "en");
const driver = account("Jung Hyunwoo", "DRIVER", "ko");
const staffKo = account("Choi Yuna", "STAFF", "ko");
const staffEn = account("Sam Staff", "STAFF", "en");
const viewer = (a: { accountId: string; name: string; role: string; email: string }): Viewer => ({
  id: a.accountId,
  name: a.name,
  role: a.role as Viewer["role"],
  email: a.email,
});

async function deliver<T extends EventType>(e: EventEnvelope<T>): Promise<void> {
  const handler = handlers[e.type] as ((e: EventEnvelope<T>, tx: Tx) => Promise<void>) | undefined;
  if (!handler) throw new Error(`no handler for ${e.type}`);
  await prisma.$transaction((tx) => handler(e, tx));
}

const notificationsOf = (recipientId: string) =>
  prisma.notification.findMany({ where: { recipientId }, orderBy: { seq: "asc" } });
const createdEvents = async () =>
  (
    await prisma.$queryRawUnsafe<{ body: string }[]>(
      `SELECT body FROM messaging.outbox WHERE type = 'NotificationCreated' ORDER BY seq`,
    )
  ).map((r) => JSON.parse(r.body) as EventEnvelope<"NotificationCreated">);

/** A purchase of a 2019 Hyundai Avante by `buyer`, up to delivery, as the other contexts publish it. */
function saga(buyer: { accountId: string }) {
  const purchaseId = id(),
    vehicleId = id(),
    consignmentId = id(),
    paymentId = id();
  const base = { purchaseId, buyerId: buyer.accountId };
  return {
    purchaseId,
    consignmentId,
    approved: ev("PaymentApproved", { ...base, paymentId, amountKrw: 18_900_000 }),
    paid: ev("PurchasePaid", {
      ...base,
      vehicleId,
      buyerName: "x",
      priceKrw: 18_900_000,
      paymentId,
      vehicle: { make: "Hyundai", model: "Avante", year: 2019 },
    }),
    assigned: ev("ConsignmentAssigned", {
      ...base,
      ...DELIVERY_JOB,
      consignmentId,
      vehicleId,
      driverId: driver.accountId,
      driverName: driver.name,
      eta: "2026-03-01T09:45:00.000Z",
    }),
    pickedUp: ev("ConsignmentPickedUp", {
      ...base,
      ...DELIVERY_JOB,
      consignmentId,
      vehicleId,
      driverId: driver.accountId,
    }),
    started: ev("PurchaseDeliveryStarted", { ...base, vehicleId }),
    delivered: ev("ConsignmentDelivered", {
      ...base,
      ...DELIVERY_JOB,
      consignmentId,
      vehicleId,
      driverId: driver.accountId,
    }),
    purchaseDelivered: ev("PurchaseDelivered", { ...base, vehicleId }),
    cancelled: ev("PurchaseCancelled", { ...base, vehicleId, reason: null, previousStatus: "PAID" }),
    jobCancelled: ev("ConsignmentCancelled", {
      ...base,
      ...DELIVERY_JOB,
      consignmentId,
      vehicleId,
      previousStatus: "ASSIGNED",
      returnToLot: false,
    }),
    refunded: ev("PaymentRefunded", { ...base, paymentId, amountKrw: 18_900_000 }),
    escalated: ev("ConsignmentEscalated", {
      ...base,
      ...DELIVERY_JOB,
      consignmentId,
      vehicleId,
      waitingSinceIso: new Date(Date.now() - 16 * 60_000).toISOString(),
      escalation: 1,
    }),
  };
}

beforeAll(async () => {
  tdb = await openTestDatabase(migrationsDir("notification"));
  prisma = new PrismaClient({ adapter: tdb.db.adapter });
  smtp = await startSmtpServer();
  mailer = smtpMailer(smtp.url, "Junggo <no-reply@junggo.test>");
  const clock = () => new Date();
  const deps = {
    projections: prismaProjectionStore,
    notifications: prismaNotificationRepository,
    clock,
    log,
    emailEnabled: true,
  };
  handlers = notificationHandlers<Tx>({
    recordRecipient: makeRecordRecipient(deps),
    notify: makeNotify(deps),
  });
  deliverDue = makeDeliverEmails<Tx>({
    repo: prismaNotificationRepository,
    db: prisma,
    mailer,
    clock,
    log,
    retryBaseMs: 20,
    leaseMs: 60_000,
  });
  inbox = makeInbox<Tx>(prismaNotificationRepository, prisma, clock);
  for (const a of [buyerKo, buyerEn, driver, staffKo, staffEn]) await deliver(ev("AccountRegistered", a));
});

afterAll(async () => {
  mailer?.close();
  await smtp?.close();
  await prisma?.$disconnect();
  await tdb?.close();
});

describe("notifications from events", () => {
  const s = saga(buyerEn);

  it("one notification per status change for the buyer, in the buyer's language, and the driver's own", async () => {
    for (const e of [s.approved, s.paid, s.assigned, s.pickedUp, s.started, s.delivered, s.purchaseDelivered])
      await deliver(e);
    const mine = await notificationsOf(buyerEn.accountId);
    expect(mine.map((n) => n.kind)).toEqual([
      "PAYMENT_APPROVED",
      "PURCHASE_PAID",
      "CONSIGNMENT_ASSIGNED",
      "CONSIGNMENT_PICKED_UP",
      "PURCHASE_DELIVERY_STARTED",
      "CONSIGNMENT_DELIVERED",
      "PURCHASE_DELIVERED",
    ]);
    expect(
      mine.every(
        (n) =>
          n.locale === "en" &&
          n.purchaseId === s.purchaseId &&
          n.emailStatus === "PENDING" &&
          n.emailTo === buyerEn.email,
      ),
    ).toBe(true);
    // PaymentApproved came before PurchasePaid: the car's name was not known yet.
    expect(mine[0]!.message).toBe("Your payment of ₩18,900,000 for the car was approved.");
    expect(mine[2]!.message).toBe(
      "Jung Hyunwoo will deliver your 2019 Hyundai Avante. Expected arrival: 1 March 2026, 18:45 KST.",
    );
    expect(mine[3]!.message).toBe("Jung Hyunwoo picked up your 2019 Hyundai Avante and is on the way.");

    const drivers = await notificationsOf(driver.accountId);
    expect(drivers.map((n) => [n.kind, n.locale, n.message])).toEqual([
      [
        "CONSIGNMENT_ASSIGNED_DRIVER",
        "ko",
        "2019 Hyundai Avante 배송을 수락했습니다. 고객 도착 예정: 2026년 3월 1일 18:45.",
      ],
    ]);
  });

  it("appends NotificationCreated for each, caused by the event, for the live feed", async () => {
    const created = await createdEvents();
    const ofSaga = created.filter((e) => e.payload.purchaseId === s.purchaseId);
    expect(ofSaga).toHaveLength(8);
    const assignedOnes = ofSaga.filter((e) => e.causationId === s.assigned.eventId);
    expect(assignedOnes.map((e) => [e.payload.recipientId, e.payload.kind]).sort()).toEqual(
      [
        [buyerEn.accountId, "CONSIGNMENT_ASSIGNED"],
        [driver.accountId, "CONSIGNMENT_ASSIGNED_DRIVER"],
      ].sort(),
    );
    expect(ofSaga[0]).toMatchObject({
      type: "NotificationCreated",
      producer: "notification",
      purchaseId: s.purchaseId,
    });
  });

  it("a redelivered event creates nothing twice, even past the inbox", async () => {
    const before = { rows: await prisma.notification.count(), events: (await createdEvents()).length };
    await deliver(s.assigned);
    await deliver(s.paid);
    expect(await prisma.notification.count()).toBe(before.rows);
    expect((await createdEvents()).length).toBe(before.events);
  });

  it("emails every pending notification once, in the recipient's language", async () => {
    const pending = await prisma.notification.count({ where: { emailStatus: "PENDING" } });
    expect(await deliverDue(100)).toEqual({ sent: pending, failed: 0 });
    expect(smtp.messages).toHaveLength(pending);
    const toBuyer = smtp.messages.filter((m) => m.envelopeTo.includes(buyerEn.email));
    expect(toBuyer.map((m) => m.subject)).toEqual([
      "Payment approved",
      "Purchase confirmed: 2019 Hyundai Avante",
      "Driver assigned",
      "Car picked up",
      "Out for delivery",
      "Car handed over",
      "Purchase complete",
    ]);
    const assigned = toBuyer[2]!;
    expect(assigned.envelopeFrom).toBe("no-reply@junggo.test");
    expect(assigned.from).toBe("Junggo <no-reply@junggo.test>");
    expect(assigned.text).toContain(
      "Jung Hyunwoo will deliver your 2019 Hyundai Avante. Expected arrival: 1 March 2026, 18:45 KST.",
    );
    expect(assigned.text).toContain("You can also find this notification in your Junggo inbox.");
    const toDriver = smtp.messages.filter((m) => m.envelopeTo.includes(driver.email));
    expect(toDriver.map((m) => m.subject)).toEqual(["배송 수락"]);
    expect(toDriver[0]!.text).toContain(
      "2019 Hyundai Avante 배송을 수락했습니다. 고객 도착 예정: 2026년 3월 1일 18:45.",
    );
    expect(toDriver[0]!.text).toContain("이 알림은 중고 앱의 알림함에서도 볼 수 있습니다.");
    const rows = await notificationsOf(driver.accountId);
    expect(toDriver[0]!.messageId).toBe(`<${rows[0]!.id}@junggo.notification>`);
    expect(rows[0]).toMatchObject({ emailStatus: "SENT", emailAttempts: 1, emailError: null });

    // Nothing is sent twice.
    expect(await deliverDue(100)).toEqual({ sent: 0, failed: 0 });
    expect(smtp.messages).toHaveLength(pending);
  });

  it("a temporary SMTP refusal is retried after a backoff; five refusals end as FAILED with the error", async () => {
    const t = saga(buyerKo);
    smtp.refuseNext(1);
    const sentBefore = smtp.messages.length;
    await deliver(t.paid);
    expect(await deliverDue()).toEqual({ sent: 0, failed: 1 });
    let [n] = await notificationsOf(buyerKo.accountId);
    expect(n).toMatchObject({
      emailStatus: "PENDING",
      emailAttempts: 1,
      emailError: expect.stringContaining("451"),
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(await deliverDue()).toEqual({ sent: 1, failed: 0 });
    [n] = await notificationsOf(buyerKo.accountId);
    expect(n).toMatchObject({ emailStatus: "SENT", emailAttempts: 2, emailError: null });
    expect(smtp.messages.slice(sentBefore).map((m) => [m.envelopeTo[0], m.subject])).toEqual([
      [buyerKo.email, "구매 완료: 2019 Hyundai Avante"],
    ]);
    expect(smtp.messages.at(-1)!.text).toContain(
      "2019 Hyundai Avante 구매가 완료되었습니다. 결제 금액은 ₩18,900,000입니다.",
    );

    smtp.refuseNext(5);
    await deliver(t.cancelled);
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 20 * 2 ** i + 20));
      await deliverDue();
    }
    const failed = (await notificationsOf(buyerKo.accountId)).find((x) => x.kind === "PURCHASE_CANCELLED")!;
    expect(failed).toMatchObject({
      emailStatus: "FAILED",
      emailAttempts: 5,
      emailError: expect.stringContaining("Mailbox busy"),
    });
    expect(smtp.messages.length).toBe(sentBefore + 1);
  });

  it("no driver in time: the buyer and every staff member, each in their language; the driver of a cancelled job is told", async () => {
    const t = saga(buyerKo);
    await deliver(t.paid);
    await deliver(t.escalated);
    const staff = [
      ...(await notificationsOf(staffKo.accountId)),
      ...(await notificationsOf(staffEn.accountId)),
    ];
    expect(staff.map((n) => [n.kind, n.title])).toEqual([
      ["CONSIGNMENT_ESCALATED_STAFF", "기사 미배정 (1차)"],
      ["CONSIGNMENT_ESCALATED_STAFF", "No driver yet (alert 1)"],
    ]);
    expect(staff[1]!.message).toBe(
      `The delivery of the 2019 Hyundai Avante (purchase ${t.purchaseId.slice(0, 8)}) has waited 16 min for a driver. It has been offered to drivers again.`,
    );
    const buyers = (await notificationsOf(buyerKo.accountId))
      .filter((n) => n.purchaseId === t.purchaseId)
      .map((n) => n.kind);
    expect(buyers).toEqual(["PURCHASE_PAID", "CONSIGNMENT_ESCALATED"]);

    await deliver(t.assigned);
    await deliver(t.jobCancelled);
    const driverLast = (await notificationsOf(driver.accountId)).at(-1)!;
    expect(driverLast).toMatchObject({
      kind: "CONSIGNMENT_CANCELLED_DRIVER",
      message: "수락한 2019 Hyundai Avante 배송이 취소되었습니다. 차량을 인수하지 않아도 됩니다.",
    });
  });

  it("an event older than a day (a new context replaying history) is notified in-app only", async () => {
    const old = newEvent(
      "PurchaseDelivered",
      { purchaseId: id(), vehicleId: id(), buyerId: buyerKo.accountId },
      { producer: "test", now: new Date(Date.now() - 25 * 60 * 60_000) },
    );
    await deliver(old);
    const n = (await notificationsOf(buyerKo.accountId)).find((x) => x.sourceEventId === old.eventId);
    expect(n).toMatchObject({ kind: "PURCHASE_DELIVERED", emailStatus: "SKIPPED", emailTo: buyerKo.email });
  });

  it("an account not seen yet is notified in Korean, without email", async () => {
    const stranger = { accountId: id() };
    await deliver(saga(stranger).paid);
    const [n] = await notificationsOf(stranger.accountId);
    expect(n).toMatchObject({ locale: "ko", emailStatus: "SKIPPED", emailTo: null, kind: "PURCHASE_PAID" });
  });
});

describe("the inbox", () => {
  it("lists the viewer's own notifications newest first and counts the unread", async () => {
    const v = viewer(buyerEn);
    const mine = await inbox.mine(v, 3);
    expect(mine.map((n) => n.kind)).toEqual([
      "PURCHASE_DELIVERED",
      "CONSIGNMENT_DELIVERED",
      "PURCHASE_DELIVERY_STARTED",
    ]);
    expect(await inbox.unreadCount(v)).toBe(7);
    expect((await refusalOfAsync(() => inbox.mine(null, 10))).code).toBe("UNAUTHENTICATED");
  });

  it("marks one read (owner only) and then all", async () => {
    const v = viewer(buyerEn);
    const [latest] = await inbox.mine(v, 1);
    const read = await inbox.markRead(v, latest!.id);
    expect(read.readAt).toBeInstanceOf(Date);
    expect((await inbox.markRead(v, latest!.id)).readAt).toEqual(read.readAt);
    expect(await inbox.unreadCount(v)).toBe(6);
    expect((await refusalOfAsync(() => inbox.markRead(viewer(buyerKo), latest!.id))).code).toBe(
      "NOTIFICATION_NOT_FOUND",
    );
    expect((await refusalOfAsync(() => inbox.markRead(v, id()))).code).toBe("NOTIFICATION_NOT_FOUND");
    expect(await inbox.visible(viewer(staffKo), latest!.id)).toBeNull();
    expect(await inbox.markAllRead(v)).toBe(6);
    expect(await inbox.markAllRead(v)).toBe(0);
    expect(await inbox.unreadCount(v)).toBe(0);
  });
});

describe("the seller side and returns", () => {
  const sellerEn = account("Alex Seller", "SELLER", "en");
  const sellerKo = account("Lee Seoyeon", "SELLER", "ko");
  const eta = "2026-03-01T09:45:00.000Z";

  /** One sell request of a 2019 Hyundai Avante by `seller`, as acquisition, billing and consignment publish it. */
  function sale(seller: { accountId: string }) {
    const sellRequestId = id(),
      vehicleId = id(),
      pickupJob = id(),
      returnJob = id(),
      payoutId = id();
    const ids = { sellRequestId, sellerId: seller.accountId };
    const job = (consignmentId: string, kind: "SELLER_PICKUP" | "SELLER_RETURN") => ({
      kind,
      purchaseId: null,
      buyerId: null,
      ...ids,
      consignmentId,
      vehicleId,
    });
    const vehicle = {
      vin: "KMHD341CBKU000001",
      make: "Hyundai",
      model: "Avante",
      year: 2019,
      mileageKm: 52_000,
    };
    return {
      sellRequestId,
      submitted: ev("SellRequestSubmitted", { ...ids, quoteId: id(), offerKrw: 12_400_000, vehicle }),
      accepted: ev("SellRequestAccepted", {
        ...ids,
        offerKrw: 12_400_000,
        vehicleId,
        listPriceKrw: 14_100_000,
        ...vehicle,
        vehicleName: "2019 Hyundai Avante",
        decidedBy: staffEn.accountId,
      }),
      rejected: ev("SellRequestRejected", { ...ids, reason: "salvage title", decidedBy: staffKo.accountId }),
      pickupAssigned: ev("ConsignmentAssigned", {
        ...job(pickupJob, "SELLER_PICKUP"),
        driverId: driver.accountId,
        driverName: driver.name,
        eta,
      }),
      pickupPickedUp: ev("ConsignmentPickedUp", {
        ...job(pickupJob, "SELLER_PICKUP"),
        driverId: driver.accountId,
      }),
      pickedUp: ev("SellRequestPickedUp", { ...ids, consignmentId: pickupJob }),
      pickupDelivered: ev("ConsignmentDelivered", {
        ...job(pickupJob, "SELLER_PICKUP"),
        driverId: driver.accountId,
      }),
      inspection: ev("SellRequestInspectionStarted", { ...ids, vehicleId }),
      listed: ev("SellRequestListed", { ...ids, vehicleId }),
      cancelled: ev("SellRequestCancelled", {
        ...ids,
        reason: null,
        previousStatus: "LISTED",
        reversePayout: true,
        cancelPickup: false,
        returnVehicleId: vehicleId,
      }),
      payoutReversed: ev("PayoutReversed", { ...ids, payoutId, amountKrw: 12_400_000 }),
      returnAssigned: ev("ConsignmentAssigned", {
        ...job(returnJob, "SELLER_RETURN"),
        driverId: driver.accountId,
        driverName: driver.name,
        eta,
      }),
      returnDelivered: ev("ConsignmentDelivered", {
        ...job(returnJob, "SELLER_RETURN"),
        driverId: driver.accountId,
      }),
    };
  }

  it("the seller on every step of selling a car, staff on the new request, the driver on their jobs; redelivery creates nothing twice", async () => {
    for (const a of [sellerEn, sellerKo]) await deliver(ev("AccountRegistered", a));
    const s = sale(sellerEn);
    const driverBefore = (await notificationsOf(driver.accountId)).length;
    const journey = [
      s.submitted,
      s.accepted,
      s.pickupAssigned,
      s.pickupPickedUp,
      s.pickedUp,
      s.pickupDelivered,
      s.inspection,
      s.listed,
      s.cancelled,
      s.payoutReversed,
      s.returnAssigned,
      s.returnDelivered,
    ];
    for (const e of journey) await deliver(e);

    const mine = await notificationsOf(sellerEn.accountId);
    expect(mine.map((n) => [n.kind, n.message])).toEqual([
      [
        "SELL_REQUEST_ACCEPTED",
        "We accepted your request to sell your 2019 Hyundai Avante. We are paying you ₩12,400,000, and a driver will come to pick the car up.",
      ],
      [
        "SELLER_PICKUP_ASSIGNED",
        "Jung Hyunwoo will pick up your 2019 Hyundai Avante. Expected arrival: 1 March 2026, 18:45 KST.",
      ],
      [
        "SELL_REQUEST_PICKED_UP",
        "The driver picked up your 2019 Hyundai Avante and is bringing it to our lot.",
      ],
      ["SELL_REQUEST_IN_INSPECTION", "Your 2019 Hyundai Avante reached our lot and is being inspected."],
      [
        "SELL_REQUEST_LISTED",
        "Your 2019 Hyundai Avante passed its inspection and is now listed for sale. Thank you for selling to Junggo.",
      ],
      [
        "SELL_REQUEST_CANCELLED",
        "Your sell request for the 2019 Hyundai Avante was cancelled. The payout we made to you will be reversed. A driver will bring the car back to you.",
      ],
      [
        "PAYOUT_REVERSED",
        "The payout of ₩12,400,000 for the 2019 Hyundai Avante was reversed because the sale was cancelled.",
      ],
      [
        "SELLER_RETURN_ASSIGNED",
        "Jung Hyunwoo will bring your 2019 Hyundai Avante back to you. Expected arrival: 1 March 2026, 18:45 KST.",
      ],
      ["SELLER_RETURN_DELIVERED", "The driver handed your 2019 Hyundai Avante back to you."],
    ]);
    expect(
      mine.every(
        (n) =>
          n.sellRequestId === s.sellRequestId &&
          n.purchaseId === null &&
          n.locale === "en" &&
          n.emailTo === sellerEn.email &&
          n.emailStatus === "PENDING",
      ),
    ).toBe(true);

    const staffAlerts = [
      ...(await notificationsOf(staffKo.accountId)),
      ...(await notificationsOf(staffEn.accountId)),
    ].filter((n) => n.sellRequestId === s.sellRequestId);
    expect(staffAlerts.map((n) => [n.kind, n.title])).toEqual([
      ["SELL_REQUEST_SUBMITTED_STAFF", "새 매입 신청: 2019 Hyundai Avante"],
      ["SELL_REQUEST_SUBMITTED_STAFF", "New sell request: 2019 Hyundai Avante"],
    ]);

    const drivers = (await notificationsOf(driver.accountId)).slice(driverBefore);
    expect(drivers.map((n) => [n.kind, n.title])).toEqual([
      ["JOB_ASSIGNED_DRIVER", "매입 차량 인수 수락"],
      ["JOB_ASSIGNED_DRIVER", "판매자 차량 반환 수락"],
    ]);

    const created = (await createdEvents()).filter((e) => journey.some((j) => j.eventId === e.causationId));
    expect(created).toHaveLength(mine.length + staffAlerts.length + drivers.length);

    // Redelivered events (each once more): no second notification, no second NotificationCreated.
    const before = { rows: await prisma.notification.count(), events: (await createdEvents()).length };
    for (const e of [s.submitted, s.accepted, s.pickupAssigned, s.cancelled, s.returnDelivered])
      await deliver(e);
    expect(await prisma.notification.count()).toBe(before.rows);
    expect((await createdEvents()).length).toBe(before.events);
  });

  it("a rejected request, in Korean, names the car and the reason", async () => {
    const s = sale(sellerKo);
    await deliver(s.submitted);
    await deliver(s.rejected);
    const [n] = (await notificationsOf(sellerKo.accountId)).filter(
      (x) => x.sellRequestId === s.sellRequestId,
    );
    expect(n).toMatchObject({
      kind: "SELL_REQUEST_REJECTED",
      locale: "ko",
      title: "매입 거절",
      message: "2019 Hyundai Avante 매입 신청이 거절되었습니다 (사유: salvage title).",
    });
  });

  it("the buyer on every return step: requested, driver assigned, picked up, returned with the refund", async () => {
    const t = saga(buyerKo);
    const returnJob = id();
    const base = { purchaseId: t.purchaseId, buyerId: buyerKo.accountId };
    const job = {
      ...base,
      ...DELIVERY_JOB,
      kind: "RETURN_PICKUP" as const,
      consignmentId: returnJob,
      vehicleId: id(),
    };
    const events = [
      t.paid,
      ev("PurchaseReturnRequested", {
        ...base,
        vehicleId: job.vehicleId,
        reason: "engine noise",
        paymentId: id(),
        priceKrw: 18_900_000,
      }),
      ev("ConsignmentAssigned", { ...job, driverId: driver.accountId, driverName: driver.name, eta }),
      ev("ConsignmentPickedUp", { ...job, driverId: driver.accountId }),
      ev("ConsignmentDelivered", { ...job, driverId: driver.accountId }),
      ev("PurchaseReturned", { ...base, vehicleId: job.vehicleId, paymentId: id(), amountKrw: 18_900_000 }),
    ];
    for (const e of events) await deliver(e);
    const mine = (await notificationsOf(buyerKo.accountId)).filter((n) => n.purchaseId === t.purchaseId);
    expect(mine.map((n) => [n.kind, n.message])).toEqual([
      ["PURCHASE_PAID", expect.any(String)],
      [
        "PURCHASE_RETURN_REQUESTED",
        "2019 Hyundai Avante 반품 신청이 접수되었습니다. 기사님이 차량을 가지러 갑니다.",
      ],
      [
        "RETURN_PICKUP_ASSIGNED",
        "Jung Hyunwoo 기사님이 2019 Hyundai Avante 반품 인수를 맡았습니다. 도착 예정: 2026년 3월 1일 18:45.",
      ],
      [
        "RETURN_PICKED_UP",
        "Jung Hyunwoo 기사님이 반품할 2019 Hyundai Avante 차량을 인수해 매장으로 가고 있습니다.",
      ],
      ["PURCHASE_RETURNED", "2019 Hyundai Avante 반품이 완료되었습니다. 결제 금액 ₩18,900,000을 환불합니다."],
    ]);
    const driverLast = (await notificationsOf(driver.accountId)).at(-1)!;
    expect(driverLast).toMatchObject({ kind: "JOB_ASSIGNED_DRIVER", title: "반품 인수 수락" });
  });
});
