import type { Duration } from "./sla";

const DURATION = /^(\d+(?:\.\d+)?)\s*(m|min|mins|minutes?|h|hours?|d|days?|w|weeks?)$/i;
const UNIT_MINUTES: Record<string, number> = { m: 1, h: 60, d: 1440, w: 10080 };

/** Parses "30m", "4h", "1d", "2w" (also "30 minutes", "14 days"); undefined when it is not a duration. */
export function parseDuration(text: string | number): Duration | undefined {
  const source = String(text).trim();
  const m = DURATION.exec(source);
  if (!m || m[1] === undefined || m[2] === undefined) return undefined;
  const unit = m[2].toLowerCase().startsWith("min") ? "m" : m[2].toLowerCase().charAt(0);
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
