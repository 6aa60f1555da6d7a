import { describe, expect, it } from "vitest";
import {
  emailBody,
  formatKrw,
  formatSeoulTime,
  MESSAGE_KINDS,
  render,
  toLocale,
  type MessageKind,
  type MessageParams,
} from "../src/domain/messages.ts";

const PURCHASE = "22222222-2222-4222-8222-222222222222";
const V = "2019 Hyundai Avante";
// 09:45 UTC is 18:45 in Seoul.
const ETA = "2026-03-01T09:45:00.000Z";

/** Every kind, with parameters as a real event gives them, and the exact text in both languages. */
const CASES: {
  [K in MessageKind]: { params: MessageParams[K]; ko: [string, string]; en: [string, string] };
} = {
  PURCHASE_PAID: {
    params: { vehicle: V, priceKrw: 18_900_000 },
    ko: [
      "구매 완료: 2019 Hyundai Avante",
      "2019 Hyundai Avante 구매가 완료되었습니다. 결제 금액은 ₩18,900,000입니다. 배송 기사를 배정하고 있습니다.",
    ],
    en: [
      "Purchase confirmed: 2019 Hyundai Avante",
      "Your purchase of the 2019 Hyundai Avante is confirmed. You paid ₩18,900,000. We are finding a driver to deliver it.",
    ],
  },
  PAYMENT_APPROVED: {
    params: { vehicle: V, amountKrw: 18_900_000 },
    ko: ["결제 승인", "2019 Hyundai Avante 구매 대금 ₩18,900,000 결제가 승인되었습니다."],
    en: ["Payment approved", "Your payment of ₩18,900,000 for the 2019 Hyundai Avante was approved."],
  },
  PURCHASE_DELIVERY_STARTED: {
    params: { vehicle: V },
    ko: ["배송 중", "2019 Hyundai Avante 구매 건이 배송 중 상태가 되었습니다."],
    en: ["Out for delivery", "Your purchase of the 2019 Hyundai Avante is now out for delivery."],
  },
  PURCHASE_DELIVERED: {
    params: { vehicle: V },
    ko: ["구매 완료", "2019 Hyundai Avante 구매 절차가 모두 끝났습니다. 중고를 이용해 주셔서 감사합니다."],
    en: [
      "Purchase complete",
      "Your purchase of the 2019 Hyundai Avante is complete. Thank you for buying with Junggo.",
    ],
  },
  PURCHASE_CANCELLED: {
    params: { vehicle: V, reason: "found a cheaper one" },
    ko: [
      "구매 취소",
      "2019 Hyundai Avante 구매가 취소되었습니다 (사유: found a cheaper one). 결제 금액은 환불됩니다.",
    ],
    en: [
      "Purchase cancelled",
      "Your purchase of the 2019 Hyundai Avante was cancelled (reason: found a cheaper one). Your payment will be refunded.",
    ],
  },
  PAYMENT_REFUNDED: {
    params: { vehicle: V, amountKrw: 18_900_000 },
    ko: ["환불 완료", "2019 Hyundai Avante 구매 대금 ₩18,900,000 환불이 완료되었습니다."],
    en: ["Refund completed", "Your payment of ₩18,900,000 for the 2019 Hyundai Avante has been refunded."],
  },
  CONSIGNMENT_ASSIGNED: {
    params: { vehicle: V, driverName: "Jung Hyunwoo", etaIso: ETA },
    ko: [
      "배송 기사 배정",
      "Jung Hyunwoo 기사님이 2019 Hyundai Avante 배송을 맡았습니다. 도착 예정: 2026년 3월 1일 18:45.",
    ],
    en: [
      "Driver assigned",
      "Jung Hyunwoo will deliver your 2019 Hyundai Avante. Expected arrival: 1 March 2026, 18:45 KST.",
    ],
  },
  CONSIGNMENT_ASSIGNED_DRIVER: {
    params: { vehicle: V, etaIso: ETA },
    ko: ["배송 수락", "2019 Hyundai Avante 배송을 수락했습니다. 고객 도착 예정: 2026년 3월 1일 18:45."],
    en: [
      "Job accepted",
      "You accepted the delivery of the 2019 Hyundai Avante. Expected arrival at the buyer: 1 March 2026, 18:45 KST.",
    ],
  },
  CONSIGNMENT_PICKED_UP: {
    params: { vehicle: V, driverName: "Jung Hyunwoo" },
    ko: ["차량 출발", "Jung Hyunwoo 기사님이 2019 Hyundai Avante 차량을 인수해 출발했습니다."],
    en: ["Car picked up", "Jung Hyunwoo picked up your 2019 Hyundai Avante and is on the way."],
  },
  CONSIGNMENT_DELIVERED: {
    params: { vehicle: V },
    ko: ["차량 인도 완료", "2019 Hyundai Avante 차량 인도가 완료되었습니다."],
    en: ["Car handed over", "The driver handed your 2019 Hyundai Avante over to you."],
  },
  CONSIGNMENT_CANCELLED: {
    params: { vehicle: V, returnToLot: true },
    ko: ["배송 취소", "2019 Hyundai Avante 배송이 취소되었습니다. 이미 출발한 차량은 매장으로 돌아갑니다."],
    en: [
      "Delivery cancelled",
      "The delivery of your 2019 Hyundai Avante was cancelled. The car was already on the road and is being brought back to the lot.",
    ],
  },
  CONSIGNMENT_CANCELLED_DRIVER: {
    params: { vehicle: V, returnToLot: true },
    ko: ["배송 취소", "수락한 2019 Hyundai Avante 배송이 취소되었습니다. 차량을 매장으로 돌려주세요."],
    en: [
      "Job cancelled",
      "The delivery of the 2019 Hyundai Avante you accepted was cancelled. Please bring the car back to the lot.",
    ],
  },
  CONSIGNMENT_ESCALATED: {
    params: { vehicle: V },
    ko: [
      "기사 배정 지연",
      "아직 2019 Hyundai Avante 배송을 맡을 기사를 찾지 못했습니다. 담당 직원에게 알렸고 계속 기사를 찾고 있습니다.",
    ],
    en: [
      "Still looking for a driver",
      "No driver has taken the delivery of your 2019 Hyundai Avante yet. Our staff have been told, and we keep offering the job to drivers.",
    ],
  },
  CONSIGNMENT_ESCALATED_STAFF: {
    params: { vehicle: V, purchaseId: PURCHASE, waitingMinutes: 16, escalation: 2 },
    ko: [
      "기사 미배정 (2차)",
      "2019 Hyundai Avante 배송(구매 22222222)이 16분째 기사를 기다리고 있습니다. 기사들에게 다시 제안했습니다.",
    ],
    en: [
      "No driver yet (alert 2)",
      "The delivery of the 2019 Hyundai Avante (purchase 22222222) has waited 16 min for a driver. It has been offered to drivers again.",
    ],
  },
};

describe("message templates", () => {
  it("cover every kind", () => {
    expect(Object.keys(CASES).sort()).toEqual([...MESSAGE_KINDS].sort());
  });

  for (const kind of MESSAGE_KINDS) {
    for (const locale of ["ko", "en"] as const) {
      it(`${kind} in ${locale}`, () => {
        const c = CASES[kind];
        const [title, text] = c[locale];
        expect(render(kind, locale, c.params as never)).toEqual({ title, text });
      });
    }
  }

  it("read naturally when the car, the reason or the driver's name is unknown", () => {
    expect(render("PURCHASE_CANCELLED", "ko", { vehicle: null, reason: null }).text).toBe(
      "차량 구매가 취소되었습니다. 결제 금액은 환불됩니다.",
    );
    expect(render("PURCHASE_CANCELLED", "en", { vehicle: null, reason: null }).text).toBe(
      "Your purchase of the car was cancelled. Your payment will be refunded.",
    );
    expect(render("CONSIGNMENT_PICKED_UP", "ko", { vehicle: null, driverName: null }).text).toBe(
      "기사님이 차량을 인수해 출발했습니다.",
    );
    expect(render("CONSIGNMENT_PICKED_UP", "en", { vehicle: null, driverName: null }).text).toBe(
      "Your driver picked up your car and is on the way.",
    );
    expect(render("CONSIGNMENT_DELIVERED", "ko", { vehicle: null }).text).toBe("차량 인도가 완료되었습니다.");
    expect(render("CONSIGNMENT_CANCELLED", "en", { vehicle: null, returnToLot: false }).text).toBe(
      "The delivery of your car was cancelled.",
    );
    expect(render("CONSIGNMENT_CANCELLED_DRIVER", "ko", { vehicle: V, returnToLot: false }).text).toBe(
      "수락한 2019 Hyundai Avante 배송이 취소되었습니다. 차량을 인수하지 않아도 됩니다.",
    );
    expect(render("CONSIGNMENT_CANCELLED_DRIVER", "en", { vehicle: V, returnToLot: false }).text).toBe(
      "The delivery of the 2019 Hyundai Avante you accepted was cancelled. You do not need to pick the car up.",
    );
    for (const kind of MESSAGE_KINDS) {
      for (const locale of ["ko", "en"] as const) {
        const params = { ...CASES[kind].params, vehicle: null };
        const { title, text } = render(kind, locale, params as never);
        expect(`${title} ${text}`, `${kind}/${locale}`).not.toMatch(/null|undefined/);
      }
    }
  });
});

describe("formatting", () => {
  it("formats won with grouping and no decimals", () => {
    expect(formatKrw(18_900_000)).toBe("₩18,900,000");
    expect(formatKrw(999)).toBe("₩999");
    expect(formatKrw(1000)).toBe("₩1,000");
    expect(formatKrw(0)).toBe("₩0");
  });

  it("shows times in Asia/Seoul (UTC+9), across a date and a year boundary", () => {
    expect(formatSeoulTime("2026-12-31T15:30:00.000Z", "ko")).toBe("2027년 1월 1일 00:30");
    expect(formatSeoulTime("2026-12-31T15:30:00.000Z", "en")).toBe("1 January 2027, 00:30 KST");
    expect(formatSeoulTime("2026-07-04T00:05:00.000Z", "en")).toBe("4 July 2026, 09:05 KST");
  });

  it("falls back to Korean for an unknown locale", () => {
    expect(toLocale("en")).toBe("en");
    expect(toLocale("ko")).toBe("ko");
    expect(toLocale("fr")).toBe("ko");
    expect(toLocale(null)).toBe("ko");
  });

  it("email bodies end with a footer in the recipient's language", () => {
    expect(emailBody("ko", "본문")).toBe(
      "본문\n\n--\n이 알림은 중고 앱의 알림함에서도 볼 수 있습니다.\n중고 (Junggo)\n",
    );
    expect(emailBody("en", "Body")).toMatch(
      /^Body\n\n--\nYou can also find this notification in your Junggo inbox\./,
    );
  });
});
