import type { EventEnvelope } from "@junggo/events";
import type { HandlerMap } from "@junggo/runtime";
import { PROJECTED_EVENTS } from "../domain/purchase-view.ts";

/** Every projected event goes through the same projection (the reducer decides what it changes). */
export const dashboardHandlers = <Tx>(
  project: (tx: Tx, event: EventEnvelope) => Promise<void>,
): HandlerMap<Tx> =>
  Object.fromEntries(
    PROJECTED_EVENTS.map((type) => [type, (event: EventEnvelope, tx: Tx) => project(tx, event)]),
  ) as HandlerMap<Tx>;
