import type { HandlerMap } from "@junggo/runtime";
import { holdForInspection, releaseWorkshopHold } from "../app/hold-vehicle.use-case.ts";
import { projectRegistered, projectStatus } from "../app/project-vehicle.use-case.ts";
import { onDelivered, onPickedUp, recordDriver } from "../app/track-delivery.use-case.ts";
import type { PurchaseDeps, PurchaseTx } from "../app/purchase.infra.ts";

export function purchaseHandlers(
  deps: Pick<PurchaseDeps, "purchases" | "vehicles" | "holds" | "log">,
): HandlerMap<PurchaseTx> {
  return {
    VehicleRegistered: async (e, tx) => {
      await projectRegistered(tx, e, deps);
      await holdForInspection(tx, e, deps);
    },
    VehicleReserved: (e, tx) => projectStatus(tx, e, "RESERVED", deps),
    VehicleReleased: (e, tx) => projectStatus(tx, e, "AVAILABLE", deps),
    VehicleSold: (e, tx) => projectStatus(tx, e, "SOLD", deps),
    VehicleWithdrawn: (e, tx) => projectStatus(tx, e, "WITHDRAWN", deps),
    RepairOrderCompleted: (e, tx) => releaseWorkshopHold(tx, e, deps),
    ConsignmentAssigned: (e, tx) => recordDriver(tx, e, deps),
    ConsignmentPickedUp: (e, tx) => onPickedUp(tx, e, deps),
    ConsignmentDelivered: (e, tx) => onDelivered(tx, e, deps),
  };
}
