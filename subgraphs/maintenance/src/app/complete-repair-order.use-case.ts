import type { EventEnvelope } from "@junggo/events";
import { appendEvents, DomainError, parseUuid, requireRole, type SqlTx, type Viewer } from "@junggo/runtime";
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

export const WITHDRAWN_NOTE = "Closed: the seller took the car back.";

/**
 * The seller took the car back (SellRequestCancelled with returnVehicleId): its open order, if any,
 * closes with outcome WITHDRAWN (the car leaves stock; purchase keeps it held for the seller).
 * Runs in the consumer's transaction; a redelivery finds no open order and does nothing.
 */
export const makeWithdrawFromWorkshop =
  (deps: Pick<MaintenanceDeps, "repo" | "clock" | "log">) =>
  async (tx: SqlTx, cause: EventEnvelope, vehicleId: string): Promise<void> => {
    const current = await deps.repo.lockOpenByVehicle(tx, vehicleId);
    if (!current) return;
    const { repairOrder, event } = complete(current, WITHDRAWN_NOTE, deps.clock(), "WITHDRAWN");
    await deps.repo.saveCompleted(tx, repairOrder);
    await appendEvents(tx, [toEnvelope(event, cause.eventId)]);
    deps.log.info("repair order closed: car withdrawn by its seller", {
      repairOrderId: current.id,
      vehicleId,
    });
  };
