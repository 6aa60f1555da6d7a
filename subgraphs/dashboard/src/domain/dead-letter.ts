// Operations view of dead letters: events a context's consumer gave up on after its maximum
// number of deliveries. Each context keeps its own (messaging.dead_letter in its database); the
// dashboard only gathers them for staff and asks the owning context to replay one.

import type { DeadLetter as ContextDeadLetter } from "@junggo/runtime";

export type { DeadLetterStatus } from "@junggo/runtime";

/**
 * A context's dead letter (the one type, packages/runtime/src/dead-letters.ts) as the operations
 * view shows it: with the context it belongs to ((context, id) names it; ids are unique within
 * their context only), and its event type under the API's field name `eventType`.
 */
export type DeadLetter = Omit<ContextDeadLetter, "type"> & { context: string; eventType: string };

/** Ids are positive integers without leading zeros: longer is larger, then text order. */
const idDescending = (a: string, b: string) => b.length - a.length || (a < b ? 1 : a > b ? -1 : 0);

/** Newest first; ties in a stable order (context, then id descending). */
export function newestFirst(a: DeadLetter, b: DeadLetter): number {
  return (
    b.createdAt.getTime() - a.createdAt.getTime() ||
    a.context.localeCompare(b.context) ||
    idDescending(a.id, b.id)
  );
}
