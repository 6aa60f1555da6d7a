import { newEvent, type EventEnvelope } from "@junggo/events";
import type { ConsignmentEvent } from "../domain/consignment.ts";

/** Wraps a domain event into the catalogue envelope stored in the outbox. */
export const toEnvelope = (e: ConsignmentEvent, causationId: string | null): EventEnvelope =>
  newEvent(e.type, e.payload, { producer: "consignment", causationId });
