import { int, num, str } from "@junggo/runtime";

/** Acquisition's own settings: the quote policy and purchase's holds API (a seller's cancellation). */
export const acquisitionSettings = {
  dealerMargin: num({
    env: "ACQUISITION_DEALER_MARGIN",
    min: 0,
    max: 0.9,
    default: 0.12,
    description:
      "Share of a car's market value the dealer keeps: the offer is the value × (1 − margin), the list price of a bought car the offer ÷ (1 − margin).",
  }),
  fallbackNewPriceKrw: int({
    env: "ACQUISITION_FALLBACK_NEW_PRICE_KRW",
    min: 1_000_000,
    default: 35_000_000,
    description:
      "Reference new-car price a quote depreciates from when the platform has no comparable listing or sale of that make and model.",
  }),
  purchaseUrl: str({
    env: "PURCHASE_URL",
    format: "url",
    default: "http://127.0.0.1:4003",
    description:
      "Base URL of purchase's service: a seller cancelling a car on the lot takes a WITHDRAWAL hold there (`/internal/holds`).",
  }),
  holdsTimeoutMs: int({
    env: "ACQUISITION_HOLDS_TIMEOUT_MS",
    min: 100,
    default: 5_000,
    description:
      "Longest wait for purchase's holds API; a cancellation that gets no answer is refused as unavailable.",
  }),
};
