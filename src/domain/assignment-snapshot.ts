/**
 * What an assignment store reads, locks and checks around one routing decision: the reps to lock, the state each
 * rep is in, the snapshot `routeLead` decides from, and the caps a taken slot must stay under. Every store (the
 * PostgreSQL one under row locks, the in-memory one in one turn) applies these same rules; only the storage differs.
 */
import { counterPeriods, effectiveCaps, type EffectiveCaps } from "./availability";
import type { Lead } from "./lead";
import { repsInvolved } from "./routing";
import type { RoutingRules } from "./routing-rules";
import {
  canonicalize,
  type AccountCandidate,
  type DuplicateCandidate,
  type OutOfOffice,
  type OwnerStatus,
  type RepState,
  type RoutingDecision,
  type RoutingInput,
} from "./routing-snapshot";

const DAY_MS = 86_400_000;

/** The lead's open assignment as a store keeps it. */
export interface OpenSlot {
  repKey: string | null;
  ownerId: string;
  decisionId: string;
}

/** A rep's stored availability, caps and load (`rep_state` and `rep_ooo` rows, or their in-memory twin). */
export interface StoredRep {
  away: boolean;
  awayReason: string | null;
  awaySince: Date | null;
  awayUntil: Date | null;
  /** Team-lead overrides; `perMonth` only when it was set for the rep's current month. */
  caps: { open: number | null; perDay: number | null; perWeek: number | null; perMonth?: number | null };
  open: number;
  ooo: readonly { startsAt: Date; endsAt: Date; reason: string | null }[];
}

/** Leads assigned to a rep in the local day, ISO week and month `repPeriods` names. */
export interface PeriodCounts {
  day: number;
  week: number;
  month: number;
}

/** The rep's counter periods (`d:2026-12-05`, `w:2026-W49`, `m:2026-12`) in the rep's time zone (UTC when unknown). */
export function repPeriods(
  rules: RoutingRules,
  repKey: string,
  now: Date,
): { day: string; week: string; month: string } {
  return counterPeriods(rules.reps[repKey]?.timezone ?? "UTC", now);
}

/** What a caller asks an assignment store to decide (the port's request carries these and more). */
export interface AssignmentAsk {
  lead: Lead;
  rules: RoutingRules;
  owners: OwnerStatus[];
  accounts?: AccountCandidate[];
  duplicates?: DuplicateCandidate[];
  /** CRM owner ids the lead must not go to. */
  excludeOwnerIds?: readonly string[];
  now: Date;
}

/**
 * The reps a decision may touch, in key order (two pools sharing reps then never lock them in opposite orders):
 * every rep the lead could go to, plus the rep who has it now (a reassignment frees that rep's slot).
 */
export function repsToLock(
  ask: Pick<AssignmentAsk, "lead" | "rules" | "accounts" | "duplicates">,
  current: OpenSlot | undefined,
): { pool?: string; repKeys: string[] } {
  const involved = repsInvolved({
    lead: ask.lead,
    rules: ask.rules,
    accounts: ask.accounts ?? [],
    duplicates: ask.duplicates ?? [],
  });
  const repKeys = [...new Set([...involved.reps, ...(current?.repKey ? [current.repKey] : [])])].sort();
  return { ...(involved.pool !== undefined ? { pool: involved.pool } : {}), repKeys };
}

/** What routing sees of a rep now: load, counters, an absence still running, today's absences, overriding caps. */
export function repStateOf(row: StoredRep, counts: PeriodCounts, now: Date): RepState {
  const at = now.getTime();
  const caps: NonNullable<RepState["caps"]> = {};
  if (row.caps.open !== null) caps.open = row.caps.open;
  if (row.caps.perDay !== null) caps.perDay = row.caps.perDay;
  if (row.caps.perWeek !== null) caps.perWeek = row.caps.perWeek;
  if (row.caps.perMonth !== undefined && row.caps.perMonth !== null) caps.perMonth = row.caps.perMonth;
  const ooo: OutOfOffice[] = row.ooo
    .filter((o) => o.startsAt.getTime() <= at && o.endsAt.getTime() > at)
    .sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime() || a.endsAt.getTime() - b.endsAt.getTime())
    .map((o) => ({
      from: o.startsAt.toISOString(),
      to: o.endsAt.toISOString(),
      ...(o.reason !== null ? { reason: o.reason } : {}),
    }));
  const awayNow = row.away && (row.awayUntil === null || row.awayUntil.getTime() > at);
  return {
    open: row.open,
    today: counts.day,
    week: counts.week,
    month: counts.month,
    ...(awayNow
      ? {
          away: {
            ...(row.awayReason !== null ? { reason: row.awayReason } : {}),
            ...(row.awaySince !== null ? { since: row.awaySince.toISOString() } : {}),
            ...(row.awayUntil !== null ? { until: row.awayUntil.toISOString() } : {}),
          },
        }
      : {}),
    ...(ooo.length > 0 ? { ooo } : {}),
    ...(Object.keys(caps).length > 0 ? { caps } : {}),
  };
}

/**
 * The public holidays of the calendars the reps follow, for the local days around `now` (two days either side
 * covers every time zone). `calendar` is the store's holiday calendar.
 */
export function holidaysAround(
  calendar: { between(codes: readonly string[], from: string, to: string): Record<string, string[]> },
  repKeys: readonly string[],
  rules: RoutingRules,
  now: Date,
): Record<string, string[]> {
  const day = (offset: number) => new Date(now.getTime() + offset * DAY_MS).toISOString().slice(0, 10);
  const codes = repKeys.map((k) => rules.reps[k]?.holidays).filter((c): c is string => c !== undefined);
  return calendar.between(codes, day(-2), day(2));
}

/** The canonical snapshot one decision is made from (and stored with, so a replay decides bit for bit again). */
export function assignmentInput(
  ask: AssignmentAsk,
  found: Pick<RoutingInput, "repStates" | "fairness" | "holidays"> & { current: OpenSlot | undefined },
): RoutingInput {
  const { current, ...state } = found;
  return canonicalize<RoutingInput>({
    lead: ask.lead,
    rules: ask.rules,
    owners: ask.owners,
    accounts: ask.accounts ?? [],
    duplicates: ask.duplicates ?? [],
    ...state,
    now: ask.now.toISOString(),
    ...(ask.excludeOwnerIds?.length ? { excludeOwnerIds: [...ask.excludeOwnerIds].sort() } : {}),
    ...(current
      ? {
          currentAssignment: {
            ownerId: current.ownerId,
            decisionId: current.decisionId,
            ...(current.repKey !== null ? { repKey: current.repKey } : {}),
          },
        }
      : {}),
  });
}

/**
 * One decision from what the store read under its locks: the snapshot, the router's decision, whether it takes a
 * slot (counted against caps) and whether it frees the current owner's slot (any outcome but "already assigned").
 */
export function decideAssignment(
  ask: AssignmentAsk,
  found: Parameters<typeof assignmentInput>[1],
  route: (input: RoutingInput) => RoutingDecision,
): { input: RoutingInput; decision: RoutingDecision; takesSlot: boolean; releasesCurrent: boolean } {
  const input = assignmentInput(ask, found);
  const decision = route(input);
  return {
    input,
    decision,
    takesSlot: decision.counts && decision.repKey !== undefined,
    releasesCurrent: found.current !== undefined && decision.method !== "already_assigned",
  };
}

/**
 * The caps a slot taken by `decision` must stay under, and the counters it bumps. Account and duplicate owners
 * keep their accounts' leads beyond caps (see routing.ts), so only a round-robin pick is capped.
 */
export function slotLimits(
  decision: RoutingDecision,
  rules: RoutingRules,
  states: Record<string, RepState>,
  now: Date,
): { repKey: string; caps: EffectiveCaps; periods: { day: string; week: string; month: string } } {
  const repKey = decision.repKey as string;
  const rep = rules.reps[repKey];
  const caps =
    decision.method === "round_robin"
      ? effectiveCaps(
          rep,
          decision.pool === undefined ? undefined : rules.pools[decision.pool],
          states[repKey],
        )
      : {};
  return { repKey, caps, periods: repPeriods(rules, repKey, now) };
}
