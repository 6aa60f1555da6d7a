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
const SELL_REQUEST = "abcdef12-2222-4222-8222-222222222222";

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
  PURCHASE_RETURN_REQUESTED: {
    params: { vehicle: V },
    ko: ["반품 접수", "2019 Hyundai Avante 반품 신청이 접수되었습니다. 기사님이 차량을 가지러 갑니다."],
    en: [
      "Return requested",
      "We received your return of the 2019 Hyundai Avante. A driver will come to collect the car.",
    ],
  },
  RETURN_PICKUP_ASSIGNED: {
    params: { vehicle: V, driverName: "Jung Hyunwoo", etaIso: ETA },
    ko: [
      "반품 기사 배정",
      "Jung Hyunwoo 기사님이 2019 Hyundai Avante 반품 인수를 맡았습니다. 도착 예정: 2026년 3월 1일 18:45.",
    ],
    en: [
      "Return driver assigned",
      "Jung Hyunwoo will collect your 2019 Hyundai Avante for the return. Expected arrival: 1 March 2026, 18:45 KST.",
    ],
  },
  RETURN_PICKED_UP: {
    params: { vehicle: V, driverName: "Jung Hyunwoo" },
    ko: [
      "반품 차량 인수",
      "Jung Hyunwoo 기사님이 반품할 2019 Hyundai Avante 차량을 인수해 매장으로 가고 있습니다.",
    ],
    en: [
      "Return picked up",
      "Jung Hyunwoo collected your 2019 Hyundai Avante and is taking it back to our lot.",
    ],
  },
  PURCHASE_RETURNED: {
    params: { vehicle: V, amountKrw: 18_900_000 },
    ko: ["반품 완료", "2019 Hyundai Avante 반품이 완료되었습니다. 결제 금액 ₩18,900,000을 환불합니다."],
    en: [
      "Return complete",
      "The return of the 2019 Hyundai Avante is complete. Your payment of ₩18,900,000 is being refunded.",
    ],
  },
  SELL_REQUEST_SUBMITTED_STAFF: {
    params: { vehicle: V, offerKrw: 12_400_000, sellRequestId: SELL_REQUEST },
    ko: [
      "새 매입 신청: 2019 Hyundai Avante",
      "2019 Hyundai Avante 매입 신청이 접수되었습니다 (매입 abcdef12, 제시 금액 ₩12,400,000). 승인 또는 거절해 주세요.",
    ],
    en: [
      "New sell request: 2019 Hyundai Avante",
      "A seller asks us to buy the 2019 Hyundai Avante at our offer of ₩12,400,000 (sell request abcdef12). Please accept or reject it.",
    ],
  },
  SELL_REQUEST_ACCEPTED: {
    params: { vehicle: V, offerKrw: 12_400_000 },
    ko: [
      "매입 승인: 2019 Hyundai Avante",
      "2019 Hyundai Avante 매입 신청이 승인되었습니다. 매입 대금 ₩12,400,000을 지급합니다. 곧 기사님이 차량을 가지러 갑니다.",
    ],
    en: [
      "Sell request accepted: 2019 Hyundai Avante",
      "We accepted your request to sell your 2019 Hyundai Avante. We are paying you ₩12,400,000, and a driver will come to pick the car up.",
    ],
  },
  SELL_REQUEST_REJECTED: {
    params: { vehicle: V, reason: "salvage title" },
    ko: ["매입 거절", "2019 Hyundai Avante 매입 신청이 거절되었습니다 (사유: salvage title)."],
    en: ["Sell request rejected", "We cannot buy your 2019 Hyundai Avante. Reason: salvage title"],
  },
  SELL_REQUEST_PICKED_UP: {
    params: { vehicle: V },
    ko: ["차량 인수", "기사님이 2019 Hyundai Avante 차량을 인수해 매장으로 가고 있습니다."],
    en: ["Car picked up", "The driver picked up your 2019 Hyundai Avante and is bringing it to our lot."],
  },
  SELL_REQUEST_IN_INSPECTION: {
    params: { vehicle: V },
    ko: ["점검 중", "2019 Hyundai Avante 차량이 매장에 도착해 점검을 받고 있습니다."],
    en: ["In inspection", "Your 2019 Hyundai Avante reached our lot and is being inspected."],
  },
  SELL_REQUEST_LISTED: {
    params: { vehicle: V },
    ko: [
      "판매 등록",
      "점검을 마친 2019 Hyundai Avante 차량이 판매 목록에 올라갔습니다. 중고에 차량을 판매해 주셔서 감사합니다.",
    ],
    en: [
      "Listed for sale",
      "Your 2019 Hyundai Avante passed its inspection and is now listed for sale. Thank you for selling to Junggo.",
    ],
  },
  SELL_REQUEST_CANCELLED: {
    params: { vehicle: V, reason: "sold it elsewhere", reversePayout: true, returnCar: true },
    ko: [
      "매입 취소",
      "2019 Hyundai Avante 매입 신청이 취소되었습니다 (사유: sold it elsewhere). 지급된 매입 대금은 회수됩니다. 기사님이 차량을 돌려드립니다.",
    ],
    en: [
      "Sell request cancelled",
      "Your sell request for the 2019 Hyundai Avante was cancelled (reason: sold it elsewhere). The payout we made to you will be reversed. A driver will bring the car back to you.",
    ],
  },
  PAYOUT_REVERSED: {
    params: { vehicle: V, amountKrw: 12_400_000 },
    ko: ["매입 대금 회수", "취소된 2019 Hyundai Avante 매입 건의 매입 대금 ₩12,400,000이 회수되었습니다."],
    en: [
      "Payout reversed",
      "The payout of ₩12,400,000 for the 2019 Hyundai Avante was reversed because the sale was cancelled.",
    ],
  },
  SELLER_PICKUP_ASSIGNED: {
    params: { vehicle: V, driverName: "Jung Hyunwoo", etaIso: ETA },
    ko: [
      "인수 기사 배정",
      "Jung Hyunwoo 기사님이 2019 Hyundai Avante 인수를 맡았습니다. 도착 예정: 2026년 3월 1일 18:45.",
    ],
    en: [
      "Pickup driver assigned",
      "Jung Hyunwoo will pick up your 2019 Hyundai Avante. Expected arrival: 1 March 2026, 18:45 KST.",
    ],
  },
  SELLER_RETURN_ASSIGNED: {
    params: { vehicle: V, driverName: "Jung Hyunwoo", etaIso: ETA },
    ko: [
      "반환 기사 배정",
      "Jung Hyunwoo 기사님이 2019 Hyundai Avante 차량을 돌려드리러 갑니다. 도착 예정: 2026년 3월 1일 18:45.",
    ],
    en: [
      "Return driver assigned",
      "Jung Hyunwoo will bring your 2019 Hyundai Avante back to you. Expected arrival: 1 March 2026, 18:45 KST.",
    ],
  },
  SELLER_RETURN_DELIVERED: {
    params: { vehicle: V },
    ko: ["차량 반환 완료", "2019 Hyundai Avante 차량을 돌려드렸습니다."],
    en: ["Car returned to you", "The driver handed your 2019 Hyundai Avante back to you."],
  },
  JOB_ASSIGNED_DRIVER: {
    params: { vehicle: V, job: "SELLER_PICKUP", etaIso: ETA },
    ko: [
      "매입 차량 인수 수락",
      "2019 Hyundai Avante 매입 차량 인수 건을 수락했습니다. 고객 도착 예정: 2026년 3월 1일 18:45.",
    ],
    en: [
      "Job accepted",
      "You accepted the seller pickup of the 2019 Hyundai Avante. Expected arrival at the customer: 1 March 2026, 18:45 KST.",
    ],
  },
  JOB_CANCELLED_DRIVER: {
    params: { vehicle: V, job: "SELLER_RETURN", returnToLot: true },
    ko: [
      "판매자 차량 반환 취소",
      "수락한 2019 Hyundai Avante 판매자 차량 반환 건이 취소되었습니다. 차량을 매장으로 돌려주세요.",
    ],
    en: [
      "Job cancelled",
      "The return to the seller of the 2019 Hyundai Avante you accepted was cancelled. Please bring the car back to the lot.",
    ],
  },
  JOB_ESCALATED: {
    params: { vehicle: V, job: "RETURN_PICKUP" },
    ko: [
      "기사 배정 지연",
      "아직 2019 Hyundai Avante 반품 인수 건을 맡을 기사를 찾지 못했습니다. 담당 직원에게 알렸고 계속 기사를 찾고 있습니다.",
    ],
    en: [
      "Still looking for a driver",
      "No driver has taken the return pickup of your 2019 Hyundai Avante yet. Our staff have been told, and we keep offering the job to drivers.",
    ],
  },
  JOB_ESCALATED_STAFF: {
    params: { vehicle: V, job: "SELLER_PICKUP", ownerId: SELL_REQUEST, waitingMinutes: 16, escalation: 2 },
    ko: [
      "기사 미배정 (2차)",
      "2019 Hyundai Avante 매입 차량 인수 건(매입 abcdef12)이 16분째 기사를 기다리고 있습니다. 기사들에게 다시 제안했습니다.",
    ],
    en: [
      "No driver yet (alert 2)",
      "The seller pickup of the 2019 Hyundai Avante (sell request abcdef12) has waited 16 min for a driver. It has been offered to drivers again.",
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
