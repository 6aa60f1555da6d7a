import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type CarToQuote,
  type Comparable,
  estimateOffer,
  MIN_OFFER_KRW,
  median,
  type QuotePolicy,
  selectComparables,
  type VehicleCondition,
} from "../src/domain/quote-estimator.ts";

const policy: QuotePolicy = { dealerMargin: 0.12, fallbackNewPriceKrw: 35_000_000, currentYear: 2026 };
const sonata = (year: number, mileageKm: number, priceKrw: number, kind: Comparable["kind"] = "LISTING") => ({
  make: "Hyundai",
  model: "Sonata",
  year,
  mileageKm,
  priceKrw,
  kind,
});
// A fixed market: five Sonatas near 2021, one far older, one other model.
const MARKET: Comparable[] = [
  sonata(2020, 60_000, 19_000_000),
  sonata(2021, 50_000, 21_000_000, "SALE"),
  sonata(2021, 40_000, 22_000_000),
  sonata(2022, 30_000, 24_500_000, "SALE"),
  sonata(2023, 20_000, 27_000_000),
  sonata(2012, 180_000, 4_000_000),
  { make: "Kia", model: "K5", year: 2021, mileageKm: 50_000, priceKrw: 20_000_000, kind: "LISTING" },
];
const car: CarToQuote = {
  make: "hyundai",
  model: " SONATA",
  year: 2021,
  mileageKm: 52_000,
  condition: "GOOD",
};
const CONDITIONS: VehicleCondition[] = ["POOR", "FAIR", "GOOD", "EXCELLENT"];

describe("quote estimator", () => {
  it("uses same make and model within ±2 years, ignoring case and spaces", () => {
    const chosen = selectComparables(car, MARKET);
    expect(chosen.map((c) => c.year).sort()).toEqual([2020, 2021, 2021, 2022, 2023]);
  });

  it("widens to ±4 years when fewer than three cars are close", () => {
    const sparse = [sonata(2017, 90_000, 12_000_000), sonata(2025, 10_000, 30_000_000), sonata(2010, 1, 1)];
    expect(selectComparables(car, sparse).map((c) => c.year)).toEqual([2017, 2025]);
  });

  it("computes the median of adjusted prices, condition, and the dealer margin, and says so", () => {
    const e = estimateOffer(car, MARKET, policy);
    // Adjusted to 2021 / 52,000 km: 2020: 19.0M×1.06×0.984; 2021: 21.0M×0.996; 2021: 22.0M×0.976;
    // 2022: 24.5M×0.94×0.956; 2023: 27.0M×0.88×0.936 → median 21,476,000 (22.0M×0.976).
    expect(e.comparableCount).toBe(5);
    expect(e.offerKrw).toBe(Math.floor((22_000_000 * 0.976 * 0.88) / 10_000) * 10_000);
    expect(e.offerKrw).toBe(18_890_000);
    expect(e.basis).toContain("median of 5 comparable 3 listings and 2 sales (hyundai  SONATA 2020–2023)");
    expect(e.basis).toContain("52,000 km");
    expect(e.basis).toContain("GOOD condition ×1.00");
    expect(e.basis).toContain("dealer margin 12%");
  });

  it("falls back to a stated depreciation estimate with no comparables: never zero, never a crash", () => {
    const e = estimateOffer(
      { ...car, make: "Lada", model: "Niva", year: 2016, mileageKm: 100_000 },
      MARKET,
      policy,
    );
    expect(e.comparableCount).toBe(0);
    // 35M × 0.88^10 × (1 − 0.2) × GOOD 1.0 × (1 − 0.12)
    expect(e.offerKrw).toBe(Math.floor((35_000_000 * 0.88 ** 10 * 0.8 * 0.88) / 10_000) * 10_000);
    expect(e.basis).toMatch(
      /^no comparable Lada Niva in our listings or sales: reference new price 35,000,000 KRW/,
    );
    const ancient = estimateOffer({ ...car, make: "Lada", year: 1980, mileageKm: 2_000_000 }, [], policy);
    expect(ancient.offerKrw).toBe(MIN_OFFER_KRW);
    expect(ancient.basis).toContain("raised to the minimum offer 100,000 KRW");
  });

  const arbCar = fc.record({
    make: fc.constantFrom("Hyundai", "Lada"),
    model: fc.constant("Sonata"),
    year: fc.integer({ min: 1980, max: 2027 }),
    mileageKm: fc.integer({ min: 0, max: 2_000_000 }),
    condition: fc.constantFrom(...CONDITIONS),
  });
  const arbMarket = fc.array(
    fc.record({
      make: fc.constant("Hyundai"),
      model: fc.constant("Sonata"),
      year: fc.integer({ min: 1980, max: 2027 }),
      mileageKm: fc.integer({ min: 0, max: 400_000 }),
      priceKrw: fc.integer({ min: 100_000, max: 200_000_000 }),
      kind: fc.constantFrom<Comparable["kind"]>("LISTING", "SALE"),
    }),
    { maxLength: 12 },
  );

  it("never offers more for more mileage", () => {
    fc.assert(
      fc.property(arbCar, arbMarket, fc.integer({ min: 0, max: 500_000 }), (c, market, extra) => {
        const more = { ...c, mileageKm: Math.min(2_000_000, c.mileageKm + extra) };
        expect(estimateOffer(more, market, policy).offerKrw).toBeLessThanOrEqual(
          estimateOffer(c, market, policy).offerKrw,
        );
      }),
    );
  });

  it("never offers less for a better condition, and always at least the minimum", () => {
    fc.assert(
      fc.property(arbCar, arbMarket, (c, market) => {
        const offers = CONDITIONS.map(
          (condition) => estimateOffer({ ...c, condition }, market, policy).offerKrw,
        );
        for (let i = 1; i < offers.length; i++) expect(offers[i]).toBeGreaterThanOrEqual(offers[i - 1]!);
        for (const o of offers) {
          expect(o).toBeGreaterThanOrEqual(MIN_OFFER_KRW);
          expect(o % 10_000).toBe(0);
        }
      }),
    );
  });

  it("median handles odd and even counts", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});
