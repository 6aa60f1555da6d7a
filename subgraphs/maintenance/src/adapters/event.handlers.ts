import type { HandlerMap, SqlTx } from "@junggo/runtime";
import { makeWithdrawFromWorkshop } from "../app/complete-repair-order.use-case.ts";
import { makeOpenInspection } from "../app/open-repair-order.use-case.ts";
import type { MaintenanceDeps } from "../app/ports.ts";

/**
 * Maintenance follows the seller's journey: a car bought from a seller reached the lot (stock
 * registered it IN_REPAIR) → its INSPECTION opens (purchase holds the car itself); the seller took
 * it back → its open order closes WITHDRAWN. Everything else is not the workshop's business.
 */
export function maintenanceHandlers(
  deps: Pick<MaintenanceDeps, "repo" | "clock" | "newId" | "log" | "reader">,
): HandlerMap<SqlTx> {
  const inspect = makeOpenInspection(deps);
  const withdraw = makeWithdrawFromWorkshop(deps);
  return {
    VehicleRegistered: async (e, tx) => {
      const { vehicleId, status, sellRequestId } = e.payload;
      if (status === "IN_REPAIR" && sellRequestId) await inspect(tx, e, vehicleId, sellRequestId);
    },
    SellRequestCancelled: async (e, tx) => {
      if (e.payload.returnVehicleId) await withdraw(tx, e, e.payload.returnVehicleId);
    },
  };
}
