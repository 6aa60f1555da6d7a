import { appendEvents, DomainError, requireRole, type SqlTx, type Viewer } from "@junggo/runtime";
import type { Consignment, Transition } from "../domain/consignment.ts";
import { toEnvelope } from "./events.ts";
import type { ConsignmentDeps } from "./ports.ts";

export const notFound = () =>
  new DomainError("CONSIGNMENT_NOT_FOUND", "There is no consignment with this id.");

/** The job was written by someone else between our read and our write (e.g. it was cancelled). */
export const changedMeanwhile = () =>
  new DomainError(
    "CONSIGNMENT_INVALID_STATE",
    "This job changed while you were updating it (it may have been cancelled). Reload it and try again.",
  );

/**
 * A driver moves a job on: load, run the domain transition, write it conditionally on the version
 * read, append the event, all in one transaction. When another writer got there first (another
 * driver, a cancellation) the write matches nothing and `lostRace` tells the caller what happened.
 */
export async function runDriverCommand<Tx extends SqlTx>(
  deps: ConsignmentDeps<Tx>,
  viewer: Viewer | null,
  id: string,
  transition: (c: Consignment, driver: Viewer, now: Date) => Transition,
  lostRace: () => DomainError,
): Promise<Consignment> {
  const driver = requireRole(viewer, "DRIVER");
  return deps.transact(async (tx) => {
    const current = await deps.repo.findById(tx, id);
    if (!current) throw notFound();
    const { consignment, event } = transition(current, driver, deps.clock());
    if (!(await deps.repo.update(tx, consignment))) throw lostRace();
    await appendEvents(tx, [toEnvelope(event, null)]);
    deps.log.info(event.type, {
      consignmentId: consignment.id,
      kind: consignment.kind,
      purchaseId: consignment.purchaseId,
      sellRequestId: consignment.sellRequestId,
      driverId: driver.id,
    });
    return { ...consignment, version: consignment.version + 1 };
  });
}
