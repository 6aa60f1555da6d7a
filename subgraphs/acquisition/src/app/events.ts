import { type EventEnvelope, newEvent } from "@junggo/events";
import type { SellRequestEvent } from "../domain/sell-request.ts";

/** Wraps a domain event into the catalogue envelope stored in the outbox. */
export const toEnvelope = (e: SellRequestEvent, causationId: string | null): EventEnvelope =>
  newEvent(e.type, e.payload, { producer: "acquisition", causationId });
