import type { PurchaseView } from "../domain/purchase-view.ts";

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
