import { DomainError, parseUuid, requireRole, requireViewer, type Viewer } from "@junggo/runtime";
import type { Quote } from "../domain/quote.ts";
import { canView, type SellRequest, type SellRequestStatus } from "../domain/sell-request.ts";
import type { AcquisitionDeps } from "./ports.ts";

export const MAX_LIST = 200;
const STATUSES = new Set<SellRequestStatus>([
  "PENDING",
  "ACCEPTED",
  "PICKED_UP",
  "IN_INSPECTION",
  "LISTED",
  "REJECTED",
  "CANCELLED",
]);

/** Reads: the owner SELLER or STAFF; anyone else sees nothing (null), not an error. */
export const makeSellRequestQueries = (deps: AcquisitionDeps) => ({
  async quote(viewer: Viewer | null, rawId: string): Promise<Quote | null> {
    const who = requireViewer(viewer);
    const q = await deps.repo.quoteById(deps.reader, parseUuid("id", rawId));
    return q && (who.role === "STAFF" || q.sellerId === who.id) ? q : null;
  },
  async sellRequest(viewer: Viewer | null, rawId: string): Promise<SellRequest | null> {
    const who = requireViewer(viewer);
    const s = await deps.repo.sellRequestById(deps.reader, parseUuid("id", rawId));
    return s && canView(who, s) ? s : null;
  },
  mine(viewer: Viewer | null): Promise<SellRequest[]> {
    const seller = requireRole(viewer, "SELLER");
    return deps.repo.listSellRequests(deps.reader, { sellerId: seller.id }, MAX_LIST);
  },
  all(viewer: Viewer | null, status?: string | null): Promise<SellRequest[]> {
    requireRole(viewer, "STAFF");
    if (status != null && !STATUSES.has(status as SellRequestStatus))
      throw new DomainError("BAD_USER_INPUT", `Unknown status ${status}.`, { field: "status" });
    return deps.repo.listSellRequests(
      deps.reader,
      { status: (status ?? undefined) as SellRequestStatus | undefined },
      MAX_LIST,
    );
  },
  /** For the Quote field of a SellRequest its viewer may already see. */
  quoteOf: (s: SellRequest) => deps.repo.quoteById(deps.reader, s.quoteId),
});
