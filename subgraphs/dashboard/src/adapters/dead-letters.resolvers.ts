import { badInput, isDeadLetterId, parsePageSize } from "@junggo/runtime";
import type { DeadLetter } from "../domain/dead-letter.ts";
import type { ListDeadLetters } from "../app/dead-letters.query.ts";
import type { ReplayDeadLetter } from "../app/replay-dead-letter.use-case.ts";
import type { Resolvers } from "./generated/resolvers.types.ts";

/** Keeps `deadLetters(first: 200)` with every field under the gateway's cost limit. */
export const MAX_DEAD_LETTERS_PAGE = 200;

function parseContext(value: unknown, contexts: readonly string[]): string {
  if (typeof value !== "string" || !contexts.includes(value)) {
    throw badInput("context", `context must be one of ${contexts.join(", ")}.`);
  }
  return value;
}

const parseFirst = (first: unknown) => parsePageSize("first", first, { max: MAX_DEAD_LETTERS_PAGE });

function parseId(id: unknown): string {
  if (!isDeadLetterId(id))
    throw badInput(
      "id",
      "id must be a dead letter's id (a positive whole number, as listed by deadLetters).",
    );
  return id;
}

const toNode = (d: DeadLetter) => ({
  ...d,
  createdAt: d.createdAt.toISOString(),
  replayedAt: d.replayedAt?.toISOString() ?? null,
});

/** Staff operations on the contexts' dead letters: parse, run the use case, map dates. */
export function deadLetterResolvers(uc: {
  list: ListDeadLetters;
  replay: ReplayDeadLetter;
  contexts: readonly string[];
}): Resolvers {
  return {
    Query: {
      deadLetters: async (_, args, { viewer }) => {
        const context = args.context == null ? null : parseContext(args.context, uc.contexts);
        const report = await uc.list(viewer, { context, first: parseFirst(args.first) });
        return { items: report.items.map(toNode), unreachableContexts: report.unreachableContexts };
      },
    },
    Mutation: {
      replayDeadLetter: async (_, args, { viewer }) =>
        toNode(
          await uc.replay(viewer, { context: parseContext(args.context, uc.contexts), id: parseId(args.id) }),
        ),
    },
  };
}
