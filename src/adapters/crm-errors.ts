import {
  AppError,
  CrmAuthError,
  CrmNotFoundError,
  CrmRateLimitedError,
  CrmUnavailableError,
  CrmValidationError,
} from "../domain/errors";
import type { Crm } from "../domain/lead";

export interface CrmFailure {
  crm: Crm;
  /** HTTP status, or undefined for a network failure/timeout. */
  status: number | undefined;
  /** A short, id-only description (never a body with personal data). */
  message: string;
  /** Parsed from Retry-After / the rate-limit policy, when the CRM said. */
  retryAfterMs?: number;
  /** The CRM's own error code, e.g. REQUEST_LIMIT_EXCEEDED, INVALID_SESSION_ID, RATE_LIMIT. */
  crmCode?: string;
  cause?: unknown;
}

/**
 * The one place where CRM failures become Handoff errors. Adapters extract status/code from their SDK's
 * error shape and call this; everything else branches on the error class.
 */
export function translateCrmError(failure: CrmFailure): AppError {
  const { crm, status, message, crmCode, cause } = failure;
  const where = `${crm}: ${message}`;
  if (crmCode === "REQUEST_LIMIT_EXCEEDED" || crmCode === "RATE_LIMIT" || status === 429) {
    return new CrmRateLimitedError(where, failure.retryAfterMs ?? 10_000, { cause });
  }
  if (status === 401 || crmCode === "INVALID_SESSION_ID" || crmCode === "invalid_grant") {
    return new CrmAuthError(where, { cause });
  }
  if (status === 403) return new CrmAuthError(`${where} (missing permission or scope)`, { cause });
  if (status === 404 || crmCode === "NOT_FOUND" || crmCode === "ENTITY_IS_DELETED") {
    return new CrmNotFoundError(where, { cause });
  }
  if (status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 409) {
    return new CrmValidationError(where, { cause, hint: "The CRM refused the request as malformed." });
  }
  return new CrmUnavailableError(where, { cause });
}
