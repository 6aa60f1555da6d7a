// Replaying the event stream into the dashboard's read models (PurchaseView, SaleView), and
// comparing two versions of them. The folds are `applyEvent` and `applySaleEvent`, the reducers the
// live consumer uses, so a rebuild can only differ from the live model where the live model is
// wrong (or has not seen every event yet).
import type { EventEnvelope } from "@junggo/events";
import { applyEvent, isProjected, type PurchaseView } from "./purchase-view.ts";
import { applySaleEvent, isSaleEvent, type SaleView } from "./sale-view.ts";

/** An event the replay folded: the live consumer would have recorded it in its inbox. */
export interface FoldedEvent {
  eventId: string;
  type: string;
}

export type FoldOutcome = "applied" | "not-projected" | "duplicate" | "failed";

/**
 * Folds events in stream order, exactly once per event id (a second message carrying an event
 * already folded is what the inbox absorbs in the live consumer). An event the reducer refuses is
 * not folded, as the live consumer would dead-letter it rather than record it.
 */
export class ProjectionReplay {
  private readonly views = new Map<string, PurchaseView>();
  private readonly saleViews = new Map<string, SaleView>();
  private readonly seen = new Set<string>();
  readonly folded: FoldedEvent[] = [];
  readonly failures: { eventId: string; type: string; error: string }[] = [];

  fold(event: EventEnvelope): FoldOutcome {
    const sale = isSaleEvent(event);
    if (!sale && !isProjected(event)) return "not-projected";
    if (this.seen.has(event.eventId)) return "duplicate";
    try {
      if (sale) {
        const next = applySaleEvent(this.saleViews.get(event.payload.sellRequestId) ?? null, event);
        if (next) this.saleViews.set(next.sellRequestId, next);
      } else if (isProjected(event)) {
        const next = applyEvent(this.views.get(event.payload.purchaseId) ?? null, event);
        if (next) this.views.set(next.purchaseId, next);
      }
    } catch (err) {
      this.failures.push({ eventId: event.eventId, type: event.type, error: (err as Error).message });
      return "failed";
    }
    this.seen.add(event.eventId);
    this.folded.push({ eventId: event.eventId, type: event.type });
    return "applied";
  }

  /** The rebuilt rows, by purchase id. */
  rows(): PurchaseView[] {
    return [...this.views.values()].sort((a, b) => a.purchaseId.localeCompare(b.purchaseId));
  }

  /** The rebuilt sale rows, by sell request id. */
  sales(): SaleView[] {
    return [...this.saleViews.values()].sort((a, b) => a.sellRequestId.localeCompare(b.sellRequestId));
  }
}

export type ViewField = Exclude<keyof PurchaseView, "purchaseId">;

export type ViewDifference =
  | { purchaseId: string; kind: "missing"; expected: PurchaseView }
  | { purchaseId: string; kind: "unexpected"; actual: PurchaseView }
  | {
      purchaseId: string;
      kind: "changed";
      fields: { field: ViewField; expected: unknown; actual: unknown }[];
    };

const FIELDS: ViewField[] = [
  "buyerId",
  "vehicleId",
  "vehicleName",
  "priceKrw",
  "purchaseStatus",
  "paymentStatus",
  "consignmentId",
  "consignmentStatus",
  "driverName",
  "eta",
  "returnConsignmentId",
  "returnPickupStatus",
  "createdAt",
  "updatedAt",
];

const same = (a: unknown, b: unknown) =>
  a instanceof Date || b instanceof Date
    ? a instanceof Date && b instanceof Date && a.getTime() === b.getTime()
    : a === b;

/**
 * Every field of every row, `expected` (the replay) against `actual` (the database). updatedAt is
 * compared too: it is the time of the latest event that changed the row, not of its processing.
 */
export function diffViews(expected: PurchaseView[], actual: PurchaseView[]): ViewDifference[] {
  const byId = new Map(actual.map((v) => [v.purchaseId, v]));
  const out: ViewDifference[] = [];
  for (const e of expected) {
    const a = byId.get(e.purchaseId);
    byId.delete(e.purchaseId);
    if (!a) {
      out.push({ purchaseId: e.purchaseId, kind: "missing", expected: e });
      continue;
    }
    const fields = FIELDS.filter((f) => !same(e[f], a[f])).map((field) => ({
      field,
      expected: e[field],
      actual: a[field],
    }));
    if (fields.length) out.push({ purchaseId: e.purchaseId, kind: "changed", fields });
  }
  for (const a of byId.values()) out.push({ purchaseId: a.purchaseId, kind: "unexpected", actual: a });
  return out;
}

const show = (v: unknown) => (v instanceof Date ? v.toISOString() : JSON.stringify(v));

/** One line per difference, for people. */
export function describeDifference(d: ViewDifference): string {
  switch (d.kind) {
    case "missing":
      return `purchase ${d.purchaseId}: missing from the database (events give ${d.expected.purchaseStatus ?? "no purchase status"})`;
    case "unexpected":
      return `purchase ${d.purchaseId}: in the database (${d.actual.purchaseStatus ?? "no purchase status"}) but no event creates it`;
    case "changed":
      return `purchase ${d.purchaseId}: ${d.fields.map((f) => `${f.field} is ${show(f.actual)}, events give ${show(f.expected)}`).join("; ")}`;
  }
}

export type SaleField = Exclude<keyof SaleView, "sellRequestId">;

export type SaleDifference =
  | { sellRequestId: string; kind: "missing"; expected: SaleView }
  | { sellRequestId: string; kind: "unexpected"; actual: SaleView }
  | {
      sellRequestId: string;
      kind: "changed";
      fields: { field: SaleField; expected: unknown; actual: unknown }[];
    };

const SALE_FIELDS: SaleField[] = [
  "sellerId",
  "vehicleName",
  "offerKrw",
  "status",
  "payoutStatus",
  "pickupConsignmentId",
  "pickupStatus",
  "createdAt",
  "updatedAt",
];

/** diffViews for the sale rows. */
export function diffSales(expected: SaleView[], actual: SaleView[]): SaleDifference[] {
  const byId = new Map(actual.map((v) => [v.sellRequestId, v]));
  const out: SaleDifference[] = [];
  for (const e of expected) {
    const a = byId.get(e.sellRequestId);
    byId.delete(e.sellRequestId);
    if (!a) {
      out.push({ sellRequestId: e.sellRequestId, kind: "missing", expected: e });
      continue;
    }
    const fields = SALE_FIELDS.filter((f) => !same(e[f], a[f])).map((field) => ({
      field,
      expected: e[field],
      actual: a[field],
    }));
    if (fields.length) out.push({ sellRequestId: e.sellRequestId, kind: "changed", fields });
  }
  for (const a of byId.values()) out.push({ sellRequestId: a.sellRequestId, kind: "unexpected", actual: a });
  return out;
}

/** One line per difference of a sale row, for people. */
export function describeSaleDifference(d: SaleDifference): string {
  switch (d.kind) {
    case "missing":
      return `sell request ${d.sellRequestId}: missing from the database (events give ${d.expected.status ?? "no status"})`;
    case "unexpected":
      return `sell request ${d.sellRequestId}: in the database (${d.actual.status ?? "no status"}) but no event creates it`;
    case "changed":
      return `sell request ${d.sellRequestId}: ${d.fields.map((f) => `${f.field} is ${show(f.actual)}, events give ${show(f.expected)}`).join("; ")}`;
  }
}
