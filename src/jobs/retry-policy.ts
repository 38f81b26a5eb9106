import { AppError, CrmRateLimitedError } from "../domain/errors";

export type RetryDecision = { retryInMs: number } | { park: true; reason: string };

export interface RetryPolicyOptions {
  /** Attempts in all, the first included; unset = no cap, only the horizon. */
  maxAttempts?: number;
  /** @default 1000 */
  baseDelayMs?: number;
  /** @default 900000 (15 minutes) */
  maxDelayMs?: number;
  /**
   * How long an event keeps being retried after its first failure. HubSpot retries a webhook for 24 hours
   * and Salesforce an outbound message for 24 hours, so an outage shorter than theirs parks nothing.
   * @default 86400000 (24 hours)
   */
  horizonMs?: number;
}

/**
 * Pure: given the attempt that just failed (1-based), its error and how long the event has been failing,
 * wait or park. Non-retryable errors (bad token, validation) park at once; rate limits wait at least what
 * the CRM said; everything else backs off exponentially up to 15 minutes, for up to 24 hours.
 */
export function retryPolicy(
  attempt: number,
  error: AppError,
  options: RetryPolicyOptions = {},
  failingForMs = 0,
): RetryDecision {
  const base = options.baseDelayMs ?? 1000;
  const max = options.maxDelayMs ?? 900_000;
  const horizon = options.horizonMs ?? 86_400_000;
  if (!error.retryable) return { park: true, reason: `${error.code}: not retryable` };
  if (options.maxAttempts !== undefined && attempt >= options.maxAttempts)
    return { park: true, reason: `${error.code}: gave up after ${attempt} attempts` };
  if (failingForMs >= horizon) {
    return {
      park: true,
      reason: `${error.code}: still failing after ${Math.round(failingForMs / 3_600_000)} h (${attempt} attempts)`,
    };
  }
  const backoff = Math.min(max, base * 2 ** Math.min(30, attempt - 1));
  const floor = error instanceof CrmRateLimitedError ? error.retryAfterMs : 0;
  return { retryInMs: Math.max(backoff, floor) };
}

/** Wraps anything thrown into an AppError so the policy and the parked record have a code. */
export function asAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new AppError("handler_failed", message.slice(0, 500), {
    retryable: true,
    hint: "An unexpected error; see the logs for this event key, fix the cause, then replay.",
    cause: err,
  });
}
