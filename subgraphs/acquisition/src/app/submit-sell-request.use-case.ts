import { appendEvents, DomainError, parseUuid, requireRole, type Viewer } from "@junggo/runtime";
import { type SellRequest, submit } from "../domain/sell-request.ts";
import { toEnvelope } from "./events.ts";
import type { AcquisitionDeps } from "./ports.ts";

/** Cars stock holds: such a VIN is ours already. */
const IN_STOCK = new Set(["AVAILABLE", "RESERVED", "IN_REPAIR"]);

/** The SELLER of a quote sells the car on it: PENDING until staff decides. */
export const makeSubmitSellRequest =
  (deps: AcquisitionDeps) =>
  async (viewer: Viewer | null, rawQuoteId: string): Promise<SellRequest> => {
    const seller = requireRole(viewer, "SELLER");
    const quoteId = parseUuid("quoteId", rawQuoteId);
    const quote = await deps.repo.quoteById(deps.reader, quoteId);
    if (!quote || quote.sellerId !== seller.id)
      throw new DomainError("QUOTE_NOT_FOUND", "There is no quote of yours with this id.", { quoteId });
    const { sellRequest, event } = submit(deps.newId(), quote, seller.id, deps.clock());
    const inStock = await deps.repo.marketCarByVin(deps.reader, quote.vin);
    if (inStock && IN_STOCK.has(inStock.status))
      throw new DomainError("VIN_IN_STOCK", "A car with this VIN is already in our stock.", {
        vin: quote.vin,
      });
    // Stock keeps one record per VIN, also of cars it sold or gave back: it could not register this
    // car again, so the seller must not be paid for it (buying a car back is not supported yet).
    if (inStock)
      throw new DomainError(
        "VIN_IN_STOCK",
        "Junggo has sold or returned this car before; buying it back is not possible yet.",
        { vin: quote.vin, status: inStock.status },
      );
    return deps.transact(async (tx) => {
      if (!(await deps.repo.insertSellRequest(tx, sellRequest)))
        throw new DomainError(
          "QUOTE_ALREADY_SUBMITTED",
          "This quote was already submitted as a sell request.",
          {
            quoteId,
          },
        );
      // The LiveVin primary key lets one of two racing submissions for a VIN through.
      if (!(await deps.repo.claimVin(tx, sellRequest.vin, sellRequest.id)))
        throw new DomainError("VIN_ALREADY_OFFERED", "A sell request for this VIN is already in progress.", {
          vin: sellRequest.vin,
        });
      await appendEvents(tx, [toEnvelope(event, null)]);
      deps.log.info("sell request submitted", { sellRequestId: sellRequest.id, quoteId });
      return sellRequest;
    });
  };
