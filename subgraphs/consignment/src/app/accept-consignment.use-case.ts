import { DomainError, type SqlTx, type Viewer } from "@junggo/runtime";
import { accept } from "../domain/consignment.ts";
import { estimateDeliveryEta } from "../domain/eta.ts";
import { runDriverCommand } from "./driver-command.ts";
import type { ConsignmentDeps } from "./ports.ts";

/** A driver takes an open job; of two drivers racing for it exactly one wins. */
export const makeAcceptConsignment =
  <Tx extends SqlTx>(deps: ConsignmentDeps<Tx>) =>
  (viewer: Viewer | null, id: string) =>
    runDriverCommand(
      deps,
      viewer,
      id,
      (c, driver, now) =>
        accept(c, { id: driver.id, name: driver.name }, estimateDeliveryEta(now, deps.etaMinutes), now),
      () =>
        new DomainError(
          "CONSIGNMENT_NOT_OPEN",
          "This job is not open any more: another driver took it a moment ago, or it was cancelled.",
        ),
    );
