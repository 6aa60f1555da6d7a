// Message texts in every language the product speaks, one template per kind of notification.
// Pure: the same kind, locale and parameters always give the same text (tests pin every one).

export const LOCALES = ["ko", "en"] as const;
export type Locale = (typeof LOCALES)[number];

/** The account's locale, or Korean (the product's default) for anything else, e.g. an unknown recipient. */
export const toLocale = (raw: string | null | undefined): Locale => (raw === "en" ? "en" : "ko");

/** What each kind of message needs. `vehicle` is null when the notification context never saw the purchase. */
export interface MessageParams {
  PURCHASE_PAID: { vehicle: string | null; priceKrw: number };
  PAYMENT_APPROVED: { vehicle: string | null; amountKrw: number };
  PURCHASE_DELIVERY_STARTED: { vehicle: string | null };
  PURCHASE_DELIVERED: { vehicle: string | null };
  PURCHASE_CANCELLED: { vehicle: string | null; reason: string | null };
  PAYMENT_REFUNDED: { vehicle: string | null; amountKrw: number };
  CONSIGNMENT_ASSIGNED: { vehicle: string | null; driverName: string; etaIso: string };
  CONSIGNMENT_ASSIGNED_DRIVER: { vehicle: string | null; etaIso: string };
  CONSIGNMENT_PICKED_UP: { vehicle: string | null; driverName: string | null };
  CONSIGNMENT_DELIVERED: { vehicle: string | null };
  CONSIGNMENT_CANCELLED: { vehicle: string | null; returnToLot: boolean };
  CONSIGNMENT_CANCELLED_DRIVER: { vehicle: string | null; returnToLot: boolean };
  CONSIGNMENT_ESCALATED: { vehicle: string | null };
  CONSIGNMENT_ESCALATED_STAFF: {
    vehicle: string | null;
    purchaseId: string;
    waitingMinutes: number;
    escalation: number;
  };
}
export type MessageKind = keyof MessageParams;
export const MESSAGE_KINDS = [
  "PURCHASE_PAID",
  "PAYMENT_APPROVED",
  "PURCHASE_DELIVERY_STARTED",
  "PURCHASE_DELIVERED",
  "PURCHASE_CANCELLED",
  "PAYMENT_REFUNDED",
  "CONSIGNMENT_ASSIGNED",
  "CONSIGNMENT_ASSIGNED_DRIVER",
  "CONSIGNMENT_PICKED_UP",
  "CONSIGNMENT_DELIVERED",
  "CONSIGNMENT_CANCELLED",
  "CONSIGNMENT_CANCELLED_DRIVER",
  "CONSIGNMENT_ESCALATED",
  "CONSIGNMENT_ESCALATED_STAFF",
] as const satisfies readonly MessageKind[];

/** A rendered message: `title` is the email subject, `text` the in-app message and the email body. */
export interface Rendered {
  title: string;
  text: string;
}

/** "₩18,900,000": won have no minor unit; grouping fixed so the text never depends on the host's ICU data. */
export function formatKrw(amount: number): string {
  const digits = Math.abs(Math.round(amount))
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${amount < 0 ? "-" : ""}₩${digits}`;
}

const MONTHS_EN = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
const KST_OFFSET_MS = 9 * 60 * 60_000; // Asia/Seoul has no daylight saving time

/** A moment as people in Korea read it: "2026년 3월 1일 18:45" / "1 March 2026, 18:45 KST". */
export function formatSeoulTime(iso: string, locale: Locale): string {
  const t = new Date(Date.parse(iso) + KST_OFFSET_MS);
  const [y, m, d, hh, mm] = [
    t.getUTCFullYear(),
    t.getUTCMonth(),
    t.getUTCDate(),
    t.getUTCHours(),
    t.getUTCMinutes(),
  ];
  const time = `${String(hh).padStart(2, "0")}:${String(mm).padStart(2, "0")}`;
  return locale === "ko" ? `${y}년 ${m + 1}월 ${d}일 ${time}` : `${d} ${MONTHS_EN[m]} ${y}, ${time} KST`;
}

const shortId = (id: string) => id.slice(0, 8);
const ko = (vehicle: string | null) => vehicle ?? "차량";
const koCar = (vehicle: string | null) => (vehicle ? `${vehicle} 차량` : "차량");
const the = (vehicle: string | null) => (vehicle ? `the ${vehicle}` : "the car");
const your = (vehicle: string | null) => (vehicle ? `your ${vehicle}` : "your car");

type Templates = { [K in MessageKind]: Record<Locale, (p: MessageParams[K]) => Rendered> };

const TEMPLATES: Templates = {
  PURCHASE_PAID: {
    ko: (p) => ({
      title: `구매 완료: ${ko(p.vehicle)}`,
      text: `${ko(p.vehicle)} 구매가 완료되었습니다. 결제 금액은 ${formatKrw(p.priceKrw)}입니다. 배송 기사를 배정하고 있습니다.`,
    }),
    en: (p) => ({
      title: `Purchase confirmed: ${p.vehicle ?? "your car"}`,
      text: `Your purchase of ${the(p.vehicle)} is confirmed. You paid ${formatKrw(p.priceKrw)}. We are finding a driver to deliver it.`,
    }),
  },
  PAYMENT_APPROVED: {
    ko: (p) => ({
      title: "결제 승인",
      text: `${ko(p.vehicle)} 구매 대금 ${formatKrw(p.amountKrw)} 결제가 승인되었습니다.`,
    }),
    en: (p) => ({
      title: "Payment approved",
      text: `Your payment of ${formatKrw(p.amountKrw)} for ${the(p.vehicle)} was approved.`,
    }),
  },
  PURCHASE_DELIVERY_STARTED: {
    ko: (p) => ({ title: "배송 중", text: `${ko(p.vehicle)} 구매 건이 배송 중 상태가 되었습니다.` }),
    en: (p) => ({
      title: "Out for delivery",
      text: `Your purchase of ${the(p.vehicle)} is now out for delivery.`,
    }),
  },
  PURCHASE_DELIVERED: {
    ko: (p) => ({
      title: "구매 완료",
      text: `${ko(p.vehicle)} 구매 절차가 모두 끝났습니다. 중고를 이용해 주셔서 감사합니다.`,
    }),
    en: (p) => ({
      title: "Purchase complete",
      text: `Your purchase of ${the(p.vehicle)} is complete. Thank you for buying with Junggo.`,
    }),
  },
  PURCHASE_CANCELLED: {
    ko: (p) => ({
      title: "구매 취소",
      text: `${ko(p.vehicle)} 구매가 취소되었습니다${p.reason ? ` (사유: ${p.reason})` : ""}. 결제 금액은 환불됩니다.`,
    }),
    en: (p) => ({
      title: "Purchase cancelled",
      text: `Your purchase of ${the(p.vehicle)} was cancelled${p.reason ? ` (reason: ${p.reason})` : ""}. Your payment will be refunded.`,
    }),
  },
  PAYMENT_REFUNDED: {
    ko: (p) => ({
      title: "환불 완료",
      text: `${ko(p.vehicle)} 구매 대금 ${formatKrw(p.amountKrw)} 환불이 완료되었습니다.`,
    }),
    en: (p) => ({
      title: "Refund completed",
      text: `Your payment of ${formatKrw(p.amountKrw)} for ${the(p.vehicle)} has been refunded.`,
    }),
  },
  CONSIGNMENT_ASSIGNED: {
    ko: (p) => ({
      title: "배송 기사 배정",
      text: `${p.driverName} 기사님이 ${ko(p.vehicle)} 배송을 맡았습니다. 도착 예정: ${formatSeoulTime(p.etaIso, "ko")}.`,
    }),
    en: (p) => ({
      title: "Driver assigned",
      text: `${p.driverName} will deliver ${your(p.vehicle)}. Expected arrival: ${formatSeoulTime(p.etaIso, "en")}.`,
    }),
  },
  CONSIGNMENT_ASSIGNED_DRIVER: {
    ko: (p) => ({
      title: "배송 수락",
      text: `${ko(p.vehicle)} 배송을 수락했습니다. 고객 도착 예정: ${formatSeoulTime(p.etaIso, "ko")}.`,
    }),
    en: (p) => ({
      title: "Job accepted",
      text: `You accepted the delivery of ${the(p.vehicle)}. Expected arrival at the buyer: ${formatSeoulTime(p.etaIso, "en")}.`,
    }),
  },
  CONSIGNMENT_PICKED_UP: {
    ko: (p) => ({
      title: "차량 출발",
      text: `${p.driverName ? `${p.driverName} 기사님` : "기사님"}이 ${koCar(p.vehicle)}을 인수해 출발했습니다.`,
    }),
    en: (p) => ({
      title: "Car picked up",
      text: `${p.driverName ?? "Your driver"} picked up ${your(p.vehicle)} and is on the way.`,
    }),
  },
  CONSIGNMENT_DELIVERED: {
    ko: (p) => ({ title: "차량 인도 완료", text: `${koCar(p.vehicle)} 인도가 완료되었습니다.` }),
    en: (p) => ({ title: "Car handed over", text: `The driver handed ${your(p.vehicle)} over to you.` }),
  },
  CONSIGNMENT_CANCELLED: {
    ko: (p) => ({
      title: "배송 취소",
      text: `${ko(p.vehicle)} 배송이 취소되었습니다.${p.returnToLot ? " 이미 출발한 차량은 매장으로 돌아갑니다." : ""}`,
    }),
    en: (p) => ({
      title: "Delivery cancelled",
      text: `The delivery of ${your(p.vehicle)} was cancelled.${p.returnToLot ? " The car was already on the road and is being brought back to the lot." : ""}`,
    }),
  },
  CONSIGNMENT_CANCELLED_DRIVER: {
    ko: (p) => ({
      title: "배송 취소",
      text: `수락한 ${ko(p.vehicle)} 배송이 취소되었습니다.${p.returnToLot ? " 차량을 매장으로 돌려주세요." : " 차량을 인수하지 않아도 됩니다."}`,
    }),
    en: (p) => ({
      title: "Job cancelled",
      text: `The delivery of ${the(p.vehicle)} you accepted was cancelled.${p.returnToLot ? " Please bring the car back to the lot." : " You do not need to pick the car up."}`,
    }),
  },
  CONSIGNMENT_ESCALATED: {
    ko: (p) => ({
      title: "기사 배정 지연",
      text: `아직 ${ko(p.vehicle)} 배송을 맡을 기사를 찾지 못했습니다. 담당 직원에게 알렸고 계속 기사를 찾고 있습니다.`,
    }),
    en: (p) => ({
      title: "Still looking for a driver",
      text: `No driver has taken the delivery of ${your(p.vehicle)} yet. Our staff have been told, and we keep offering the job to drivers.`,
    }),
  },
  CONSIGNMENT_ESCALATED_STAFF: {
    ko: (p) => ({
      title: `기사 미배정 (${p.escalation}차)`,
      text: `${ko(p.vehicle)} 배송(구매 ${shortId(p.purchaseId)})이 ${p.waitingMinutes}분째 기사를 기다리고 있습니다. 기사들에게 다시 제안했습니다.`,
    }),
    en: (p) => ({
      title: `No driver yet (alert ${p.escalation})`,
      text: `The delivery of ${the(p.vehicle)} (purchase ${shortId(p.purchaseId)}) has waited ${p.waitingMinutes} min for a driver. It has been offered to drivers again.`,
    }),
  },
};

export function render<K extends MessageKind>(kind: K, locale: Locale, params: MessageParams[K]): Rendered {
  return TEMPLATES[kind][locale](params);
}

const EMAIL_FOOTER: Record<Locale, string> = {
  ko: "이 알림은 중고 앱의 알림함에서도 볼 수 있습니다.\n중고 (Junggo)",
  en: "You can also find this notification in your Junggo inbox.\nJunggo",
};

/** The plain-text email body for a message. */
export const emailBody = (locale: Locale, text: string) => `${text}\n\n--\n${EMAIL_FOOTER[locale]}\n`;
