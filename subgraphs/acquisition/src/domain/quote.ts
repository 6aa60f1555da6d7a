import { DomainError, intBetween, parseVin, requiredText } from "@junggo/runtime";
import { CONDITION_FACTOR, type Estimate, type VehicleCondition } from "./quote-estimator.ts";

/** A priced offer for one seller's car, valid QUOTE_VALIDITY_DAYS. Immutable once made. */
export interface Quote {
  id: string;
  sellerId: string;
  vin: string;
  make: string;
  model: string;
  year: number;
  mileageKm: number;
  condition: VehicleCondition;
  offerKrw: number;
  basis: string;
  comparableCount: number;
  createdAt: Date;
  validUntil: Date;
}

export interface QuoteInput {
  vin: string;
  make: string;
  model: string;
  year: number;
  mileageKm: number;
  condition: string;
}

export const QUOTE_VALIDITY_DAYS = 7;
export const QUOTE_LIMITS = { nameMax: 40, firstYear: 1980, mileageMax: 2_000_000 } as const;
const DAY_MS = 86_400_000;

/** Validates the seller's description of the car; BAD_USER_INPUT naming the first wrong field. */
export function parseQuoteInput(
  input: QuoteInput,
  now: Date,
): Omit<Quote, keyof Estimate | "id" | "sellerId" | "createdAt" | "validUntil"> {
  if (!(input.condition in CONDITION_FACTOR))
    throw new DomainError("BAD_USER_INPUT", "The condition must be EXCELLENT, GOOD, FAIR or POOR.", {
      field: "condition",
    });
  return {
    vin: parseVin(input.vin),
    make: requiredText("make", input.make, QUOTE_LIMITS.nameMax),
    model: requiredText("model", input.model, QUOTE_LIMITS.nameMax),
    year: intBetween("year", input.year, QUOTE_LIMITS.firstYear, now.getUTCFullYear() + 1, "year", false),
    mileageKm: intBetween("mileageKm", input.mileageKm, 0, QUOTE_LIMITS.mileageMax, "mileage (km)"),
    condition: input.condition as VehicleCondition,
  };
}

export function makeQuote(
  id: string,
  sellerId: string,
  car: ReturnType<typeof parseQuoteInput>,
  estimate: Estimate,
  now: Date,
): Quote {
  return {
    id,
    sellerId,
    ...car,
    ...estimate,
    createdAt: now,
    validUntil: new Date(now.getTime() + QUOTE_VALIDITY_DAYS * DAY_MS),
  };
}

/** QUOTE_EXPIRED once its validity ended: the seller asks for a fresh quote. */
export function assertQuoteValid(q: Quote, now: Date): void {
  if (now.getTime() > q.validUntil.getTime())
    throw new DomainError(
      "QUOTE_EXPIRED",
      `This quote expired on ${q.validUntil.toISOString().slice(0, 10)}; request a new quote.`,
      { quoteId: q.id, validUntil: q.validUntil.toISOString() },
    );
}
