import type { HandlerMap } from "@junggo/runtime";
import { projectRegistered, projectStatus } from "../app/project-vehicle.use-case.ts";
import { onDelivered, onPickedUp, recordDriver } from "../app/track-delivery.use-case.ts";
import type { PurchaseDeps, PurchaseTx } from "../app/purchase.infra.ts";

export function purchaseHandlers(
  deps: Pick<PurchaseDeps, "purchases" | "vehicles" | "holds" | "log">,
): HandlerMap<PurchaseTx> {
  return {
    VehicleRegistered: (e, tx) => projectRegistered(tx, e, deps),
    VehicleReserved: (e, tx) => projectStatus(tx, e, "RESERVED", deps),
    VehicleReleased: (e, tx) => projectStatus(tx, e, "AVAILABLE", deps),
    VehicleSold: (e, tx) => projectStatus(tx, e, "SOLD", deps),
    ConsignmentAssigned: (e, tx) => recordDriver(tx, e, deps),
    ConsignmentPickedUp: (e, tx) => onPickedUp(tx, e, deps),
    ConsignmentDelivered: (e, tx) => onDelivered(tx, e, deps),
  };
}
