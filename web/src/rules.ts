// Pure rules the views apply before asking the API: which actions to offer, and the seller's quote
// form checked with the server's own limits (acquisition's parseQuoteInput), so most mistakes are
// shown next to their field without a round trip. The API stays the judge: its BAD_USER_INPUT and
// refusal codes are shown as well.
import type {
  ConsignmentKind,
  PurchaseStatus,
  QuoteInput,
  SellRequestStatus,
  VehicleCondition,
} from "./generated/operations.ts";

/** The server's limits (subgraphs/acquisition QUOTE_LIMITS, MAX_REASON; purchase MAX_RETURN_REASON). */
export const LIMITS = {
  nameMax: 40,
  firstYear: 1980,
  mileageMax: 2_000_000,
  reasonMax: 500,
  repairDescriptionMax: 1000,
  repairNotesMax: 2000,
} as const;

/** The product's return window: 3 days after delivery (PRODUCT.md; the server may be configured shorter). */
export const RETURN_WINDOW_MS = 3 * 86_400_000;

export const CONDITIONS: readonly VehicleCondition[] = ["EXCELLENT", "GOOD", "FAIR", "POOR"];

// ISO 3779: 17 letters and digits without I, O and Q (as packages/runtime parseVin).
const VIN = /^[A-HJ-NPR-Z0-9]{17}$/;

export interface QuoteForm {
  vin: string;
  make: string;
  model: string;
  year: string;
  mileageKm: string;
  condition: VehicleCondition | "";
}

export type QuoteField = keyof QuoteForm;

export const EMPTY_QUOTE_FORM: QuoteForm = {
  vin: "",
  make: "",
  model: "",
  year: "",
  mileageKm: "",
  condition: "",
};

const chars = (s: string) => [...s].length;
const wholeNumber = (s: string): number => {
  const t = s.replace(/[,\s_]/g, "");
  return t === "" || !/^-?\d+$/.test(t) ? Number.NaN : Number(t);
};

/** The form as the API's QuoteInput, or the message of every wrong field. */
export function validateQuoteForm(
  form: QuoteForm,
  now: Date = new Date(),
): { ok: true; input: QuoteInput } | { ok: false; errors: Partial<Record<QuoteField, string>> } {
  const errors: Partial<Record<QuoteField, string>> = {};
  const vin = form.vin.trim().toUpperCase();
  if (!VIN.test(vin)) errors.vin = "A VIN has exactly 17 letters and digits, without I, O or Q.";
  const make = form.make.trim();
  if (chars(make) < 1 || chars(make) > LIMITS.nameMax)
    errors.make = `The make must have 1 to ${LIMITS.nameMax} characters.`;
  const model = form.model.trim();
  if (chars(model) < 1 || chars(model) > LIMITS.nameMax)
    errors.model = `The model must have 1 to ${LIMITS.nameMax} characters.`;
  const lastYear = now.getUTCFullYear() + 1;
  const year = wholeNumber(form.year);
  if (!Number.isInteger(year) || year < LIMITS.firstYear || year > lastYear)
    errors.year = `The year must be a whole number from ${LIMITS.firstYear} to ${lastYear}.`;
  const mileageKm = wholeNumber(form.mileageKm);
  if (!Number.isInteger(mileageKm) || mileageKm < 0 || mileageKm > LIMITS.mileageMax)
    errors.mileageKm = `The mileage (km) must be a whole number from 0 to ${LIMITS.mileageMax.toLocaleString("en")}.`;
  if (!form.condition || !CONDITIONS.includes(form.condition))
    errors.condition = "Choose the car's condition.";
  if (Object.keys(errors).length > 0 || !form.condition) return { ok: false, errors };
  return { ok: true, input: { vin, make, model, year, mileageKm, condition: form.condition } };
}

/**
 * Required text of 1..max characters (trimmed): null when fine, else the message to show. Staff
 * must say why they reject an offer, a buyer why they return a car, staff what the workshop does.
 */
export function requiredReason(raw: string, max: number = LIMITS.reasonMax, what = "reason"): string | null {
  const r = raw.trim();
  if (r === "") return `Please give a ${what}.`;
  if (chars(r) > max) return `The ${what} must have at most ${max} characters.`;
  return null;
}

/** The seller may cancel until the car is on the road, and again once it reached the lot. */
const CANCELLABLE: ReadonlySet<SellRequestStatus> = new Set([
  "PENDING",
  "ACCEPTED",
  "IN_INSPECTION",
  "LISTED",
]);
export const canCancelSellRequest = (status: SellRequestStatus): boolean => CANCELLABLE.has(status);

/** What cancelling does at this step, in the seller's words. */
export function cancelConsequence(status: SellRequestStatus): string {
  switch (status) {
    case "PENDING":
      return "Your request is withdrawn.";
    case "ACCEPTED":
      return "The payout is reversed and the pickup is called off.";
    default:
      return "The payout is reversed and a driver brings your car back (not possible once a buyer holds it).";
  }
}

/** The moment the return window of a delivered car closes (null when it was not delivered). */
export function returnClosesAt(
  deliveredAt: string | null | undefined,
  windowMs = RETURN_WINDOW_MS,
): Date | null {
  if (!deliveredAt) return null;
  const t = Date.parse(deliveredAt);
  return Number.isNaN(t) ? null : new Date(t + windowMs);
}

/** A "Return" button is offered on a DELIVERED purchase until its window closes. */
export function canReturn(
  p: { status: PurchaseStatus; deliveredAt: string | null },
  now: number = Date.now(),
  windowMs = RETURN_WINDOW_MS,
): boolean {
  const closes = returnClosesAt(p.deliveredAt, windowMs);
  return p.status === "DELIVERED" && closes !== null && now <= closes.getTime();
}

/**
 * What a driver's job is, whom the driver meets (the ETA is the arrival there) and where the car
 * goes at its end.
 */
export const JOB_KINDS: Record<ConsignmentKind, { label: string; meets: string; destination: string }> = {
  DELIVERY: { label: "Delivery to a buyer", meets: "buyer", destination: "buyer" },
  RETURN_PICKUP: { label: "Return: from the buyer to the lot", meets: "buyer", destination: "lot" },
  SELLER_PICKUP: { label: "Pickup: from a seller to the lot", meets: "seller", destination: "lot" },
  SELLER_RETURN: { label: "Back to the seller", meets: "seller", destination: "seller" },
};

/** The seller's progress bar: the index of the current step, or null for a closed request. */
export const SELL_STEPS = ["Requested", "Accepted & paid", "Picked up", "Inspection", "Listed"] as const;
export function sellStep(status: SellRequestStatus): number | null {
  const i = ["PENDING", "ACCEPTED", "PICKED_UP", "IN_INSPECTION", "LISTED"].indexOf(status);
  return i < 0 ? null : i;
}
