/**
 * Working hours and local calendar math for reps, with the built-in Intl API only (the domain imports no
 * library). Public holidays arrive as data: `YYYY-MM-DD` local dates per country code.
 */

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** Opening minutes of one weekday: [start, end) in minutes after local midnight. */
export type WorkingWeek = Record<Weekday, [number, number][]>;

/** The local wall-clock reading of an instant in a time zone. */
export interface LocalTime {
  /** `YYYY-MM-DD` */
  date: string;
  weekday: Weekday;
  /** Minutes after local midnight. */
  minutes: number;
  /** `HH:MM` */
  clock: string;
}

// Formatters are expensive to build and the same few zones are used for every lead.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      weekday: "short",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Whether `timeZone` is an IANA zone this runtime knows. */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

// UTC offsets only change on quarter-hour boundaries, so one Intl call per zone and quarter hour is enough
// (formatToParts is by far the most expensive step of a routing decision).
const QUARTER_HOUR = 15 * 60_000;
const offsets = new Map<string, number>();

function offsetMinutes(instant: Date, timeZone: string): number {
  const bucket = Math.floor(instant.getTime() / QUARTER_HOUR);
  const key = `${timeZone}|${bucket}`;
  let offset = offsets.get(key);
  if (offset === undefined) {
    const at = new Date(bucket * QUARTER_HOUR);
    const parts: Record<string, string> = {};
    for (const p of formatterFor(timeZone).formatToParts(at)) parts[p.type] = p.value;
    const wall = Date.UTC(
      Number(parts.year),
      Number(parts.month) - 1,
      Number(parts.day),
      Number(parts.hour) % 24,
      Number(parts.minute),
    );
    offset = Math.round((wall - at.getTime()) / 60_000);
    if (offsets.size > 10_000) offsets.clear();
    offsets.set(key, offset);
  }
  return offset;
}

/**
 * The wall-clock time of `instant` in `timeZone`.
 * @throws RangeError for an unknown time zone
 */
export function localTime(instant: Date, timeZone: string): LocalTime {
  const wall = new Date(instant.getTime() + offsetMinutes(instant, timeZone) * 60_000);
  const hour = wall.getUTCHours();
  const minute = wall.getUTCMinutes();
  return {
    date: wall.toISOString().slice(0, 10),
    weekday: WEEKDAYS[wall.getUTCDay()] as Weekday,
    minutes: hour * 60 + minute,
    clock: `${String(hour).padStart(2, "0")}:${String(minute).padStart(2, "0")}`,
  };
}

/** ISO-8601 week of a `YYYY-MM-DD` date, as `2026-W48`. */
export function isoWeek(date: string): string {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d));
  const dayNumber = (t.getUTCDay() + 6) % 7; // Monday = 0
  t.setUTCDate(t.getUTCDate() - dayNumber + 3); // the Thursday of this week decides the year
  const weekYear = t.getUTCFullYear();
  const firstThursday = new Date(Date.UTC(weekYear, 0, 4));
  const days = (t.getTime() - firstThursday.getTime()) / 86_400_000;
  const week = 1 + Math.round((days - 3 + ((firstThursday.getUTCDay() + 6) % 7)) / 7);
  return `${weekYear}-W${String(week).padStart(2, "0")}`;
}

function parseClock(text: string): number | undefined {
  const m = /^(\d{1,2}):(\d{2})$/.exec(text);
  if (!m) return undefined;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (min > 59 || h > 24 || (h === 24 && min !== 0)) return undefined;
  return h * 60 + min;
}

function parseDays(spec: string): Weekday[] | undefined {
  const days: Weekday[] = [];
  for (const part of spec.split(",")) {
    const [from, to] = part.split("-").map((s) => s.trim().slice(0, 3).toLowerCase());
    const a = WEEKDAYS.findIndex((d) => d.toLowerCase() === from);
    if (a < 0) return undefined;
    if (to === undefined) {
      days.push(WEEKDAYS[a] as Weekday);
      continue;
    }
    const b = WEEKDAYS.findIndex((d) => d.toLowerCase() === to);
    if (b < 0) return undefined;
    for (let i = a; ; i = (i + 1) % 7) {
      days.push(WEEKDAYS[i] as Weekday);
      if (i === b) break;
    }
  }
  return days;
}

/**
 * Reads working hours such as `"Mon-Fri 09:00-18:00"`, `"Mon-Thu 09:00-18:00; Fri 09:00-14:00"`,
 * `"Mon,Wed 08:00-12:00 13:00-17:00"` (a lunch break), an overnight shift `"Mon-Fri 22:00-06:00"` (the days
 * are those the shift starts on) or `"24/7"`.
 * @returns the week, or a message saying what cannot be read
 */
export function parseWorkingHours(text: string): WorkingWeek | { error: string } {
  let parsed = parsedHours.get(text);
  if (!parsed) {
    parsed = readWorkingHours(text);
    if (parsedHours.size > 1_000) parsedHours.clear();
    parsedHours.set(text, parsed);
  }
  return parsed;
}

// A roster has a handful of distinct schedules; read each once. Callers never mutate the result.
const parsedHours = new Map<string, WorkingWeek | { error: string }>();

function readWorkingHours(text: string): WorkingWeek | { error: string } {
  const week: WorkingWeek = { Sun: [], Mon: [], Tue: [], Wed: [], Thu: [], Fri: [], Sat: [] };
  const trimmed = text.trim();
  if (/^(24\/7|always)$/i.test(trimmed)) {
    for (const d of WEEKDAYS) week[d].push([0, 1440]);
    return week;
  }
  const segments = trimmed
    .split(";")
    .map((s) => s.trim())
    .filter(Boolean);
  if (segments.length === 0)
    return { error: `working hours "${text}" are empty; write e.g. "Mon-Fri 09:00-18:00"` };
  for (const segment of segments) {
    const [daySpec, ...ranges] = segment.split(/\s+/);
    const days = daySpec === undefined ? undefined : parseDays(daySpec);
    if (!days) return { error: `cannot read the days "${daySpec ?? ""}" in "${text}"; write e.g. "Mon-Fri"` };
    if (ranges.length === 0)
      return { error: `no hours after "${daySpec ?? ""}" in "${text}"; add e.g. "09:00-18:00"` };
    for (const range of ranges) {
      const [a, b] = range.split("-");
      const start = a === undefined ? undefined : parseClock(a);
      const end = b === undefined ? undefined : parseClock(b);
      if (start === undefined || end === undefined || end === start || start === 1440) {
        return {
          error: `cannot read the hours "${range}" in "${text}"; write e.g. "09:00-18:00" (24:00 for midnight)`,
        };
      }
      for (const d of days) {
        if (end > start) {
          week[d].push([start, end]);
          continue;
        }
        // An overnight shift ("22:00-06:00") runs into the next day: the days named are the days it starts.
        week[d].push([start, 1440]);
        if (end > 0) week[WEEKDAYS[(WEEKDAYS.indexOf(d) + 1) % 7] as Weekday].push([0, end]);
      }
    }
  }
  return week;
}

/** Whether the local time falls inside the working week. */
export function isOpen(week: WorkingWeek, at: LocalTime): boolean {
  return week[at.weekday].some(([start, end]) => at.minutes >= start && at.minutes < end);
}
