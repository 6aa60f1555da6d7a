import { summariseStock, type StockLine } from "../domain/stock-summary.ts";
import type { VehicleReader } from "./ports.ts";

export const makeStockSummary = (deps: { vehicles: VehicleReader }) => async (): Promise<StockLine[]> =>
  summariseStock(await deps.vehicles.countByModelAndStatus());
