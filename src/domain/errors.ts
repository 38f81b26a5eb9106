/**
 * One family of errors with stable codes. The codes are a closed list: a code that is not in `ERROR_CODES` does
 * not compile. The errors say what went wrong and how to fix it, never how to answer it: `http/error-handler.ts`
 * maps each code to its HTTP status in one table; jobs branch on `retryable`.
 */
export const ERROR_CODES = [
  // The request itself
  "bad_request",
  "invalid_request",
  "invalid_body",
  "invalid_payload",
  "missing_header",
  "payload_too_large",
  "unsupported_media_type",
  "invalid_option",
  "invalid_date",
  "invalid_since",
  "invalid_team",
  "invalid_email",
  "missing_draft",
  // Who is asking
  "invalid_signature",
  "invalid_timestamp",
  "stale_signature",
  "invalid_signed_request",
  "unsupported_algorithm",
  "invalid_token",
  "unauthorized",
  "forbidden",
  "too_many_wrong_tokens",
  // What is asked about
  "not_found",
  "unknown_connection",
  "connection_required",
  "organization_mismatch",
  "unknown_rep",
  "no_handoff",
  "not_a_routing_decision",
  // Synced pairs (HubSpot marketing + Salesforce sales)
  "invalid_link",
  "already_linked",
  "contact_not_synced",
  // Install (OAuth)
  "invalid_state",
  "missing_code",
  "missing_portal",
  "app_not_configured",
  // Sales feedback
  "reason_required",
  "unknown_reason",
  "already_decided",
  "feedback_already_given",
  // The SLA and its files
  "sla_invalid",
  "sla_text_changed",
  "sla_field_missing",
  "sla_publish_refused",
  "sla_file_unreadable",
  "leads_file_unreadable",
  "roster_file_unreadable",
  "roster_invalid",
  // Configuration
  "config_invalid",
  "database_url_missing",
  "database_unreachable",
  "bad_encryption_key",
  "invalid_notification_settings",
  // Stored tokens
  "token_unreadable",
  "token_key_unknown",
  // Work in progress
  "lead_busy",
  "routing_conflict",
  "handoff_conflict",
  "card_timeout",
  "handler_failed",
  // The CRM
  "crm_rate_limited",
  "crm_auth",
  "crm_not_found",
  "crm_validation",
  "crm_unavailable",
  // Notifications
  "slack_rate_limited",
  "slack_unavailable",
  "slack_auth",
  "slack_rejected",
  "slack_hook_dead",
  "slack_channel_unusable",
  "email_auth",
  "email_failed",
  "email_unavailable",
  "email_rejected",
  "email_no_recipient",
  // Anything else
  "internal",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** The ways a signed request (HubSpot v3 signature, Salesforce Canvas signed request) is refused. */
export type SignatureErrorCode = Extract<
  ErrorCode,
  | "invalid_signature"
  | "invalid_timestamp"
  | "stale_signature"
  | "invalid_signed_request"
  | "unsupported_algorithm"
>;

/** What a Slack or e-mail notification failed with. */
export type NotificationErrorCode = Extract<ErrorCode, `slack_${string}` | `email_${string}`>;

export interface AppErrorOptions {
  hint?: string;
  retryable?: boolean;
  cause?: unknown;
  details?: unknown;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly retryable: boolean;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options.hint;
    this.retryable = options.retryable ?? false;
    this.details = options.details;
  }
}

/** Whether `code` is one of Handoff's error codes (a stored `lastError.code` may predate a rename). */
export function isErrorCode(code: string): code is ErrorCode {
  return (ERROR_CODES as readonly string[]).includes(code);
}

export class InvalidSignatureError extends AppError {
  constructor(message: string, hint: string, code: SignatureErrorCode = "invalid_signature") {
    super(code, message, { hint });
  }
}

export class MissingHeaderError extends AppError {
  constructor(header: string, hint: string) {
    super("missing_header", `missing header ${header}`, { hint });
  }
}

export interface PayloadIssue {
  path: string;
  message: string;
}

export class InvalidPayloadError extends AppError {
  readonly issues: PayloadIssue[];
  constructor(message: string, issues: PayloadIssue[], hint: string) {
    super("invalid_payload", message, { hint, details: { issues } });
    this.issues = issues;
  }
}

export class NotFoundError extends AppError {
  constructor(message: string, hint = "Check the id.") {
    super("not_found", message, { hint });
  }
}

export class UnauthorizedError extends AppError {
  constructor(message: string, hint: string) {
    super("unauthorized", message, { hint });
  }
}

export class ForbiddenError extends AppError {
  constructor(message: string, hint: string) {
    super("forbidden", message, { hint });
  }
}

export class CrmRateLimitedError extends AppError {
  readonly retryAfterMs: number;
  constructor(message: string, retryAfterMs: number, options: AppErrorOptions = {}) {
    super("crm_rate_limited", message, {
      hint: "The CRM's rate budget is used up; the job is retried after the window.",
      ...options,
      retryable: true,
    });
    this.retryAfterMs = retryAfterMs;
  }
}

export class CrmAuthError extends AppError {
  constructor(message: string, options: AppErrorOptions = {}) {
    super("crm_auth", message, {
      hint: "The CRM refused the token: reinstall the app for this connection (GET /install/…).",
      ...options,
      retryable: false,
    });
  }
}

export class CrmNotFoundError extends AppError {
  constructor(message: string, options: AppErrorOptions = {}) {
    super("crm_not_found", message, {
      hint: "The record was deleted or merged in the CRM.",
      ...options,
    });
  }
}

export class CrmValidationError extends AppError {
  constructor(message: string, options: AppErrorOptions = {}) {
    super("crm_validation", message, { retryable: false, ...options });
  }
}

/** A transient CRM failure (5xx, timeout, connection reset): retried by the job. */
export class CrmUnavailableError extends AppError {
  constructor(message: string, options: AppErrorOptions = {}) {
    super("crm_unavailable", message, {
      hint: "The CRM did not answer properly; the job is retried with backoff.",
      ...options,
      retryable: true,
    });
  }
}

/** A connection id that names no installed portal or org (or one this caller may not see). */
export class UnknownConnectionError extends AppError {
  constructor(connectionId: string, options: { hint?: string; crm?: "hubspot" | "salesforce" } = {}) {
    const crm = options.crm === "hubspot" ? "HubSpot " : options.crm === "salesforce" ? "Salesforce " : "";
    super("unknown_connection", `no ${crm}connection ${connectionId}`, {
      hint: options.hint ?? "Check the connection id: GET /admin/api/connections lists them.",
    });
  }
}
