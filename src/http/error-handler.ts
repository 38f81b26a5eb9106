import { randomUUID } from "node:crypto";
import type { ErrorRequestHandler, Response } from "express";
import { AppError, InvalidPayloadError } from "../domain/errors";
import type { Logger } from "../ports/logger";

export interface ErrorBody {
  error: string;
  message: string;
  hint?: string;
  issues?: { path: string; message: string }[];
}

/** The only place where errors become HTTP responses: `{ error, message, hint }` everywhere. */
export function sendError(res: Response, err: AppError): void {
  const body: ErrorBody = { error: err.code, message: err.message };
  if (err.hint) body.hint = err.hint;
  if (err instanceof InvalidPayloadError) body.issues = err.issues;
  res.status(err.status).json(body);
}

export function createErrorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) return next(err);
    if (err instanceof AppError) return sendError(res, err);
    const e = err as { type?: string; status?: number; statusCode?: number };
    // body-parser failures: size and encoding are the client's problem.
    if (e.type === "entity.too.large") {
      // Stop reading at the limit: answer, then close the socket instead of draining the rest of the body.
      res.set("connection", "close");
      res.on("finish", () => req.socket.destroy());
      return sendError(
        res,
        new AppError("payload_too_large", "request body is larger than the limit", {
          status: 413,
          hint: "HubSpot sends at most 100 events per request; check WEBHOOK_MAX_BODY_BYTES.",
        }),
      );
    }
    if (
      e.type === "entity.parse.failed" ||
      e.type === "encoding.unsupported" ||
      e.type === "charset.unsupported"
    ) {
      return sendError(
        res,
        new AppError("invalid_body", "request body could not be read", {
          status: 400,
          hint: "Send UTF-8 JSON.",
        }),
      );
    }
    const status = e.status ?? e.statusCode;
    if (typeof status === "number" && status >= 400 && status < 500) {
      return sendError(res, new AppError("bad_request", "request could not be read", { status }));
    }
    // The answer names this id and the log line carries it, so the admin finds the one line that explains it.
    const errorId = randomUUID();
    logger.error("unhandled error", {
      errorId,
      path: req.path,
      error: err instanceof Error ? err.message : String(err),
    });
    return sendError(
      res,
      new AppError("internal", "internal error", {
        status: 500,
        hint: `See the server log for errorId ${errorId}.`,
      }),
    );
  };
}
