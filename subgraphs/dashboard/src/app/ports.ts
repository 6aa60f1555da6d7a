import type { PurchaseView } from "../domain/purchase-view.ts";
import type { SaleView } from "../domain/sale-view.ts";

export interface StoredView {
  view: PurchaseView;
  /** Version read; a write is conditional on it (replicas may project events of one purchase at once). */
  version: number;
}

/** Storage of the read model. `Db` is a transaction or the plain client (for reads). */
export interface PurchaseViewRepository<Db> {
  find(db: Db, purchaseId: string): Promise<StoredView | null>;
  /** Inserts (previousVersion null) or updates conditionally; false when someone else wrote first. */
  save(db: Db, view: PurchaseView, previousVersion: number | null): Promise<boolean>;
  /** Ready rows (purchase part known), newest first; all rows, or one buyer's. */
  listReady(db: Db, filter: { buyerId?: string }, first: number): Promise<PurchaseView[]>;
}

export interface StoredSale {
  view: SaleView;
  version: number;
}

/** Storage of the SaleView read model (same contract as PurchaseViewRepository). */
export interface SaleViewRepository<Db> {
  find(db: Db, sellRequestId: string): Promise<StoredSale | null>;
  save(db: Db, view: SaleView, previousVersion: number | null): Promise<boolean>;
  /** Ready rows (seller, car and offer known), most recently changed first; all rows, or one seller's. */
  listReady(db: Db, filter: { sellerId?: string }, first: number): Promise<SaleView[]>;
}
