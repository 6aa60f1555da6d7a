/**
 * What the dealer offers a seller, from the platform's own market data: the cars stock listed and
 * sold (acquisition keeps its own projection of them, built from stock's events).
 *
 *  1. Comparables: same make and model (case-insensitive), model year within ±2 of the seller's car;
 *     when fewer than MIN_COMPARABLES match, within ±4.
 *  2. Each comparable's price is brought to the seller's car: +YEAR_STEP per model year newer,
 *     −MILEAGE_STEP per 10,000 km more driven (the factor is clamped to [0.5, 1.5]).
 *  3. The market value is the median of those adjusted prices, times the condition factor
 *     (listings are assumed in GOOD condition).
 *  4. The offer is that value minus the dealer margin, rounded down to 10,000 KRW, never below
 *     MIN_OFFER_KRW.
 *  With no comparable at all, a stated fallback: a new-car reference price depreciated by
 *  FALLBACK_DEPRECIATION per year of age and by the same mileage step, then condition and margin.
 *
 * The comparables are chosen by make, model and year only, so the offer never rises with mileage
 * and never falls with a better condition.
 */

export type VehicleCondition = "EXCELLENT" | "GOOD" | "FAIR" | "POOR";

export interface CarToQuote {
  make: string;
  model: string;
  year: number;
  mileageKm: number;
  condition: VehicleCondition;
}

/** A car stock listed (LISTING) or sold (SALE), with its asking or selling price. */
export interface Comparable {
  make: string;
  model: string;
  year: number;
  mileageKm: number;
  priceKrw: number;
  kind: "LISTING" | "SALE";
}

export interface QuotePolicy {
  /** Share of the market value the dealer keeps, 0..1. */
  dealerMargin: number;
  /** Used when no comparable exists: what a new car of this kind is taken to cost. */
  fallbackNewPriceKrw: number;
  /** The year the fallback counts age from. */
  currentYear: number;
}

export interface Estimate {
  offerKrw: number;
  basis: string;
  comparableCount: number;
}

export const CONDITION_FACTOR: Record<VehicleCondition, number> = {
  EXCELLENT: 1.05,
  GOOD: 1,
  FAIR: 0.9,
  POOR: 0.75,
};
export const MIN_COMPARABLES = 3;
export const YEAR_STEP = 0.06;
export const MILEAGE_STEP = 0.02;
export const FALLBACK_DEPRECIATION = 0.12;
export const MIN_OFFER_KRW = 100_000;
const ROUND_TO = 10_000;

const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();
const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/** Factor bringing a price from a car of (year, km) to the quoted car. */
function adjustment(car: CarToQuote, from: { year: number; mileageKm: number }): number {
  const years = car.year - from.year;
  const tenThousandKm = (car.mileageKm - from.mileageKm) / 10_000;
  return clamp((1 + YEAR_STEP * years) * (1 - MILEAGE_STEP * tenThousandKm), 0.5, 1.5);
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function selectComparables(car: CarToQuote, market: readonly Comparable[]): Comparable[] {
  const sameModel = market.filter(
    (c) => same(c.make, car.make) && same(c.model, car.model) && c.priceKrw > 0,
  );
  const near = sameModel.filter((c) => Math.abs(c.year - car.year) <= 2);
  return near.length >= MIN_COMPARABLES ? near : sameModel.filter((c) => Math.abs(c.year - car.year) <= 4);
}

const krw = (n: number) => `${Math.round(n).toLocaleString("en-US")} KRW`;
const km = (n: number) => `${n.toLocaleString("en-US")} km`;
const pct = (x: number) => `${Math.round(x * 100)}%`;

function describeKinds(cs: readonly Comparable[]): string {
  const sales = cs.filter((c) => c.kind === "SALE").length;
  const listings = cs.length - sales;
  const parts = [
    listings ? `${listings} listing${listings > 1 ? "s" : ""}` : "",
    sales ? `${sales} sale${sales > 1 ? "s" : ""}` : "",
  ].filter(Boolean);
  return parts.join(" and ");
}

export function estimateOffer(car: CarToQuote, market: readonly Comparable[], policy: QuotePolicy): Estimate {
  const comparables = selectComparables(car, market);
  const condition = CONDITION_FACTOR[car.condition];
  const margin = clamp(policy.dealerMargin, 0, 0.9);
  let value: number;
  let how: string;
  if (comparables.length > 0) {
    value = median(comparables.map((c) => c.priceKrw * adjustment(car, c)));
    const years = comparables.map((c) => c.year);
    how =
      `median of ${comparables.length} comparable ${describeKinds(comparables)} ` +
      `(${car.make} ${car.model} ${Math.min(...years)}–${Math.max(...years)}), ` +
      `adjusted to ${car.year} and ${km(car.mileageKm)}: ${krw(value)}`;
  } else {
    const age = Math.max(0, policy.currentYear - car.year);
    value =
      policy.fallbackNewPriceKrw *
      (1 - FALLBACK_DEPRECIATION) ** age *
      clamp(1 - MILEAGE_STEP * (car.mileageKm / 10_000), 0.3, 1);
    how =
      `no comparable ${car.make} ${car.model} in our listings or sales: reference new price ` +
      `${krw(policy.fallbackNewPriceKrw)} less ${pct(FALLBACK_DEPRECIATION)} per year for ${age} ` +
      `year${age === 1 ? "" : "s"} and ${pct(MILEAGE_STEP)} per 10,000 km for ${km(car.mileageKm)}: ${krw(value)}`;
  }
  const raw = value * condition * (1 - margin);
  const offerKrw = Math.max(MIN_OFFER_KRW, Math.floor(raw / ROUND_TO) * ROUND_TO);
  const basis =
    `${how}; ${car.condition} condition ×${condition.toFixed(2)}; dealer margin ${pct(margin)}` +
    (offerKrw === MIN_OFFER_KRW && raw < MIN_OFFER_KRW
      ? `; raised to the minimum offer ${krw(MIN_OFFER_KRW)}`
      : "");
  return { offerKrw, basis, comparableCount: comparables.length };
}
