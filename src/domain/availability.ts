/**
 * Is this rep eligible for a lead right now, and if not, why — in words a team lead understands:
 * "away until 2026-11-30 (vacation)", "25/25 open", "outside working hours (Sat 10:12 Europe/Berlin)".
 */
import type { Pool, Rep } from "./routing-rules";
import type { OwnerStatus, RepState } from "./routing-snapshot";
import { isoWeek, isOpen, localTime, parseWorkingHours, type LocalTime } from "./working-hours";

/** Why a rep is not eligible. Absences (away, out of office, holiday, deactivated) matter for fairness. */
export type IneligibleKind =
  | "unknown_rep"
  | "not_in_crm"
  | "deactivated"
  | "away"
  | "out_of_office"
  | "holiday"
  | "outside_hours"
  | "bad_schedule"
  | "zero_weight"
  | "cap_open"
  | "cap_day"
  | "cap_week"
  | "cap_month"
  /** Reassignment after a missed follow-up never goes back to someone who had the lead. */
  | "previous_assignee";

export type Eligibility = { eligible: true } | { eligible: false; kind: IneligibleKind; reason: string };

/** Kinds that mean "this rep is gone for a while" (as opposed to "busy" or "after hours"). */
export const ABSENCE_KINDS: ReadonlySet<IneligibleKind> = new Set([
  "away",
  "out_of_office",
  "holiday",
  "deactivated",
]);

/** The caps that apply to a rep in a pool: team-lead override → rep override → pool. */
export interface EffectiveCaps {
  open?: number;
  perDay?: number;
  perWeek?: number;
  perMonth?: number;
}

export function effectiveCaps(
  rep: Rep | undefined,
  pool: Pool | undefined,
  state: RepState | undefined,
): EffectiveCaps {
  const caps: EffectiveCaps = {};
  const open = state?.caps?.open ?? rep?.capOpen ?? pool?.capOpen;
  const perDay = state?.caps?.perDay ?? pool?.capPerDay;
  const perWeek = state?.caps?.perWeek ?? pool?.capPerWeek;
  if (open !== undefined) caps.open = open;
  if (perDay !== undefined) caps.perDay = perDay;
  if (perWeek !== undefined) caps.perWeek = perWeek;
  const perMonth = state?.caps?.perMonth ?? rep?.capPerMonth ?? pool?.capPerMonth;
  if (perMonth !== undefined) caps.perMonth = perMonth;
  return caps;
}

/** Counter periods of a rep at an instant, in the rep's time zone: `d:2026-11-23`, `w:2026-W48`, `m:2026-11`. */
export function counterPeriods(timezone: string, now: Date): { day: string; week: string; month: string } {
  let date: string;
  try {
    date = localTime(now, timezone).date;
  } catch {
    date = now.toISOString().slice(0, 10);
  }
  return { day: `d:${date}`, week: `w:${isoWeek(date)}`, month: `m:${date.slice(0, 7)}` };
}

function day(iso: string): string {
  return iso.slice(0, 10);
}

export interface EligibilityOptions {
  /**
   * Skip the working-hours and public-holiday checks: an account's or duplicate's owner keeps the lead at night
   * and over a holiday (the follow-up clock runs on their business hours), rather than splitting the account.
   * Away and out-of-office still route the lead on.
   */
  ignoreHours?: boolean;
  /** Skip the caps (account ownership beats capacity). */
  ignoreCaps?: boolean;
  /** Company days off (`YYYY-MM-DD`, read in each rep's zone): nobody takes leads on them. */
  daysOff?: readonly string[];
}

/**
 * Checks, in this order: known rep, active in the CRM, not away, not out of office, not on a public holiday,
 * inside working hours in the rep's zone, under the open/day/week caps.
 */
export function checkEligibility(
  rep: Rep | undefined,
  owners: ReadonlyMap<string, OwnerStatus>,
  state: RepState | undefined,
  pool: Pool | undefined,
  holidays: Record<string, string[]>,
  now: Date,
  options: EligibilityOptions = {},
): Eligibility {
  if (!rep) return no("unknown_rep", `not in the SLA's reps list`);
  const owner = owners.get(rep.crmId);
  if (!owner) return no("not_in_crm", `owner ${rep.crmId} not found in the CRM`);
  if (!owner.active) return no("deactivated", `deactivated in the CRM (owner ${rep.crmId})`);

  const away = state?.away;
  if (away && (away.until === undefined || Date.parse(away.until) > now.getTime())) {
    const until = away.until === undefined ? "further notice" : day(away.until);
    return no("away", `away until ${until}${away.reason ? ` (${away.reason})` : ""}`);
  }
  const ooo = state?.ooo?.find(
    (o) => Date.parse(o.from) <= now.getTime() && now.getTime() < Date.parse(o.to),
  );
  if (ooo)
    return no("out_of_office", `out of office until ${day(ooo.to)}${ooo.reason ? ` (${ooo.reason})` : ""}`);

  if (!options.ignoreHours) {
    let local: LocalTime;
    try {
      local = localTime(now, rep.timezone);
    } catch {
      return no(
        "bad_schedule",
        `time zone "${rep.timezone}" is unknown; use an IANA name such as Europe/Berlin`,
      );
    }
    if (rep.holidays && holidays[rep.holidays]?.includes(local.date)) {
      return no("holiday", `public holiday in ${rep.holidays} (${local.date})`);
    }
    if (options.daysOff?.includes(local.date)) return no("holiday", `company day off (${local.date})`);
    const week = parseWorkingHours(rep.hours);
    if ("error" in week) return no("bad_schedule", week.error);
    if (!isOpen(week, local)) {
      return no("outside_hours", `outside working hours (${local.weekday} ${local.clock} ${rep.timezone})`);
    }
  }

  if (!options.ignoreCaps) {
    const caps = effectiveCaps(rep, pool, state);
    const open = state?.open ?? 0;
    const today = state?.today ?? 0;
    const week = state?.week ?? 0;
    if (caps.open !== undefined && open >= caps.open) return no("cap_open", `${open}/${caps.open} open`);
    if (caps.perDay !== undefined && today >= caps.perDay)
      return no("cap_day", `${today}/${caps.perDay} today`);
    if (caps.perWeek !== undefined && week >= caps.perWeek)
      return no("cap_week", `${week}/${caps.perWeek} this week`);
    const month = state?.month ?? 0;
    if (caps.perMonth !== undefined && month >= caps.perMonth)
      return no("cap_month", `${month}/${caps.perMonth} this month`);
  }
  return { eligible: true };
}

function no(kind: IneligibleKind, reason: string): Eligibility {
  return { eligible: false, kind, reason };
}
