import { appendEvents, DomainError, parseUuid, requireRole, type SqlTx, type Viewer } from "@junggo/runtime";
import {
  accept,
  listPriceOf,
  normalizeReason,
  reject,
  type SellRequest,
  type SellRequestTransition,
} from "../domain/sell-request.ts";
import { toEnvelope } from "./events.ts";
import type { AcquisitionDeps } from "./ports.ts";

export const sellRequestNotFound = (id: string) =>
  new DomainError("SELL_REQUEST_NOT_FOUND", "There is no sell request with this id.", { sellRequestId: id });

/** Load under lock, transition, save and append the event, in one transaction. */
export async function changeSellRequest(
  deps: AcquisitionDeps,
  tx: SqlTx,
  id: string,
  transition: (s: SellRequest) => SellRequestTransition,
  causationId: string | null,
): Promise<SellRequestTransition> {
  const current = await deps.repo.lockSellRequest(tx, id);
  if (!current) throw sellRequestNotFound(id);
  const t = transition(current);
  await deps.repo.saveSellRequest(tx, t.sellRequest);
  await appendEvents(tx, [toEnvelope(t.event, causationId)]);
  deps.log.info(t.event.type, { sellRequestId: id, status: t.sellRequest.status });
  return t;
}

/** STAFF accepts: the seller is paid out (billing) and a driver fetches the car (consignment). */
export const makeAcceptSellRequest =
  (deps: AcquisitionDeps) =>
  async (viewer: Viewer | null, rawId: string): Promise<SellRequest> => {
    const staff = requireRole(viewer, "STAFF");
    const id = parseUuid("id", rawId);
    const t = await deps.transact(async (tx) => {
      const current = await deps.repo.sellRequestById(tx, id);
      const quote = current && (await deps.repo.quoteById(tx, current.quoteId));
      if (!current || !quote) throw sellRequestNotFound(id);
      const intake = {
        vehicleId: deps.newId(),
        listPriceKrw: listPriceOf(quote.offerKrw, deps.policy.dealerMargin),
        make: quote.make,
        model: quote.model,
        year: quote.year,
        mileageKm: quote.mileageKm,
      };
      return changeSellRequest(deps, tx, id, (s) => accept(s, staff.id, intake, deps.clock()), null);
    });
    return t.sellRequest;
  };

/** STAFF rejects with a reason the seller reads; the VIN may be offered again. */
export const makeRejectSellRequest =
  (deps: AcquisitionDeps) =>
  async (viewer: Viewer | null, rawId: string, rawReason: string): Promise<SellRequest> => {
    const staff = requireRole(viewer, "STAFF");
    const id = parseUuid("id", rawId);
    const reason = normalizeReason(rawReason, true)!;
    const t = await deps.transact(async (tx) => {
      const t = await changeSellRequest(deps, tx, id, (s) => reject(s, reason, staff.id, deps.clock()), null);
      await deps.repo.releaseVin(tx, id);
      return t;
    });
    return t.sellRequest;
  };
