import type { SqlTx, Viewer } from "@junggo/runtime";
import { pickUp } from "../domain/consignment.ts";
import { changedMeanwhile, runDriverCommand } from "./driver-command.ts";
import type { ConsignmentDeps } from "./ports.ts";

/** The assigned driver has the car: it leaves the lot. */
export const makePickUpConsignment =
  <Tx extends SqlTx>(deps: ConsignmentDeps<Tx>) =>
  (viewer: Viewer | null, id: string) =>
    runDriverCommand(deps, viewer, id, (c, driver, now) => pickUp(c, driver.id, now), changedMeanwhile);
