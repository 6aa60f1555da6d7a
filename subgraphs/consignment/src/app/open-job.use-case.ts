import { randomUUID } from "node:crypto";
import type { EventEnvelope } from "@junggo/events";
import { appendEvents, type SqlTx } from "@junggo/runtime";
import { requestJob, type JobRequest } from "../domain/consignment.ts";
import { toEnvelope } from "./events.ts";
import type { ConsignmentDeps } from "./ports.ts";

type OpenDeps<Tx extends SqlTx> = Pick<ConsignmentDeps<Tx>, "repo" | "clock" | "log">;
type WithoutId<T> = T extends unknown ? Omit<T, "id"> : never;
/** A job to open, of any kind; its id is made here. */
export type Job = WithoutId<JobRequest>;

/**
 * Opens a job for drivers in the consumer's transaction. The unique keys ((purchase, kind) and
 * (sell request, kind)) make this the only check needed: a redelivered cause, or one arriving after
 * the job was called off (tombstone), inserts nothing. Returns whether a job was opened.
 */
export async function openJob<Tx extends SqlTx>(
  deps: OpenDeps<Tx>,
  tx: Tx,
  job: Job,
  cause: EventEnvelope,
): Promise<boolean> {
  const { consignment, event } = requestJob({ ...job, id: randomUUID() } as JobRequest, deps.clock());
  const owner = {
    kind: consignment.kind,
    purchaseId: consignment.purchaseId,
    sellRequestId: consignment.sellRequestId,
  };
  if (!(await deps.repo.insertIfAbsent(tx, consignment))) {
    deps.log.info(`${cause.type} ignored: this job was already opened or called off`, {
      ...owner,
      eventId: cause.eventId,
    });
    return false;
  }
  await appendEvents(tx, [toEnvelope(event, cause.eventId)]);
  deps.log.info("job requested", { consignmentId: consignment.id, ...owner });
  return true;
}

/** On SellRequestAccepted: a driver fetches the car from the seller (SELLER_PICKUP). */
export const makeRequestSellerPickup =
  <Tx extends SqlTx>(deps: OpenDeps<Tx>) =>
  async (tx: Tx, accepted: EventEnvelope<"SellRequestAccepted">): Promise<void> => {
    const { sellRequestId, sellerId, vehicleId } = accepted.payload;
    await openJob(deps, tx, { kind: "SELLER_PICKUP", sellRequestId, sellerId, vehicleId }, accepted);
  };

/** On PurchaseReturnRequested: a driver fetches the returned car from its buyer (RETURN_PICKUP). */
export const makeRequestReturnPickup =
  <Tx extends SqlTx>(deps: OpenDeps<Tx>) =>
  async (tx: Tx, requested: EventEnvelope<"PurchaseReturnRequested">): Promise<void> => {
    const { purchaseId, buyerId, vehicleId } = requested.payload;
    await openJob(deps, tx, { kind: "RETURN_PICKUP", purchaseId, buyerId, vehicleId }, requested);
  };
