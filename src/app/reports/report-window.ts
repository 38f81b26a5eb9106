import { AppError } from "../../domain/errors";

const UNITS: Record<string, number> = { h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/**
 * A window start from "90d", "12w", "36h" (back from `now`) or an ISO date/instant.
 * @example parseSince("90d", now) // 90 days before now
 */
export function parseSince(text: string | undefined, now: Date, fallback = "90d"): Date {
  const value = (text ?? fallback).trim();
  const relative = /^(\d{1,5})\s*([hdw])$/.exec(value);
  if (relative) return new Date(now.getTime() - Number(relative[1]) * (UNITS[relative[2] as string] ?? 0));
  const ms = Date.parse(value);
  if (/^\d{4}-\d{2}-\d{2}/.test(value) && !Number.isNaN(ms)) {
    if (ms > now.getTime()) throw invalidSince(value, "is in the future");
    return new Date(ms);
  }
  throw invalidSince(value, "is neither a span nor a date");
}

function invalidSince(value: string, why: string): AppError {
  return new AppError("invalid_since", `since "${value}" ${why}`, {
    hint: 'Use a span back from now such as "90d", "12w" or "36h", or an ISO date such as 2026-09-01.',
  });
}
