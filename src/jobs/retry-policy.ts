import { AppError, CrmRateLimitedError } from "../domain/errors";

export type RetryDecision = { retryInMs: number } | { park: true; reason: string };

export interface RetryPolicyOptions {
  /** Attempts in all, the first included. @default 6 */
  maxAttempts?: number;
  /** @default 1000 */
  baseDelayMs?: number;
  /** @default 300000 (5 minutes) */
  maxDelayMs?: number;
}

/**
 * Pure: given the attempt that just failed (1-based) and its error, wait or park.
 * Non-retryable errors (bad token, validation) park at once; rate limits wait at least what the CRM said;
 * everything else backs off exponentially.
 */
export function retryPolicy(
  attempt: number,
  error: AppError,
  options: RetryPolicyOptions = {},
): RetryDecision {
  const maxAttempts = options.maxAttempts ?? 6;
  const base = options.baseDelayMs ?? 1000;
  const max = options.maxDelayMs ?? 300_000;
  if (!error.retryable) return { park: true, reason: `${error.code}: not retryable` };
  if (attempt >= maxAttempts)
    return { park: true, reason: `${error.code}: gave up after ${attempt} attempts` };
  const backoff = Math.min(max, base * 2 ** (attempt - 1));
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
