import type { EventEnvelope } from "@junggo/events";
import type { HandlerMap } from "@junggo/runtime";
import { PROJECTED_EVENTS } from "../domain/purchase-view.ts";
import { SALE_EVENTS } from "../domain/sale-view.ts";

/** Every event the dashboard reads, purchases' and sell requests' alike. */
export const DASHBOARD_EVENTS = [...new Set([...PROJECTED_EVENTS, ...SALE_EVENTS])];

/** Every projected event goes through the same projection (the reducers decide what it changes). */
export const dashboardHandlers = <Tx>(
  project: (tx: Tx, event: EventEnvelope) => Promise<void>,
): HandlerMap<Tx> =>
  Object.fromEntries(
    DASHBOARD_EVENTS.map((type) => [type, (event: EventEnvelope, tx: Tx) => project(tx, event)]),
  ) as HandlerMap<Tx>;
