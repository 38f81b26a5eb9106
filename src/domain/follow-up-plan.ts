/**
 * What happens, and when, while sales has not touched a handed-over lead: reminders, the escalation to the
 * manager, the reassignment to another rep; and how the lead's touch cadence stands. Pure: instants in,
 * instants out, `now` passed in.
 */
import { businessMinutesBetween, followUpDeadline, type BusinessCalendar } from "./follow-up";
import type { FollowUp } from "./sla";
import { isOpen, localTime, parseWorkingHours, type WorkingWeek } from "./working-hours";

export type FollowUpStepKind = "reminder" | "escalation" | "reassignment" | "cadence" | "next_touch";

export interface FollowUpStep {
  /** Stable within a handoff ("reminder-1", "escalation", "reassignment", "cadence-4"): one job per key. */
  key: string;
  kind: FollowUpStepKind;
  /** ISO instant the step fires. */
  at: string;
  /** Reminders only: the share of the first-touch clock that has run out (0.5, 1). */
  fraction?: number;
  /** Position among the handoff's steps when added after the plan (the next touch comes after all of them). */
  seq?: number;
}

/** After every planned step: the next-touch check is added once the first touch is known. */
const NEXT_TOUCH_SEQ = 1000;

/**
 * The check that the second touch came in time: `nextTouch` after the first touch, counted in the owner's
 * business minutes when the tier says so.
 * @example planNextTouch(handoff.firstTouchAt, terms, calendar)
 */
export function planNextTouch(
  firstTouchAt: string,
  terms: Pick<FollowUp, "businessHours" | "nextTouch">,
  calendar: BusinessCalendar | undefined,
): FollowUpStep | undefined {
  if (!terms.nextTouch) return undefined;
  const at = followUpDeadline(firstTouchAt, {
    minutes: terms.nextTouch.minutes,
    ...(terms.businessHours && calendar ? { calendar } : {}),
  });
  return { key: "next-touch", kind: "next_touch", at, seq: NEXT_TOUCH_SEQ };
}

export interface FollowUpPlanInput {
  /** When the clock started and when the first touch is due (HandoffRecord.startedAt / dueAt). */
  startedAt: string;
  dueAt: string;
  /** The owner's calendar; without one (or with `businessHours: false`) time is wall-clock. */
  calendar?: BusinessCalendar | undefined;
  /** The handoff's tier terms (`followUpTerms`) and the SLA's cadence. */
  followUp: Pick<FollowUp, "businessHours" | "remindAt" | "reassignAfter" | "cadence">;
}

const MINUTE = 60_000;
/** Shares of the cadence window at which the touches are polled again. */
const CADENCE_CHECKS = [0.25, 0.5, 0.75, 1];

/**
 * The ordered timers of one handoff.
 * - Reminders at each `remindAt` fraction of the first-touch clock, counted in the owner's business minutes
 *   (a 30-minute clock started Friday 17:45 in Berlin reminds at 50 % on Friday 17:59 and at 100 % on
 *   Monday 09:15). When the clock was cut short by `max`, the fractions are of what actually ran.
 * - The escalation to the manager at 100 % (the deadline), after the 100 % reminder.
 * - The reassignment `reassignAfter` of wall-clock time after the deadline, moved to the owner's next open
 *   minute: a lead is never taken away from a rep who is off work and cannot have touched it.
 * - Cadence checks at each quarter of the cadence window (started at handoff), the last at its end, so
 *   the card and the reports see a rep falling behind while there is time to catch up.
 * Steps at the same instant keep that order.
 * @example planFollowUp({ startedAt, dueAt, calendar, followUp: { ...terms, cadence: sla.followUp.cadence } })
 */
export function planFollowUp(input: FollowUpPlanInput): FollowUpStep[] {
  const { startedAt, dueAt, followUp } = input;
  const calendar = followUp.businessHours ? input.calendar : undefined;
  const steps: FollowUpStep[] = [];
  const businessTotal = calendar ? businessMinutesBetween(startedAt, dueAt, calendar) : 0;
  followUp.remindAt.forEach((fraction, i) => {
    steps.push({
      key: `reminder-${i + 1}`,
      kind: "reminder",
      at: fractionOfClock(startedAt, dueAt, fraction, calendar, businessTotal),
      fraction,
    });
  });
  steps.push({ key: "escalation", kind: "escalation", at: normalise(dueAt) });
  const reassignAt = new Date(Date.parse(dueAt) + followUp.reassignAfter.minutes * MINUTE).toISOString();
  steps.push({
    key: "reassignment",
    kind: "reassignment",
    at: calendar ? nextOpenMinute(reassignAt, calendar) : reassignAt,
  });
  const windowMs = followUp.cadence.within.minutes * MINUTE;
  CADENCE_CHECKS.forEach((share, i) => {
    steps.push({
      key: `cadence-${i + 1}`,
      kind: "cadence",
      at: new Date(Date.parse(startedAt) + Math.round(windowMs * share)).toISOString(),
    });
  });
  const order: Record<FollowUpStepKind, number> = {
    reminder: 0,
    escalation: 1,
    reassignment: 2,
    cadence: 3,
    next_touch: 4,
  };
  return steps
    .map((s, index) => ({ s, index }))
    .sort(
      (a, b) =>
        Date.parse(a.s.at) - Date.parse(b.s.at) || order[a.s.kind] - order[b.s.kind] || a.index - b.index,
    )
    .map(({ s }) => s);
}

function normalise(iso: string): string {
  return new Date(Date.parse(iso)).toISOString();
}

function fractionOfClock(
  startedAt: string,
  dueAt: string,
  fraction: number,
  calendar: BusinessCalendar | undefined,
  businessTotal: number,
): string {
  if (fraction >= 1) return normalise(dueAt);
  if (calendar && businessTotal > 0) {
    const minutes = Math.round(businessTotal * fraction);
    const at = followUpDeadline(startedAt, { minutes, calendar });
    return Date.parse(at) > Date.parse(dueAt) ? normalise(dueAt) : at;
  }
  // No business minute in the window (a clock started on Saturday and capped by `max`): wall-clock shares.
  const start = Date.parse(startedAt);
  const wall = Math.round(((Date.parse(dueAt) - start) * fraction) / MINUTE) * MINUTE;
  return new Date(start + wall).toISOString();
}

/** The first open, non-holiday minute at or after `iso` (or `iso` itself when the calendar has none). */
export function nextOpenMinute(iso: string, calendar: BusinessCalendar): string {
  const parsed = parseWorkingHours(calendar.hours);
  if ("error" in parsed) return iso;
  const week = parsed as WorkingWeek;
  const holidays = new Set(calendar.holidays);
  const start = Math.ceil(Date.parse(iso) / MINUTE) * MINUTE;
  // Three weeks covers any holiday season; a calendar without open hours keeps the instant.
  for (let t = start, i = 0; i < 60 * 24 * 21; t += MINUTE, i++) {
    const local = localTime(new Date(t), calendar.timeZone);
    if (!holidays.has(local.date) && isOpen(week, local)) return new Date(t).toISOString();
  }
  return iso;
}

/** A touch that counts for the cadence. */
export interface CadenceTouch {
  kind: "call" | "email" | "meeting" | "task_completed" | "status_change";
  occurredAt: string;
}

export type CadenceStatus = "on_track" | "behind" | "complete";

export interface CadenceCompliance {
  calls: { done: number; required: number };
  emails: { done: number; required: number };
  /** ISO end of the cadence window (handoff start + `cadence.within`). */
  windowEnd: string;
  /**
   * `complete`: both minimums met inside the window. `behind`: fewer touches than a steady pace would have
   * by now (required × elapsed share of the window, rounded down), or the window closed short. Otherwise
   * `on_track`.
   */
  status: CadenceStatus;
}

/**
 * The SLA's minimum touches (e.g. 3 calls + 3 e-mails within 14 days) against what was logged.
 * Only touches inside [startedAt, windowEnd) count; meetings count as calls (a conversation happened).
 * @example cadenceCompliance(touches, sla.followUp.cadence, handoff.startedAt, now)
 */
export function cadenceCompliance(
  touches: readonly CadenceTouch[],
  cadence: FollowUp["cadence"],
  startedAt: string,
  now: Date,
): CadenceCompliance {
  const start = Date.parse(startedAt);
  const end = start + cadence.within.minutes * MINUTE;
  const inWindow = touches.filter((t) => {
    const at = Date.parse(t.occurredAt);
    return at >= start && at < end;
  });
  const calls = inWindow.filter((t) => t.kind === "call" || t.kind === "meeting").length;
  const emails = inWindow.filter((t) => t.kind === "email").length;
  const result = {
    calls: { done: calls, required: cadence.calls },
    emails: { done: emails, required: cadence.emails },
    windowEnd: new Date(end).toISOString(),
  };
  if (calls >= cadence.calls && emails >= cadence.emails) return { ...result, status: "complete" };
  const elapsed = Math.min(1, Math.max(0, (now.getTime() - start) / (end - start || 1)));
  const expected = (required: number) => Math.floor(required * elapsed);
  const behind = calls < expected(cadence.calls) || emails < expected(cadence.emails);
  return { ...result, status: behind ? "behind" : "on_track" };
}
