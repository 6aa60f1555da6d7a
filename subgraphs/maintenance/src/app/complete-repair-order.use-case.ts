import { appendEvents, DomainError, parseUuid, requireRole, type Viewer } from "@junggo/runtime";
import { complete, type RepairOrder } from "../domain/repair-order.ts";
import { toEnvelope } from "./events.ts";
import type { MaintenanceDeps } from "./ports.ts";

/** STAFF closes an order: the car is for sale again (stock and purchase follow the event). */
export const makeCompleteRepairOrder =
  (deps: MaintenanceDeps) =>
  async (viewer: Viewer | null, rawId: string, notes: string | null | undefined): Promise<RepairOrder> => {
    requireRole(viewer, "STAFF");
    const id = parseUuid("id", rawId);
    return deps.transact(async (tx) => {
      const current = await deps.repo.lockById(tx, id);
      if (!current)
        throw new DomainError("REPAIR_ORDER_NOT_FOUND", "There is no repair order with this id.", { id });
      const { repairOrder, event } = complete(current, notes, deps.clock());
      await deps.repo.saveCompleted(tx, repairOrder);
      await appendEvents(tx, [toEnvelope(event, null)]);
      deps.log.info("repair order completed", { repairOrderId: id, vehicleId: repairOrder.vehicleId });
      return repairOrder;
    });
  };
