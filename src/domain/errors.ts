/**
 * One family of errors with stable codes. `http/error-handler.ts` is the only place that turns them into
 * HTTP responses; jobs branch on `retryable`.
 */
export interface AppErrorOptions {
  hint?: string;
  retryable?: boolean;
  cause?: unknown;
  status?: number;
  details?: unknown;
}

export class AppError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  readonly retryable: boolean;
  readonly status: number;
  readonly details: unknown;

  constructor(code: string, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options.hint;
    this.retryable = options.retryable ?? false;
    this.status = options.status ?? 500;
    this.details = options.details;
  }
}

export class InvalidSignatureError extends AppError {
  constructor(message: string, hint: string, code = "invalid_signature") {
    super(code, message, { hint, status: 401 });
  }
}

export class MissingHeaderError extends AppError {
  constructor(header: string, hint: string) {
    super("missing_header", `missing header ${header}`, { hint, status: 400 });
  }
}

export interface PayloadIssue {
  path: string;
  message: string;
}

export class InvalidPayloadError extends AppError {
  readonly issues: PayloadIssue[];
  constructor(message: string, issues: PayloadIssue[], hint: string) {
    super("invalid_payload", message, { hint, status: 400, details: { issues } });
    this.issues = issues;
  }
}

export class NotFoundError extends AppError {
  constructor(message: string, hint = "Check the id.") {
    super("not_found", message, { hint, status: 404 });
  }
}

export class UnauthorizedError extends AppError {
  constructor(message: string, hint: string) {
    super("unauthorized", message, { hint, status: 401 });
  }
}

export class ForbiddenError extends AppError {
  constructor(message: string, hint: string) {
    super("forbidden", message, { hint, status: 403 });
  }
}

export class CrmRateLimitedError extends AppError {
  readonly retryAfterMs: number;
  constructor(message: string, retryAfterMs: number, options: AppErrorOptions = {}) {
    super("crm_rate_limited", message, {
      hint: "The CRM's rate budget is used up; the job is retried after the window.",
      ...options,
      retryable: true,
      status: 503,
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
      status: 502,
    });
  }
}

export class CrmNotFoundError extends AppError {
  constructor(message: string, options: AppErrorOptions = {}) {
    super("crm_not_found", message, {
      hint: "The record was deleted or merged in the CRM.",
      ...options,
      status: 404,
    });
  }
}

export class CrmValidationError extends AppError {
  constructor(message: string, options: AppErrorOptions = {}) {
    super("crm_validation", message, { retryable: false, ...options, status: 422 });
  }
}

/** A transient CRM failure (5xx, timeout, connection reset): retried by the job. */
export class CrmUnavailableError extends AppError {
  constructor(message: string, options: AppErrorOptions = {}) {
    super("crm_unavailable", message, {
      hint: "The CRM did not answer properly; the job is retried with backoff.",
      ...options,
      retryable: true,
      status: 502,
    });
  }
}
