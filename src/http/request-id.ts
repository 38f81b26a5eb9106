import { randomUUID } from "node:crypto";
import type { RequestHandler, Response } from "express";

export const REQUEST_ID_HEADER = "X-Request-Id";

/** The id `assignRequestId` gave this request; one is given here if none was (a router mounted on its own). */
export function requestIdOf(res: Response): string {
  const id: unknown = res.locals.requestId;
  if (typeof id === "string") return id;
  const fresh = randomUUID();
  res.locals.requestId = fresh;
  if (!res.headersSent) res.set(REQUEST_ID_HEADER, fresh);
  return fresh;
}

/**
 * Gives every request a fresh random id, answered in `X-Request-Id`: an error body names it too and the log line
 * of the failure carries it, so an admin finds the one line that explains an answer. An id the client sends is
 * not reused (it would let a caller write into the log).
 */
export function assignRequestId(): RequestHandler {
  return (_req, res, next) => {
    requestIdOf(res);
    next();
  };
}
