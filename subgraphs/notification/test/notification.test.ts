import { describe, expect, it } from "vitest";
import { refusalOf } from "@junggo/runtime/testing";
import {
  emailFailed,
  emailRetryDelayMs,
  emailSent,
  markRead,
  MAX_EMAIL_ATTEMPTS,
  type Notification,
} from "../src/domain/notification.ts";
import { parseFirst } from "../src/app/notifications.query.ts";

const T0 = new Date("2026-03-01T09:00:00.000Z");
const OWNER = "44444444-4444-4444-8444-444444444444";
const n: Notification = {
  id: "11111111-1111-4111-8111-111111111111",
  recipientId: OWNER,
  purchaseId: null,
  sellRequestId: null,
  kind: "PURCHASE_PAID",
  locale: "ko",
  title: "t",
  message: "m",
  createdAt: T0,
  readAt: null,
  sourceEventId: "22222222-2222-4222-8222-222222222222",
  emailTo: "buyer@junggo.test",
  emailStatus: "PENDING",
  emailAttempts: 0,
  emailNextAttemptAt: null,
  emailSentAt: null,
  emailError: null,
};

describe("markRead", () => {
  it("the recipient marks it read at that time", () => {
    expect(markRead(n, OWNER, T0).readAt).toEqual(T0);
  });
  it("reading it again keeps the first time", () => {
    const once = markRead(n, OWNER, T0);
    expect(markRead(once, OWNER, new Date(T0.getTime() + 1000))).toBe(once);
  });
  it("someone else's notification is NOTIFICATION_NOT_FOUND", () => {
    expect(refusalOf(() => markRead(n, "55555555-5555-4555-8555-555555555555", T0)).code).toBe(
      "NOTIFICATION_NOT_FOUND",
    );
  });
});

describe("email delivery policy", () => {
  it("SENT records when the server accepted it and clears the last error", () => {
    expect(emailSent(T0)).toEqual({
      emailStatus: "SENT",
      emailSentAt: T0,
      emailNextAttemptAt: null,
      emailError: null,
    });
  });
  it("retries with doubling backoff, capped at 30 minutes", () => {
    expect([1, 2, 3, 4].map((a) => emailRetryDelayMs(a, 1000))).toEqual([1000, 2000, 4000, 8000]);
    expect(emailRetryDelayMs(20, 60_000)).toBe(30 * 60_000);
  });
  it("a failed attempt before the last stays PENDING until the backoff passed", () => {
    expect(emailFailed(2, "421 try later", T0, 1000)).toEqual({
      emailStatus: "PENDING",
      emailNextAttemptAt: new Date(T0.getTime() + 2000),
      emailSentAt: null,
      emailError: "421 try later",
    });
  });
  it(`gives up as FAILED after attempt ${MAX_EMAIL_ATTEMPTS}, keeping the error`, () => {
    expect(emailFailed(MAX_EMAIL_ATTEMPTS, "550 no such user", T0, 1000)).toEqual({
      emailStatus: "FAILED",
      emailNextAttemptAt: null,
      emailSentAt: null,
      emailError: "550 no such user",
    });
  });
  it("keeps stored errors short", () => {
    expect(emailFailed(1, "x".repeat(2000), T0, 1000).emailError).toHaveLength(500);
  });
});

describe("myNotifications(first)", () => {
  it("accepts 1 to 200", () => {
    expect(parseFirst(1)).toBe(1);
    expect(parseFirst(200)).toBe(200);
  });
  it("refuses anything else with BAD_USER_INPUT on first", () => {
    for (const bad of [0, -1, 201, 1.5, null]) {
      expect(
        refusalOf(() => parseFirst(bad)),
        String(bad),
      ).toMatchObject({ code: "BAD_USER_INPUT", field: "first" });
    }
  });
});
