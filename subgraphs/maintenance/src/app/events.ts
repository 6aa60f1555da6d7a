import { type EventEnvelope, newEvent } from "@junggo/events";
import type { RepairOrderEvent } from "../domain/repair-order.ts";

/** Wraps a domain event into the catalogue envelope stored in the outbox. */
export const toEnvelope = (e: RepairOrderEvent, causationId: string | null): EventEnvelope =>
  newEvent(e.type, e.payload, { producer: "maintenance", causationId });
