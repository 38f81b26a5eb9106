import type { ErrorRequestHandler, Request, Response } from "express";
import { AppError, InvalidPayloadError, type ErrorCode } from "../domain/errors";
import type { Logger } from "../ports/logger";
import { requestIdOf } from "./request-id";

/**
 * The HTTP status of every error code, in one table (README: _Error codes_ lists the same). A code added to
 * `ERROR_CODES` does not compile until it has its status here.
 */
export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
  bad_request: 400,
  invalid_request: 400,
  invalid_body: 400,
  invalid_payload: 400,
  missing_header: 400,
  payload_too_large: 413,
  unsupported_media_type: 415,
  invalid_option: 400,
  invalid_date: 400,
  invalid_since: 400,
  invalid_team: 400,
  invalid_email: 400,
  missing_draft: 400,
  invalid_signature: 401,
  invalid_timestamp: 401,
  stale_signature: 401,
  invalid_signed_request: 401,
  unsupported_algorithm: 401,
  invalid_token: 401,
  unauthorized: 401,
  forbidden: 403,
  too_many_wrong_tokens: 429,
  not_found: 404,
  unknown_connection: 404,
  connection_required: 400,
  organization_mismatch: 401,
  unknown_rep: 404,
  no_handoff: 404,
  not_a_routing_decision: 409,
  invalid_state: 400,
  missing_code: 400,
  missing_portal: 502,
  app_not_configured: 503,
  reason_required: 400,
  unknown_reason: 400,
  already_decided: 409,
  feedback_already_given: 409,
  sla_invalid: 400,
  sla_text_changed: 409,
  sla_field_missing: 422,
  sla_publish_refused: 409,
  sla_file_unreadable: 400,
  leads_file_unreadable: 400,
  roster_file_unreadable: 400,
  roster_invalid: 400,
  config_invalid: 500,
  database_url_missing: 500,
  database_unreachable: 503,
  bad_encryption_key: 500,
  invalid_notification_settings: 400,
  token_unreadable: 500,
  token_key_unknown: 500,
  invalid_link: 400,
  already_linked: 409,
  contact_not_synced: 409,
  lead_busy: 409,
  routing_conflict: 409,
  handoff_conflict: 409,
  card_timeout: 503,
  handler_failed: 500,
  crm_rate_limited: 503,
  crm_auth: 502,
  crm_not_found: 404,
  crm_validation: 422,
  crm_unavailable: 502,
  slack_rate_limited: 502,
  slack_unavailable: 502,
  slack_auth: 502,
  slack_rejected: 502,
  slack_hook_dead: 502,
  slack_channel_unusable: 502,
  email_auth: 502,
  email_failed: 502,
  email_unavailable: 502,
  email_rejected: 502,
  email_no_recipient: 502,
  internal: 500,
};

/** The HTTP status an error is answered with. */
export function httpStatus(err: AppError): number {
  return HTTP_STATUS[err.code];
}

export interface ErrorBody {
  error: ErrorCode;
  message: string;
  hint?: string;
  issues?: { path: string; message: string }[];
  /** The request's id, also in the `X-Request-Id` header and on the log line of the failure. */
  requestId: string;
}

/** The only place where errors become HTTP responses: `{ error, message, hint, requestId }` everywhere. */
export function sendError(res: Response, err: AppError): void {
  const body: ErrorBody = {
    error: err.code,
    message: err.message,
    ...(err.hint ? { hint: err.hint } : {}),
    ...(err instanceof InvalidPayloadError ? { issues: err.issues } : {}),
    requestId: requestIdOf(res),
  };
  res.status(httpStatus(err)).json(body);
}

/** Error codes for the 4xx statuses express and body-parser raise themselves (anything else: `bad_request`). */
const CODE_OF_CLIENT_STATUS: Partial<Record<number, ErrorCode>> = {
  404: "not_found",
  413: "payload_too_large",
  415: "unsupported_media_type",
};

export function createErrorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) return next(err);
    const answer = toAppError(err, req, res);
    const requestId = requestIdOf(res);
    if (answer.code === "internal") {
      logger.error("unhandled error", {
        requestId,
        method: req.method,
        path: routeOf(req),
        error: err instanceof Error ? err.message : String(err),
      });
    } else {
      const status = httpStatus(answer);
      const fields = { requestId, method: req.method, path: routeOf(req), status, code: answer.code };
      if (status >= 500) logger.warn("request failed", fields);
      else logger.info("request refused", fields);
    }
    return sendError(res, answer);
  };
}

/**
 * The route pattern that answered (`/webhooks/salesforce/:connectionId/:token`), never the path itself: a path
 * can carry a webhook token or whatever a caller typed.
 */
function routeOf(req: Request): string {
  const route = (req.route as { path?: unknown } | undefined)?.path;
  return typeof route === "string" ? `${req.baseUrl}${route}` : "(no route)";
}

function toAppError(err: unknown, req: Request, res: Response): AppError {
  if (err instanceof AppError) return err;
  const e = err as { type?: string; status?: number; statusCode?: number };
  // body-parser failures: size and encoding are the client's problem.
  if (e.type === "entity.too.large") {
    // Stop reading at the limit: answer, then close the socket instead of draining the rest of the body.
    res.set("connection", "close");
    res.on("finish", () => req.socket.destroy());
    return new AppError("payload_too_large", "request body is larger than the limit", {
      hint: "HubSpot sends at most 100 events per request; check WEBHOOK_MAX_BODY_BYTES.",
    });
  }
  if (
    e.type === "entity.parse.failed" ||
    e.type === "encoding.unsupported" ||
    e.type === "charset.unsupported"
  ) {
    return new AppError("invalid_body", "request body could not be read", { hint: "Send UTF-8 JSON." });
  }
  const status = e.status ?? e.statusCode;
  if (typeof status === "number" && status >= 400 && status < 500) {
    return new AppError(CODE_OF_CLIENT_STATUS[status] ?? "bad_request", "request could not be read");
  }
  return new AppError("internal", "internal error", {
    hint: `See the server log for requestId ${requestIdOf(res)}.`,
  });
}
