import { requireRole, type Logger, type Viewer } from "@junggo/runtime";
import { newestFirst, type DeadLetter } from "../domain/dead-letter.ts";
import type { DeadLetterSource } from "./dead-letters.port.ts";

export interface DeadLetterReport {
  /** Newest first across the contexts asked, at most `first`. */
  items: DeadLetter[];
  /** Contexts that did not answer: their dead letters are missing from `items`. */
  unreachableContexts: string[];
}

/**
 * STAFF only. Asks every context (or one) at once; a context that is down is reported in
 * `unreachableContexts` instead of failing the whole answer, since the dead letters of the others
 * are what an operator needs most while something is broken.
 */
export const makeListDeadLetters =
  (deps: { source: DeadLetterSource; contexts: readonly string[]; log: Logger }) =>
  async (
    viewer: Viewer | null,
    query: { context: string | null; first: number },
  ): Promise<DeadLetterReport> => {
    requireRole(viewer, "STAFF");
    const contexts = query.context ? [query.context] : deps.contexts;
    const answers = await Promise.allSettled(contexts.map((c) => deps.source.list(c, query.first)));
    const items: DeadLetter[] = [];
    const unreachableContexts: string[] = [];
    answers.forEach((a, i) => {
      if (a.status === "fulfilled") items.push(...a.value);
      else {
        unreachableContexts.push(contexts[i]!);
        deps.log.warn("dead letters of a context could not be read", {
          context: contexts[i],
          err: (a.reason as Error).message,
        });
      }
    });
    return {
      items: items.sort(newestFirst).slice(0, query.first),
      unreachableContexts: unreachableContexts.sort(),
    };
  };

export type ListDeadLetters = ReturnType<typeof makeListDeadLetters>;
