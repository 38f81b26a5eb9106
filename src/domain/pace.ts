/**
 * Marketing's side of the SLA, week by week: MQLs delivered against the quarterly commitment, the pace still
 * needed and a straight-line projection to quarter end. Quarters and ISO weeks are read on the calendar of the
 * SLA's time zone, so a lead qualified late on Sunday in Berlin counts in Berlin's week. Pure; `now` passed in.
 */
import { isoWeek, localTime } from "./working-hours";

const DAY_MS = 86_400_000;

export interface QuarterBounds {
  /** "2026-Q4" */
  quarter: string;
  /** First local date of the quarter (YYYY-MM-DD). */
  start: string;
  /** First local date after the quarter (exclusive). */
  end: string;
  /** The instants of local midnight at `start` and `end`. */
  startAt: string;
  endAt: string;
  days: number;
}

export interface PaceWeekFigure {
  /** ISO week "2026-W48". */
  week: string;
  /** Monday of the week (YYYY-MM-DD, SLA timezone). */
  weekStart: string;
  delivered: number;
  cumulative: number;
  /** Straight-line share of the commitment due by the end of this week. */
  target: number;
  /** True for the current (partial) week and weeks after now. */
  future: boolean;
}

export interface PaceFigures {
  /** "2026-Q4". */
  quarter: string;
  quarterStart: string;
  quarterEnd: string;
  commitment: number;
  delivered: number;
  /** Weeks of the quarter that touch the quarter (partial first/last weeks count). */
  weeksTotal: number;
  /** Fractional weeks elapsed so far. */
  weeksElapsed: number;
  weeksRemaining: number;
  /** MQLs per remaining week needed to still meet the commitment (0 when met). */
  neededPerWeek: number;
  /** Average MQLs per elapsed week so far. */
  currentPerWeek: number;
  /** Straight-line projection of delivered to quarter end at the current rate. */
  projected: number;
  /** commitment − projected when positive, else 0. */
  shortfall: number;
  onTrack: boolean;
  weeks: PaceWeekFigure[];
}

export interface PaceInput {
  /** Instants (ISO) at which leads became MQLs; any order, any range (others are ignored). */
  mqlAt: readonly string[];
  commitment: number;
  timezone: string;
  now: Date;
}

function dayNumber(date: string): number {
  return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / DAY_MS;
}

function dateOf(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

/** The instant of local midnight starting `date` in `timeZone` (DST-safe to the minute). */
export function zonedMidnight(date: string, timeZone: string): Date {
  const wallMs = dayNumber(date) * DAY_MS;
  let t = wallMs;
  for (let i = 0; i < 3; i += 1) {
    const local = localTime(new Date(t), timeZone);
    const seen = dayNumber(local.date) * DAY_MS + local.minutes * 60_000;
    t += wallMs - seen;
  }
  return new Date(t);
}

/** The calendar quarter containing `now` in `timeZone`. */
export function quarterBounds(now: Date, timeZone: string): QuarterBounds {
  const today = localTime(now, timeZone).date;
  const year = Number(today.slice(0, 4));
  const q = Math.floor((Number(today.slice(5, 7)) - 1) / 3);
  const start = `${year}-${String(q * 3 + 1).padStart(2, "0")}-01`;
  const end = q === 3 ? `${year + 1}-01-01` : `${year}-${String(q * 3 + 4).padStart(2, "0")}-01`;
  return {
    quarter: `${year}-Q${q + 1}`,
    start,
    end,
    startAt: zonedMidnight(start, timeZone).toISOString(),
    endAt: zonedMidnight(end, timeZone).toISOString(),
    days: dayNumber(end) - dayNumber(start),
  };
}

/**
 * Delivered vs committed for the quarter containing `now`. Weeks are counted in days (a 92-day quarter has
 * 13.14 weeks) so that partial first and last weeks weigh what they are worth:
 * - `currentPerWeek` = delivered / elapsed weeks; `projected` = delivered + currentPerWeek × remaining weeks;
 * - `neededPerWeek` = (commitment − delivered) / remaining weeks; `shortfall` = commitment − projected (≥ 0);
 * - each week's `target` is the straight-line share of the commitment due by the end of that week.
 * @example computePace({ mqlAt: ["2026-10-05T10:00:00Z"], commitment: 130, timezone: "Europe/Berlin", now })
 */
export function computePace(input: PaceInput): PaceFigures {
  const { commitment, timezone, now } = input;
  const bounds = quarterBounds(now, timezone);
  const startDay = dayNumber(bounds.start);
  const endDay = dayNumber(bounds.end);
  const nowLocal = localTime(now, timezone);
  const elapsedDays = Math.min(bounds.days, dayNumber(nowLocal.date) - startDay + nowLocal.minutes / 1440);
  const nowMs = now.getTime();

  const perDay = new Map<number, number>();
  let delivered = 0;
  for (const at of input.mqlAt) {
    const ms = Date.parse(at);
    if (Number.isNaN(ms) || ms > nowMs) continue;
    const day = dayNumber(localTime(new Date(ms), timezone).date);
    if (day < startDay || day >= endDay) continue;
    perDay.set(day, (perDay.get(day) ?? 0) + 1);
    delivered += 1;
  }

  const weeks: PaceWeekFigure[] = [];
  let cumulative = 0;
  // Monday on or before the quarter's first day (1970-01-01, day 0, was a Thursday).
  let monday = startDay - ((startDay + 3) % 7);
  const todayDay = dayNumber(nowLocal.date);
  for (; monday < endDay; monday += 7) {
    let count = 0;
    for (let d = Math.max(monday, startDay); d < Math.min(monday + 7, endDay); d += 1)
      count += perDay.get(d) ?? 0;
    cumulative += count;
    const dueDays = Math.min(monday + 7, endDay) - startDay;
    weeks.push({
      week: isoWeek(dateOf(monday)),
      weekStart: dateOf(monday),
      delivered: count,
      cumulative,
      target: round1((commitment * dueDays) / bounds.days),
      future: monday + 7 > todayDay,
    });
  }

  const weeksTotal = bounds.days / 7;
  const weeksElapsed = elapsedDays / 7;
  const weeksRemaining = Math.max(0, weeksTotal - weeksElapsed);
  const missing = Math.max(0, commitment - delivered);
  const currentPerWeek = weeksElapsed > 0 ? delivered / weeksElapsed : 0;
  const projected = delivered + currentPerWeek * weeksRemaining;
  const neededPerWeek = missing === 0 ? 0 : weeksRemaining > 0 ? missing / weeksRemaining : missing;
  const shortfall = Math.max(0, commitment - projected);
  return {
    quarter: bounds.quarter,
    quarterStart: bounds.start,
    quarterEnd: dateOf(endDay - 1),
    commitment,
    delivered,
    weeksTotal: round1(weeksTotal),
    weeksElapsed: round1(weeksElapsed),
    weeksRemaining: round1(weeksRemaining),
    neededPerWeek: round1(neededPerWeek),
    currentPerWeek: round1(currentPerWeek),
    projected: round1(projected),
    shortfall: round1(shortfall),
    onTrack: projected >= commitment,
    weeks,
  };
}
