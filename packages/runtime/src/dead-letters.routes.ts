import type { Express, Request, Response } from "express";
import { verifyServiceToken } from "./auth.ts";
import { isDeadLetterId, type DeadLetter } from "./dead-letters.ts";
import type { Logger } from "./logger.ts";

/**
 * Guard for internal HTTP routes: only a valid service token of one of `callers` passes; anything
 * else is answered here (401 without a valid token, 403 for another service).
 */
export function serviceCallerCheck(internalSecret: string, callers: readonly string[], what: string) {
  return async (req: Request, res: Response): Promise<boolean> => {
    const header = req.headers.authorization;
    const caller = await verifyServiceToken(
      header?.startsWith("Bearer ") ? header.slice(7) : undefined,
      internalSecret,
    );
    if (caller === null) {
      res.status(401).json({ code: "UNAUTHENTICATED", message: "A valid service token is required." });
      return false;
    }
    if (!callers.includes(caller)) {
      res.status(403).json({ code: "FORBIDDEN", message: `Service ${caller} may not ${what}.` });
      return false;
    }
    return true;
  };
}

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
  const authorized = serviceCallerCheck(deps.internalSecret, callers, "manage dead letters");
  const failed = (res: Response, what: string, err: unknown) => {
    deps.log.error(`${what} failed`, { err: err as Error });
    res.status(500).json({ code: "INTERNAL_SERVER_ERROR", message: "Internal server error" });
  };

  app.get("/internal/dead-letters", async (req, res) => {
    if (!(await authorized(req, res))) return;
    const raw = req.query.first ?? "50";
    const first = typeof raw === "string" && /^[0-9]{1,4}$/.test(raw) ? Number(raw) : NaN;
    if (!(first >= 1 && first <= MAX_DEAD_LETTER_PAGE)) {
      res.status(400).json({
        code: "BAD_USER_INPUT",
        field: "first",
        message: `first must be a whole number from 1 to ${MAX_DEAD_LETTER_PAGE}.`,
      });
      return;
    }
    try {
      res.json({ deadLetters: await deps.deadLetters.list(first) });
    } catch (err) {
      failed(res, "listing dead letters", err);
    }
  });

  app.post("/internal/dead-letters/:id/replay", async (req, res) => {
    if (!(await authorized(req, res))) return;
    const id = req.params.id;
    if (!isDeadLetterId(id)) {
      res.status(400).json({
        code: "BAD_USER_INPUT",
        field: "id",
        message: "id must be a dead letter's id (a positive whole number).",
      });
      return;
    }
    try {
      const deadLetter = await deps.deadLetters.replay(id);
      if (!deadLetter) {
        res.status(404).json({ code: "DEAD_LETTER_NOT_FOUND", message: `No dead letter ${id}.` });
        return;
      }
      res.json({ deadLetter });
    } catch (err) {
      failed(res, "replaying a dead letter", err);
    }
  });
}
