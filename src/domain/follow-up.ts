/**
 * The follow-up clock: how long sales has to first touch a handed-over lead, counted in the owner's business
 * minutes (working hours in their time zone, minus public holidays) when the SLA says so. Pure.
 */
import { isOpen, localTime, parseWorkingHours, type WorkingWeek } from "./working-hours";

export interface BusinessCalendar {
  /** e.g. "Mon-Fri 09:00-18:00". */
  hours: string;
  timeZone: string;
  /** Local `YYYY-MM-DD` public holidays. */
  holidays: readonly string[];
}

export interface FollowUpClock {
  /** Minutes of the deadline (business minutes when `calendar` is given). */
  minutes: number;
  /** The deadline never goes beyond start + maxMinutes of wall-clock time. */
  maxMinutes?: number;
  calendar?: BusinessCalendar;
}

const MINUTE = 60_000;
/** No calendar can push a deadline further than this (a roster with no open hours at all). */
const SEARCH_LIMIT_MINUTES = 60 * 24 * 31;

/**
 * The instant by which the first touch is due. With a calendar, only open, non-holiday minutes count:
 * a 30-minute clock started on Friday 17:45 in Berlin runs 15 minutes on Friday and 15 on Monday.
 * @example followUpDeadline("2026-11-20T16:45:00Z", { minutes: 30, calendar: { hours: "Mon-Fri 09:00-18:00", timeZone: "Europe/Berlin", holidays: [] } })
 */
export function followUpDeadline(startIso: string, clock: FollowUpClock): string {
  const start = Math.ceil(Date.parse(startIso) / MINUTE) * MINUTE;
  const cap = clock.maxMinutes === undefined ? Number.POSITIVE_INFINITY : start + clock.maxMinutes * MINUTE;
  if (!clock.calendar) return new Date(Math.min(start + clock.minutes * MINUTE, cap)).toISOString();
  const parsed = parseWorkingHours(clock.calendar.hours);
  const week: WorkingWeek | undefined = "error" in parsed ? undefined : (parsed as WorkingWeek);
  if (!week) return new Date(Math.min(start + clock.minutes * MINUTE, cap)).toISOString();
  const holidays = new Set(clock.calendar.holidays);
  let remaining = clock.minutes;
  let t = start;
  for (let i = 0; i < SEARCH_LIMIT_MINUTES && remaining > 0; i += 1) {
    const local = localTime(new Date(t), clock.calendar.timeZone);
    if (!holidays.has(local.date) && isOpen(week, local)) remaining -= 1;
    t += MINUTE;
    if (t >= cap) return new Date(cap).toISOString();
  }
  return new Date(t).toISOString();
}

/** Business minutes elapsed between two instants on a calendar (for "time to first touch" reports). */
export function businessMinutesBetween(fromIso: string, toIso: string, calendar: BusinessCalendar): number {
  const parsed = parseWorkingHours(calendar.hours);
  if ("error" in parsed) return Math.max(0, Math.round((Date.parse(toIso) - Date.parse(fromIso)) / MINUTE));
  const week = parsed as WorkingWeek;
  const holidays = new Set(calendar.holidays);
  let n = 0;
  const end = Date.parse(toIso);
  for (
    let t = Math.ceil(Date.parse(fromIso) / MINUTE) * MINUTE, i = 0;
    t < end && i < SEARCH_LIMIT_MINUTES;
    t += MINUTE, i++
  ) {
    const local = localTime(new Date(t), calendar.timeZone);
    if (!holidays.has(local.date) && isOpen(week, local)) n += 1;
  }
  return n;
}
