import type { DeadLetter } from "../domain/dead-letter.ts";

/** Each context's dead-letter API. It lives in another process, so any context may be down. */
export interface DeadLetterSource {
  /** The context's dead letters, newest first, at most `first`. Throws ContextUnreachable. */
  list(context: string, first: number): Promise<DeadLetter[]>;
  /** Replays one in the context that owns it; null when it has no such dead letter. Throws ContextUnreachable. */
  replay(context: string, id: string): Promise<DeadLetter | null>;
}

/** The context did not answer (down, timed out) or answered something other than its API's answers. */
export class ContextUnreachable extends Error {
  constructor(
    readonly context: string,
    readonly reason: string,
  ) {
    super(`context ${context} unreachable: ${reason}`);
    this.name = "ContextUnreachable";
  }
}
