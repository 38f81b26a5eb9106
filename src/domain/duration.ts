import type { Duration } from "./sla";

const DURATION = /^(\d+(?:\.\d+)?)\s*(m|min|mins|minutes?|h|hours?|d|days?|w|weeks?|mo|months?)$/i;
/** A month is 30 days: durations are spans of time, not calendar arithmetic. */
const UNIT_MINUTES: Record<string, number> = { m: 1, h: 60, d: 1440, w: 10080, mo: 43200 };

/** True when the duration was written in minutes ("1m"): easy to mistake for a month. */
export function writtenInMinutes(duration: Duration): boolean {
  return /^\d+(?:\.\d+)?\s*(m|min|mins|minutes?)$/i.test(duration.text);
}

/**
 * Parses "30m", "4h", "1d", "2w", "3mo" (also "30 minutes", "14 days", "1 month" = 30 days); undefined when it
 * is not a duration. "m" is minutes, as everywhere in the SLA; months are "mo" or "month(s)".
 */
export function parseDuration(text: string | number): Duration | undefined {
  const source = String(text).trim();
  const m = DURATION.exec(source);
  if (!m || m[1] === undefined || m[2] === undefined) return undefined;
  const word = m[2].toLowerCase();
  const unit = word.startsWith("min") ? "m" : word.startsWith("mo") ? "mo" : word.charAt(0);
  const minutes = Number(m[1]) * (UNIT_MINUTES[unit] ?? 1);
  return { text: source, minutes };
}

/** Whole and fractional days in a duration. */
export function durationDays(duration: Duration): number {
  return duration.minutes / 1440;
}

/** Adds a duration to an ISO instant (wall-clock minutes; business hours are the follow-up clock's job). */
export function addDuration(iso: string, duration: Duration): string {
  return new Date(Date.parse(iso) + duration.minutes * 60_000).toISOString();
}
