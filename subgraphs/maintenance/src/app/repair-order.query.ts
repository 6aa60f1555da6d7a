import { requireRole, type Viewer } from "@junggo/runtime";
import type { RepairOrder } from "../domain/repair-order.ts";
import type { MaintenanceDeps } from "./ports.ts";

export const MAX_LIST = 200;

export const makeRepairOrderQueries = (deps: Pick<MaintenanceDeps, "repo" | "reader">) => ({
  list(viewer: Viewer | null, open: boolean | null | undefined): Promise<RepairOrder[]> {
    requireRole(viewer, "STAFF");
    return deps.repo.list(deps.reader, open ?? undefined, MAX_LIST);
  },
});
