import type { VehicleStatus } from "./vehicle.ts";

export interface StatusCount {
  make: string;
  model: string;
  status: VehicleStatus;
  count: number;
}

export interface StockLine {
  make: string;
  model: string;
  /** For sale right now. */
  available: number;
  /**
   * Physically on the lot: AVAILABLE + RESERVED + IN_REPAIR (a SOLD car has left with a driver, a
   * WITHDRAWN one went back to its seller).
   */
  onLot: number;
}

const ON_LOT: ReadonlySet<VehicleStatus> = new Set(["AVAILABLE", "RESERVED", "IN_REPAIR"]);

/** One line per make+model that has ever been in stock, sorted by make, then model. */
export function summariseStock(counts: readonly StatusCount[]): StockLine[] {
  const lines = new Map<string, StockLine>();
  for (const { make, model, status, count } of counts) {
    const key = JSON.stringify([make, model]);
    const line = lines.get(key) ?? { make, model, available: 0, onLot: 0 };
    if (status === "AVAILABLE") line.available += count;
    if (ON_LOT.has(status)) line.onLot += count;
    lines.set(key, line);
  }
  const byName = (a: string, b: string) =>
    a.localeCompare(b, "en", { sensitivity: "base" }) || (a < b ? -1 : a > b ? 1 : 0);
  return [...lines.values()].sort((a, b) => byName(a.make, b.make) || byName(a.model, b.model));
}
