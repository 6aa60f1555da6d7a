import type { EventEnvelope } from "@junggo/events";
import type { PurchaseView } from "../domain/purchase-view.ts";
import type { SaleView } from "../domain/sale-view.ts";
import {
  diffSales,
  diffViews,
  ProjectionReplay,
  type FoldedEvent,
  type SaleDifference,
  type ViewDifference,
} from "../domain/rebuild-projection.ts";

export interface StreamSnapshot {
  firstSeq: number;
  lastSeq: number;
  messages: number;
  /** Messages deleted from inside the stream. */
  deleted: number;
}

export interface StreamMessage {
  seq: number;
  /** Null when the message is not an event envelope (the live consumer dead-letters those). */
  event: EventEnvelope | null;
}

/** The event stream, read from its first message. */
export interface EventStreamReader {
  snapshot(): Promise<StreamSnapshot>;
  /** Every message up to `lastSeq` inclusive, in stream order. */
  read(lastSeq: number): AsyncIterable<StreamMessage>;
}

/** The dashboard's database: read-model rows and the consumer's processed-event records. */
export interface DashboardStore {
  /** Rows of both read models. */
  countRows(): Promise<number>;
  load(): Promise<{ views: PurchaseView[]; sales: SaleView[]; processed: Set<string> }>;
  /** In one transaction: drops every row (of both models) and processed record, writes these. */
  replace(
    views: PurchaseView[],
    processed: FoldedEvent[],
    sales: SaleView[],
  ): Promise<{ rowsRemoved: number; recordsRemoved: number }>;
}

/** A rebuild that would make things worse; nothing was written. */
export class RebuildRefused extends Error {}

export interface ReplayFigures {
  /** Last stream sequence read (the snapshot taken at the start). */
  lastSeq: number;
  eventsRead: number;
  /** Dashboard events folded, once per event id: what the processed records hold afterwards. */
  eventsApplied: number;
  /** Further copies of an event already folded. */
  duplicates: number;
  /** Messages that are no event envelope. */
  unreadable: number;
  /** Events the reducer refused (the live consumer dead-letters them). */
  failed: { eventId: string; type: string; error: string }[];
}

export interface RebuildReport extends ReplayFigures {
  /** PurchaseView rows written. */
  rowsWritten: number;
  /** SaleView rows written. */
  salesWritten: number;
  rowsRemoved: number;
  recordsRemoved: number;
}

export interface CheckReport extends ReplayFigures {
  rowsRebuilt: number;
  rowsInDatabase: number;
  differences: ViewDifference[];
  salesRebuilt: number;
  salesInDatabase: number;
  saleDifferences: SaleDifference[];
  /** Dashboard events of the stream the database has not recorded as processed (in flight or dead-lettered). */
  unprocessed: number;
}

async function replay(reader: EventStreamReader, snapshot: StreamSnapshot) {
  // Limits retention never drops events by itself; a purged or trimmed stream has lost purchases.
  if (snapshot.lastSeq > 0 && (snapshot.firstSeq > 1 || snapshot.deleted > 0)) {
    throw new RebuildRefused(
      `the event stream no longer holds the whole history (first sequence ${snapshot.firstSeq}, ${snapshot.deleted} deleted): a rebuild would lose purchases`,
    );
  }
  const fold = new ProjectionReplay();
  const figures: ReplayFigures = {
    lastSeq: snapshot.lastSeq,
    eventsRead: 0,
    eventsApplied: 0,
    duplicates: 0,
    unreadable: 0,
    failed: fold.failures,
  };
  if (snapshot.messages > 0) {
    for await (const m of reader.read(snapshot.lastSeq)) {
      figures.eventsRead++;
      if (!m.event) {
        figures.unreadable++;
        continue;
      }
      const outcome = fold.fold(m.event);
      if (outcome === "applied") figures.eventsApplied++;
      else if (outcome === "duplicate") figures.duplicates++;
    }
  }
  return { fold, figures };
}

/** Replaces the read model and the processed records with the fold of the whole stream. */
export async function rebuildDashboard(deps: {
  reader: EventStreamReader;
  store: DashboardStore;
}): Promise<RebuildReport> {
  const snapshot = await deps.reader.snapshot();
  if (snapshot.messages === 0) {
    const rows = await deps.store.countRows();
    if (rows > 0)
      throw new RebuildRefused(
        `the event stream is empty but the dashboard holds ${rows} rows: is NATS_URL the system's server?`,
      );
  }
  const { fold, figures } = await replay(deps.reader, snapshot);
  const rows = fold.rows();
  const sales = fold.sales();
  const removed = await deps.store.replace(rows, fold.folded, sales);
  return { ...figures, rowsWritten: rows.length, salesWritten: sales.length, ...removed };
}

/** Compares the database with the fold of the stream; writes nothing. */
export async function checkDashboard(deps: {
  reader: EventStreamReader;
  store: DashboardStore;
}): Promise<CheckReport> {
  // The database first: everything it has processed is then in the snapshot, so a live service
  // can only be behind the replay (reported as unprocessed), never ahead of it.
  const stored = await deps.store.load();
  const { fold, figures } = await replay(deps.reader, await deps.reader.snapshot());
  const rows = fold.rows();
  return {
    ...figures,
    rowsRebuilt: rows.length,
    rowsInDatabase: stored.views.length,
    differences: diffViews(rows, stored.views),
    salesRebuilt: fold.sales().length,
    salesInDatabase: stored.sales.length,
    saleDifferences: diffSales(fold.sales(), stored.sales),
    unprocessed: fold.folded.filter((e) => !stored.processed.has(e.eventId)).length,
  };
}
