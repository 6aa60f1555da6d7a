import { DomainError, requireRole, type Logger, type Viewer } from "@junggo/runtime";
import type { DeadLetter } from "../domain/dead-letter.ts";
import { ContextUnreachable, type DeadLetterSource } from "./dead-letters.port.ts";

/**
 * STAFF only. The owning context runs its handler for the stored event exactly once (its inbox
 * decides); replaying a dead letter already replayed returns it unchanged. A replay that fails
 * again is not an error here: the dead letter comes back PENDING with `replayError`.
 */
export const makeReplayDeadLetter =
  (deps: { source: DeadLetterSource; log: Logger }) =>
  async (viewer: Viewer | null, cmd: { context: string; id: string }): Promise<DeadLetter> => {
    const staff = requireRole(viewer, "STAFF");
    let replayed: DeadLetter | null;
    try {
      replayed = await deps.source.replay(cmd.context, cmd.id);
    } catch (err) {
      if (!(err instanceof ContextUnreachable)) throw err;
      deps.log.warn("dead letter replay: context unreachable", {
        context: cmd.context,
        id: cmd.id,
        reason: err.reason,
      });
      throw new DomainError(
        "CONTEXT_UNAVAILABLE",
        `The ${cmd.context} service cannot be reached; nothing was replayed. Try again shortly.`,
        { context: cmd.context },
      );
    }
    if (!replayed)
      throw new DomainError(
        "DEAD_LETTER_NOT_FOUND",
        `The ${cmd.context} context has no dead letter ${cmd.id}.`,
      );
    // Who replayed what, for the audit trail.
    deps.log.info("dead letter replay requested", {
      by: staff.id,
      context: cmd.context,
      id: cmd.id,
      eventId: replayed.eventId,
      status: replayed.status,
    });
    return replayed;
  };

export type ReplayDeadLetter = ReturnType<typeof makeReplayDeadLetter>;
