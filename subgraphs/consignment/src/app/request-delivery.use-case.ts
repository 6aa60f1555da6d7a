import { randomUUID } from "node:crypto";
import type { EventEnvelope } from "@junggo/events";
import { appendEvents, type SqlTx } from "@junggo/runtime";
import { requestDelivery } from "../domain/consignment.ts";
import { toEnvelope } from "./events.ts";
import type { ConsignmentDeps } from "./ports.ts";

/** On PurchasePaid: open a delivery job. Runs in the consumer's transaction (with the inbox row). */
export const makeRequestDelivery =
  <Tx extends SqlTx>(deps: Pick<ConsignmentDeps<Tx>, "repo" | "clock" | "log">) =>
  async (tx: Tx, paid: EventEnvelope<"PurchasePaid">): Promise<void> => {
    const { purchaseId, vehicleId, buyerId } = paid.payload;
    const { consignment, event } = requestDelivery(
      { id: randomUUID(), purchaseId, vehicleId, buyerId },
      deps.clock(),
    );
    // The (purchase, kind) unique key makes this the only check needed: a second PurchasePaid for
    // the purchase, or one arriving after its cancellation (tombstone), inserts nothing.
    if (!(await deps.repo.insertIfAbsent(tx, consignment))) {
      deps.log.info("delivery already requested or purchase already cancelled; PurchasePaid ignored", {
        purchaseId,
        eventId: paid.eventId,
      });
      return;
    }
    await appendEvents(tx, [toEnvelope(event, paid.eventId)]);
    deps.log.info("delivery requested", { consignmentId: consignment.id, purchaseId });
  };
