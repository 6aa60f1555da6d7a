import { requireRole, type Viewer } from "@junggo/runtime";
import { makeQuote, parseQuoteInput, type Quote, type QuoteInput } from "../domain/quote.ts";
import { estimateOffer } from "../domain/quote-estimator.ts";
import type { AcquisitionDeps } from "./ports.ts";

/** A SELLER asks what the dealer pays for their car; the quote is stored so it can be sold on. */
export const makeRequestQuote =
  (deps: AcquisitionDeps) =>
  async (viewer: Viewer | null, input: QuoteInput): Promise<Quote> => {
    const seller = requireRole(viewer, "SELLER");
    const now = deps.clock();
    const car = parseQuoteInput(input, now);
    // The estimator widens to ±4 years by itself; read that window once.
    const market = await deps.repo.comparables(deps.reader, car.make, car.model, car.year - 4, car.year + 4);
    const estimate = estimateOffer(car, market, { ...deps.policy, currentYear: now.getUTCFullYear() });
    const quote = makeQuote(deps.newId(), seller.id, car, estimate, now);
    await deps.transact((tx) => deps.repo.insertQuote(tx, quote));
    deps.log.info("quote made", {
      quoteId: quote.id,
      offerKrw: quote.offerKrw,
      comparables: quote.comparableCount,
    });
    return quote;
  };
