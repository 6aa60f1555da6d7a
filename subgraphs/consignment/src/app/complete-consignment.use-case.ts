import type { SqlTx, Viewer } from "@junggo/runtime";
import { complete } from "../domain/consignment.ts";
import { changedMeanwhile, runDriverCommand } from "./driver-command.ts";
import type { ConsignmentDeps } from "./ports.ts";

/** The assigned driver handed the car over to the buyer. */
export const makeCompleteConsignment =
  <Tx extends SqlTx>(deps: ConsignmentDeps<Tx>) =>
  (viewer: Viewer | null, id: string) =>
    runDriverCommand(deps, viewer, id, (c, driver, now) => complete(c, driver.id, now), changedMeanwhile);
