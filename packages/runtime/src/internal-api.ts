import express, { type Request, type RequestHandler, type Response } from "express";
import type { InternalErrorCode } from "@junggo/events";
import { verifyServiceToken } from "./auth.ts";
import type { Logger } from "./logger.ts";

// The internal HTTP APIs (billing's charge and sandbox control, every context's dead letters) are
// not part of the public graph: service tokens only, JSON bodies of bounded size, and one error
// shape `{ code, message }` (plus `field` for BAD_USER_INPUT), never an HTML page.

/** An internal API's error answer. */
export interface InternalApiError {
  code: InternalErrorCode;
  message: string;
  /** The input a BAD_USER_INPUT is about. */
  field?: string;
}

export interface InternalApi {
  /**
   * Service-token check: true when the caller is one of the API's callers; anything else is
   * answered here (401 without a valid token, 403 for another service).
   */
  authorized(req: Request, res: Response): Promise<boolean>;
  /** JSON body parser with the API's size limit; a malformed or oversized body is a 400 BAD_USER_INPUT on `body`. */
  json: RequestHandler;
  /** Sends the error shape. */
  fail(res: Response, status: number, error: InternalApiError): void;
  /** Logs an unexpected failure and answers 500 INTERNAL_SERVER_ERROR (no details to the caller). */
  failed(res: Response, what: string, err: unknown): void;
}

export function internalApi(o: {
  internalSecret: string;
  /** Service names whose token passes. */
  callers: readonly string[];
  /** What the callers may do, for the 403 message ("control the payment sandbox"). */
  what: string;
  /** Largest JSON body, e.g. "16kb". */
  bodyLimit?: string;
  log: Logger;
}): InternalApi {
  const fail = (res: Response, status: number, error: InternalApiError) => {
    res.status(status).json(error);
  };
  const parse = express.json({ limit: o.bodyLimit ?? "16kb" });
  return {
    async authorized(req, res) {
      const header = req.headers.authorization;
      const caller = await verifyServiceToken(
        header?.startsWith("Bearer ") ? header.slice(7) : undefined,
        o.internalSecret,
      );
      if (caller === null) {
        fail(res, 401, { code: "UNAUTHENTICATED", message: "A valid service token is required." });
        return false;
      }
      if (!o.callers.includes(caller)) {
        fail(res, 403, { code: "FORBIDDEN", message: `Service ${caller} may not ${o.what}.` });
        return false;
      }
      return true;
    },
    json: (req, res, next) =>
      parse(req, res, (err?: unknown) => {
        if (err === undefined || err === null) return next();
        fail(res, 400, { code: "BAD_USER_INPUT", field: "body", message: "Body must be a JSON object." });
      }),
    fail,
    failed(res, what, err) {
      o.log.error(`${what} failed`, { err: err as Error });
      fail(res, 500, { code: "INTERNAL_SERVER_ERROR", message: "Internal server error" });
    },
  };
}

/** A request body checked field by field: the value, or the field that is wrong and why. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; field: string; message: string };
