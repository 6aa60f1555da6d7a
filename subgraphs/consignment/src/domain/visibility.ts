// Who may see a consignment: staff; the customer it is done for (the buyer of a purchase job, the
// seller of a seller job); the driver who took it; and any driver while it is still open (they
// choose jobs from what is waiting).
import type { Viewer } from "@junggo/runtime";
import type { Consignment } from "./consignment.ts";

export function canSeeConsignment(
  c: Pick<Consignment, "status" | "buyerId" | "driverId"> & { sellerId?: string | null },
  viewer: Pick<Viewer, "id" | "role"> | null,
): boolean {
  if (!viewer) return false;
  if (viewer.role === "STAFF") return true;
  if (viewer.id === c.buyerId || viewer.id === c.sellerId || viewer.id === c.driverId) return true;
  return viewer.role === "DRIVER" && c.status === "REQUESTED";
}
