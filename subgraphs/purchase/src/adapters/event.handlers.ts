import type { HandlerMap, Logger } from "@junggo/runtime";
import { projectRegistered, projectStatus } from "../app/project-vehicle.use-case.ts";
import { onDelivered, onPickedUp, recordDriver } from "../app/track-delivery.use-case.ts";
import type { PurchaseTx } from "../app/purchase.infra.ts";

export function purchaseHandlers(log: Logger): HandlerMap<PurchaseTx> {
  return {
    VehicleRegistered: (e, tx) => projectRegistered(tx, e),
    VehicleReserved: (e, tx) => projectStatus(tx, e, "RESERVED", log),
    VehicleReleased: (e, tx) => projectStatus(tx, e, "AVAILABLE", log),
    VehicleSold: (e, tx) => projectStatus(tx, e, "SOLD", log),
    ConsignmentAssigned: (e, tx) => recordDriver(tx, e, log),
    ConsignmentPickedUp: (e, tx) => onPickedUp(tx, e, log),
    ConsignmentDelivered: (e, tx) => onDelivered(tx, e, log),
  };
}
