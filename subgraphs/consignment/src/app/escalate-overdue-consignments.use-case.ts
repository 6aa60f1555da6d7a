import { appendEvents, type SqlTx } from "@junggo/runtime";
import { escalate, isDispatchOverdue, MAX_ESCALATIONS } from "../domain/consignment.ts";
import { toEnvelope } from "./events.ts";
import type { ConsignmentDeps } from "./ports.ts";

/**
 * One pass of the dispatch sweeper: every job that waited for a driver longer than `timeoutMs` is
 * escalated (ConsignmentEscalated tells staff and the buyer) and stays open for the drivers. Each
 * job is written in its own transaction, conditional on the version it was read at, so replicas
 * sweeping at the same time never escalate one job twice: the later write matches nothing.
 * Returns how many jobs this pass escalated.
 */
export const makeEscalateOverdueConsignments =
  <Tx extends SqlTx>(
    deps: Pick<ConsignmentDeps<Tx>, "repo" | "transact" | "clock" | "log">,
    timeoutMs: number,
  ) =>
  async (batch = 50): Promise<number> => {
    const now = deps.clock();
    const cutoff = new Date(now.getTime() - timeoutMs);
    const due = await deps.transact((tx) =>
      deps.repo.listAwaitingEscalation(tx, cutoff, MAX_ESCALATIONS, batch),
    );
    let escalated = 0;
    for (const c of due) {
      if (!isDispatchOverdue(c, timeoutMs, now)) continue;
      const { consignment, event } = escalate(c, timeoutMs, now);
      const won = await deps.transact(async (tx) => {
        if (!(await deps.repo.update(tx, consignment))) return false;
        await appendEvents(tx, [toEnvelope(event, null)]);
        return true;
      });
      if (!won) continue; // accepted, cancelled or escalated by another replica since it was listed
      escalated++;
      deps.log.warn("no driver accepted the job in time; escalated and offered again", {
        consignmentId: c.id,
        kind: c.kind,
        purchaseId: c.purchaseId,
        sellRequestId: c.sellRequestId,
        escalation: consignment.escalationCount,
      });
    }
    return escalated;
  };
