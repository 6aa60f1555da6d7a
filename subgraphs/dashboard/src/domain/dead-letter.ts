// Operations view of dead letters: events a context's consumer gave up on after its maximum
// number of deliveries. Each context keeps its own (messaging.dead_letter in its database); the
// dashboard only gathers them for staff and asks the owning context to replay one.

export type DeadLetterStatus = "PENDING" | "REPLAYED" | "ALREADY_PROCESSED";

export interface DeadLetter {
  /** The context whose consumer dead-lettered the event. */
  context: string;
  /** Unique within its context only: (context, id) names a dead letter. */
  id: string;
  consumer: string;
  eventId: string;
  eventType: string;
  subject: string;
  /** The error of the delivery that dead-lettered the event. */
  error: string;
  deliveries: number;
  createdAt: Date;
  replayedAt: Date | null;
  status: DeadLetterStatus;
  replayAttempts: number;
  /** The latest failed replay's error. */
  replayError: string | null;
}

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
