import type { Express } from "express";
import { isDeadLetterId, type DeadLetter } from "./dead-letters.ts";
import { internalApi } from "./internal-api.ts";
import type { Logger } from "./logger.ts";

/** Largest page of dead letters one request may ask for. */
export const MAX_DEAD_LETTER_PAGE = 500;

/** Services allowed to read and replay dead letters: the operations view (dashboard). */
export const DEAD_LETTER_CALLERS: readonly string[] = ["dashboard"];

/**
 * Every subgraph's internal dead-letter API (not part of the public graph; staff reach it through
 * the dashboard's `deadLetters` / `replayDeadLetter`, which check the role):
 *   GET  /internal/dead-letters?first=N        → { deadLetters: DeadLetter[] } newest first
 *   POST /internal/dead-letters/:id/replay     → { deadLetter } | 404 DEAD_LETTER_NOT_FOUND
 * Only a service token of an allowed caller gets in; identities forwarded by the gateway do not.
 */
export function deadLetterRoutes(
  app: Express,
  deps: {
    deadLetters: {
      list(first: number): Promise<DeadLetter[]>;
      replay(id: string): Promise<DeadLetter | null>;
    };
    internalSecret: string;
    log: Logger;
    callers?: readonly string[];
  },
): void {
  const callers = deps.callers ?? DEAD_LETTER_CALLERS;
  const api = internalApi({
    internalSecret: deps.internalSecret,
    callers,
    what: "manage dead letters",
    log: deps.log,
  });

  app.get("/internal/dead-letters", async (req, res) => {
    if (!(await api.authorized(req, res))) return;
    const raw = req.query.first ?? "50";
    const first = typeof raw === "string" && /^[0-9]{1,4}$/.test(raw) ? Number(raw) : NaN;
    if (!(first >= 1 && first <= MAX_DEAD_LETTER_PAGE)) {
      api.fail(res, 400, {
        code: "BAD_USER_INPUT",
        field: "first",
        message: `first must be a whole number from 1 to ${MAX_DEAD_LETTER_PAGE}.`,
      });
      return;
    }
    try {
      res.json({ deadLetters: await deps.deadLetters.list(first) });
    } catch (err) {
      api.failed(res, "listing dead letters", err);
    }
  });

  app.post("/internal/dead-letters/:id/replay", async (req, res) => {
    if (!(await api.authorized(req, res))) return;
    const id = req.params.id;
    if (!isDeadLetterId(id)) {
      api.fail(res, 400, {
        code: "BAD_USER_INPUT",
        field: "id",
        message: "id must be a dead letter's id (a positive whole number).",
      });
      return;
    }
    try {
      const deadLetter = await deps.deadLetters.replay(id);
      if (!deadLetter) {
        api.fail(res, 404, { code: "DEAD_LETTER_NOT_FOUND", message: `No dead letter ${id}.` });
        return;
      }
      res.json({ deadLetter });
    } catch (err) {
      api.failed(res, "replaying a dead letter", err);
    }
  });
}
