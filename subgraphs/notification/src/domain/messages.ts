// Message texts in every language the product speaks, one template per kind of notification.
// Pure: the same kind, locale and parameters always give the same text (tests pin every one).

export const LOCALES = ["ko", "en"] as const;
export type Locale = (typeof LOCALES)[number];

/** The account's locale, or Korean (the product's default) for anything else, e.g. an unknown recipient. */
export const toLocale = (raw: string | null | undefined): Locale => (raw === "en" ? "en" : "ko");

/** A job that is not a purchase's delivery (those keep their CONSIGNMENT_* messages). */
export type OtherJob = "RETURN_PICKUP" | "SELLER_PICKUP" | "SELLER_RETURN";

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
  // Returns (buyer).
  PURCHASE_RETURN_REQUESTED: { vehicle: string | null };
  RETURN_PICKUP_ASSIGNED: { vehicle: string | null; driverName: string; etaIso: string };
  RETURN_PICKED_UP: { vehicle: string | null; driverName: string | null };
  PURCHASE_RETURNED: { vehicle: string | null; amountKrw: number };
  // Selling a car to the dealer (seller; staff for a new request).
  SELL_REQUEST_SUBMITTED_STAFF: { vehicle: string | null; offerKrw: number; sellRequestId: string };
  SELL_REQUEST_ACCEPTED: { vehicle: string | null; offerKrw: number };
  SELL_REQUEST_REJECTED: { vehicle: string | null; reason: string };
  SELL_REQUEST_PICKED_UP: { vehicle: string | null };
  SELL_REQUEST_IN_INSPECTION: { vehicle: string | null };
  SELL_REQUEST_LISTED: { vehicle: string | null };
  SELL_REQUEST_CANCELLED: {
    vehicle: string | null;
    reason: string | null;
    reversePayout: boolean;
    returnCar: boolean;
  };
  PAYOUT_REVERSED: { vehicle: string | null; amountKrw: number };
  SELLER_PICKUP_ASSIGNED: { vehicle: string | null; driverName: string; etaIso: string };
  SELLER_RETURN_ASSIGNED: { vehicle: string | null; driverName: string; etaIso: string };
  SELLER_RETURN_DELIVERED: { vehicle: string | null };
  // Drivers, staff and the customer about jobs other than deliveries.
  JOB_ASSIGNED_DRIVER: { vehicle: string | null; job: OtherJob; etaIso: string };
  JOB_CANCELLED_DRIVER: { vehicle: string | null; job: OtherJob; returnToLot: boolean };
  JOB_ESCALATED: { vehicle: string | null; job: OtherJob };
  JOB_ESCALATED_STAFF: {
    vehicle: string | null;
    job: OtherJob;
    /** The purchase (RETURN_PICKUP) or sell request (seller jobs) the job is for. */
    ownerId: string;
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
  "PURCHASE_RETURN_REQUESTED",
  "RETURN_PICKUP_ASSIGNED",
  "RETURN_PICKED_UP",
  "PURCHASE_RETURNED",
  "SELL_REQUEST_SUBMITTED_STAFF",
  "SELL_REQUEST_ACCEPTED",
  "SELL_REQUEST_REJECTED",
  "SELL_REQUEST_PICKED_UP",
  "SELL_REQUEST_IN_INSPECTION",
  "SELL_REQUEST_LISTED",
  "SELL_REQUEST_CANCELLED",
  "PAYOUT_REVERSED",
  "SELLER_PICKUP_ASSIGNED",
  "SELLER_RETURN_ASSIGNED",
  "SELLER_RETURN_DELIVERED",
  "JOB_ASSIGNED_DRIVER",
  "JOB_CANCELLED_DRIVER",
  "JOB_ESCALATED",
  "JOB_ESCALATED_STAFF",
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

const YourCar = (vehicle: string | null) => (vehicle ? `Your ${vehicle}` : "Your car");
const JOB_LABEL: Record<OtherJob, Record<Locale, string>> = {
  RETURN_PICKUP: { ko: "반품 인수", en: "return pickup" },
  SELLER_PICKUP: { ko: "매입 차량 인수", en: "seller pickup" },
  SELLER_RETURN: { ko: "판매자 차량 반환", en: "return to the seller" },
};
const ownerRef = (job: OtherJob, id: string, locale: Locale) =>
  job === "RETURN_PICKUP"
    ? locale === "ko"
      ? `구매 ${shortId(id)}`
      : `purchase ${shortId(id)}`
    : locale === "ko"
      ? `매입 ${shortId(id)}`
      : `sell request ${shortId(id)}`;

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
  PURCHASE_RETURN_REQUESTED: {
    ko: (p) => ({
      title: "반품 접수",
      text: `${ko(p.vehicle)} 반품 신청이 접수되었습니다. 기사님이 차량을 가지러 갑니다.`,
    }),
    en: (p) => ({
      title: "Return requested",
      text: `We received your return of ${the(p.vehicle)}. A driver will come to collect the car.`,
    }),
  },
  RETURN_PICKUP_ASSIGNED: {
    ko: (p) => ({
      title: "반품 기사 배정",
      text: `${p.driverName} 기사님이 ${ko(p.vehicle)} 반품 인수를 맡았습니다. 도착 예정: ${formatSeoulTime(p.etaIso, "ko")}.`,
    }),
    en: (p) => ({
      title: "Return driver assigned",
      text: `${p.driverName} will collect ${your(p.vehicle)} for the return. Expected arrival: ${formatSeoulTime(p.etaIso, "en")}.`,
    }),
  },
  RETURN_PICKED_UP: {
    ko: (p) => ({
      title: "반품 차량 인수",
      text: `${p.driverName ? `${p.driverName} 기사님` : "기사님"}이 반품할 ${koCar(p.vehicle)}을 인수해 매장으로 가고 있습니다.`,
    }),
    en: (p) => ({
      title: "Return picked up",
      text: `${p.driverName ?? "The driver"} collected ${your(p.vehicle)} and is taking it back to our lot.`,
    }),
  },
  PURCHASE_RETURNED: {
    ko: (p) => ({
      title: "반품 완료",
      text: `${ko(p.vehicle)} 반품이 완료되었습니다. 결제 금액 ${formatKrw(p.amountKrw)}을 환불합니다.`,
    }),
    en: (p) => ({
      title: "Return complete",
      text: `The return of ${the(p.vehicle)} is complete. Your payment of ${formatKrw(p.amountKrw)} is being refunded.`,
    }),
  },
  SELL_REQUEST_SUBMITTED_STAFF: {
    ko: (p) => ({
      title: `새 매입 신청: ${ko(p.vehicle)}`,
      text: `${ko(p.vehicle)} 매입 신청이 접수되었습니다 (매입 ${shortId(p.sellRequestId)}, 제시 금액 ${formatKrw(p.offerKrw)}). 승인 또는 거절해 주세요.`,
    }),
    en: (p) => ({
      title: `New sell request: ${p.vehicle ?? "a car"}`,
      text: `A seller asks us to buy ${the(p.vehicle)} at our offer of ${formatKrw(p.offerKrw)} (sell request ${shortId(p.sellRequestId)}). Please accept or reject it.`,
    }),
  },
  SELL_REQUEST_ACCEPTED: {
    ko: (p) => ({
      title: `매입 승인: ${ko(p.vehicle)}`,
      text: `${ko(p.vehicle)} 매입 신청이 승인되었습니다. 매입 대금 ${formatKrw(p.offerKrw)}을 지급합니다. 곧 기사님이 차량을 가지러 갑니다.`,
    }),
    en: (p) => ({
      title: `Sell request accepted: ${p.vehicle ?? "your car"}`,
      text: `We accepted your request to sell ${your(p.vehicle)}. We are paying you ${formatKrw(p.offerKrw)}, and a driver will come to pick the car up.`,
    }),
  },
  SELL_REQUEST_REJECTED: {
    ko: (p) => ({
      title: "매입 거절",
      text: `${ko(p.vehicle)} 매입 신청이 거절되었습니다 (사유: ${p.reason}).`,
    }),
    en: (p) => ({
      title: "Sell request rejected",
      text: `We cannot buy ${your(p.vehicle)}. Reason: ${p.reason}`,
    }),
  },
  SELL_REQUEST_PICKED_UP: {
    ko: (p) => ({
      title: "차량 인수",
      text: `기사님이 ${koCar(p.vehicle)}을 인수해 매장으로 가고 있습니다.`,
    }),
    en: (p) => ({
      title: "Car picked up",
      text: `The driver picked up ${your(p.vehicle)} and is bringing it to our lot.`,
    }),
  },
  SELL_REQUEST_IN_INSPECTION: {
    ko: (p) => ({ title: "점검 중", text: `${koCar(p.vehicle)}이 매장에 도착해 점검을 받고 있습니다.` }),
    en: (p) => ({
      title: "In inspection",
      text: `${YourCar(p.vehicle)} reached our lot and is being inspected.`,
    }),
  },
  SELL_REQUEST_LISTED: {
    ko: (p) => ({
      title: "판매 등록",
      text: `점검을 마친 ${koCar(p.vehicle)}이 판매 목록에 올라갔습니다. 중고에 차량을 판매해 주셔서 감사합니다.`,
    }),
    en: (p) => ({
      title: "Listed for sale",
      text: `${YourCar(p.vehicle)} passed its inspection and is now listed for sale. Thank you for selling to Junggo.`,
    }),
  },
  SELL_REQUEST_CANCELLED: {
    ko: (p) => ({
      title: "매입 취소",
      text: `${ko(p.vehicle)} 매입 신청이 취소되었습니다${p.reason ? ` (사유: ${p.reason})` : ""}.${p.reversePayout ? " 지급된 매입 대금은 회수됩니다." : ""}${p.returnCar ? " 기사님이 차량을 돌려드립니다." : ""}`,
    }),
    en: (p) => ({
      title: "Sell request cancelled",
      text: `Your sell request for ${the(p.vehicle)} was cancelled${p.reason ? ` (reason: ${p.reason})` : ""}.${p.reversePayout ? " The payout we made to you will be reversed." : ""}${p.returnCar ? " A driver will bring the car back to you." : ""}`,
    }),
  },
  PAYOUT_REVERSED: {
    ko: (p) => ({
      title: "매입 대금 회수",
      text: `취소된 ${ko(p.vehicle)} 매입 건의 매입 대금 ${formatKrw(p.amountKrw)}이 회수되었습니다.`,
    }),
    en: (p) => ({
      title: "Payout reversed",
      text: `The payout of ${formatKrw(p.amountKrw)} for ${the(p.vehicle)} was reversed because the sale was cancelled.`,
    }),
  },
  SELLER_PICKUP_ASSIGNED: {
    ko: (p) => ({
      title: "인수 기사 배정",
      text: `${p.driverName} 기사님이 ${ko(p.vehicle)} 인수를 맡았습니다. 도착 예정: ${formatSeoulTime(p.etaIso, "ko")}.`,
    }),
    en: (p) => ({
      title: "Pickup driver assigned",
      text: `${p.driverName} will pick up ${your(p.vehicle)}. Expected arrival: ${formatSeoulTime(p.etaIso, "en")}.`,
    }),
  },
  SELLER_RETURN_ASSIGNED: {
    ko: (p) => ({
      title: "반환 기사 배정",
      text: `${p.driverName} 기사님이 ${koCar(p.vehicle)}을 돌려드리러 갑니다. 도착 예정: ${formatSeoulTime(p.etaIso, "ko")}.`,
    }),
    en: (p) => ({
      title: "Return driver assigned",
      text: `${p.driverName} will bring ${your(p.vehicle)} back to you. Expected arrival: ${formatSeoulTime(p.etaIso, "en")}.`,
    }),
  },
  SELLER_RETURN_DELIVERED: {
    ko: (p) => ({ title: "차량 반환 완료", text: `${koCar(p.vehicle)}을 돌려드렸습니다.` }),
    en: (p) => ({ title: "Car returned to you", text: `The driver handed ${your(p.vehicle)} back to you.` }),
  },
  JOB_ASSIGNED_DRIVER: {
    ko: (p) => ({
      title: `${JOB_LABEL[p.job].ko} 수락`,
      text: `${ko(p.vehicle)} ${JOB_LABEL[p.job].ko} 건을 수락했습니다. 고객 도착 예정: ${formatSeoulTime(p.etaIso, "ko")}.`,
    }),
    en: (p) => ({
      title: "Job accepted",
      text: `You accepted the ${JOB_LABEL[p.job].en} of ${the(p.vehicle)}. Expected arrival at the customer: ${formatSeoulTime(p.etaIso, "en")}.`,
    }),
  },
  JOB_CANCELLED_DRIVER: {
    ko: (p) => ({
      title: `${JOB_LABEL[p.job].ko} 취소`,
      text: `수락한 ${ko(p.vehicle)} ${JOB_LABEL[p.job].ko} 건이 취소되었습니다.${p.returnToLot ? " 차량을 매장으로 돌려주세요." : " 차량을 인수하지 않아도 됩니다."}`,
    }),
    en: (p) => ({
      title: "Job cancelled",
      text: `The ${JOB_LABEL[p.job].en} of ${the(p.vehicle)} you accepted was cancelled.${p.returnToLot ? " Please bring the car back to the lot." : " You do not need to pick the car up."}`,
    }),
  },
  JOB_ESCALATED: {
    ko: (p) => ({
      title: "기사 배정 지연",
      text: `아직 ${ko(p.vehicle)} ${JOB_LABEL[p.job].ko} 건을 맡을 기사를 찾지 못했습니다. 담당 직원에게 알렸고 계속 기사를 찾고 있습니다.`,
    }),
    en: (p) => ({
      title: "Still looking for a driver",
      text: `No driver has taken the ${JOB_LABEL[p.job].en} of ${your(p.vehicle)} yet. Our staff have been told, and we keep offering the job to drivers.`,
    }),
  },
  JOB_ESCALATED_STAFF: {
    ko: (p) => ({
      title: `기사 미배정 (${p.escalation}차)`,
      text: `${ko(p.vehicle)} ${JOB_LABEL[p.job].ko} 건(${ownerRef(p.job, p.ownerId, "ko")})이 ${p.waitingMinutes}분째 기사를 기다리고 있습니다. 기사들에게 다시 제안했습니다.`,
    }),
    en: (p) => ({
      title: `No driver yet (alert ${p.escalation})`,
      text: `The ${JOB_LABEL[p.job].en} of ${the(p.vehicle)} (${ownerRef(p.job, p.ownerId, "en")}) has waited ${p.waitingMinutes} min for a driver. It has been offered to drivers again.`,
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
