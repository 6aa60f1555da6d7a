import type { EventEnvelope } from "@junggo/events";
import { appendEvents, DomainError, parseUuid, requireRole, type SqlTx, type Viewer } from "@junggo/runtime";
import { open, parseRepairDescription, type RepairOrder } from "../domain/repair-order.ts";
import { toEnvelope } from "./events.ts";
import type { MaintenanceDeps } from "./ports.ts";

/** STAFF sends an AVAILABLE car to the workshop; while the order is open nobody can buy it. */
export const makeOpenRepairOrder =
  (deps: MaintenanceDeps) =>
  async (viewer: Viewer | null, rawVehicleId: string, description: string): Promise<RepairOrder> => {
    const staff = requireRole(viewer, "STAFF");
    const vehicleId = parseUuid("vehicleId", rawVehicleId);
    const id = deps.newId();
    // Validated before the hold is taken: a bad description must not hold the car.
    parseRepairDescription(description);
    const hold = await deps.holds.take(vehicleId, id);
    const { repairOrder, event } = open({
      id,
      kind: "REPAIR",
      vehicleId,
      vehicleStatus: hold.taken ? "AVAILABLE" : hold.vehicleStatus,
      description,
      openedBy: staff.id,
      now: deps.clock(),
    });
    try {
      return await deps.transact(async (tx) => {
        if (!(await deps.repo.insertOpen(tx, repairOrder)))
          throw new DomainError("VEHICLE_NOT_AVAILABLE", "This car is already in the workshop.", {
            vehicleId,
          });
        await appendEvents(tx, [toEnvelope(event, null)]);
        deps.log.info("repair order opened", { repairOrderId: id, vehicleId });
        return repairOrder;
      });
    } catch (err) {
      await deps.holds.release(id);
      throw err;
    }
  };

/**
 * A car bought from a seller reached the lot (stock registered it IN_REPAIR): its inspection opens.
 * Runs in the consumer's transaction; a redelivery finds the order and does nothing.
 */
export const makeOpenInspection =
  (deps: Pick<MaintenanceDeps, "repo" | "clock" | "newId" | "log" | "reader">) =>
  async (tx: SqlTx, cause: EventEnvelope, vehicleId: string, sellRequestId: string): Promise<void> => {
    if (await deps.repo.bySellRequest(tx, sellRequestId)) return;
    const { repairOrder, event } = open({
      id: deps.newId(),
      kind: "INSPECTION",
      vehicleId,
      vehicleStatus: "IN_REPAIR",
      description: "Inspection of a car bought from a seller",
      sellRequestId,
      now: deps.clock(),
    });
    if (!(await deps.repo.insertOpen(tx, repairOrder))) {
      deps.log.warn("car already has an open order; inspection not opened", { vehicleId, sellRequestId });
      return;
    }
    await appendEvents(tx, [toEnvelope(event, cause.eventId)]);
  };
