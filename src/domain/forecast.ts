/**
 * What a draft SLA would have done to the same history: replay stored lead snapshots and their events in time
 * order, qualify each lead under the SLA at each event, route every new MQL through the routing simulation,
 * and add up MQLs per week, pace against the commitment, per-rep load against caps and the risk that the
 * first touch is missed given the reps' hours. Pure and allocation-light: the per-event path does no more
 * than one qualification of a lead that has not been handed over yet.
 */
import { counterPeriods } from "./availability";
import type { Activity, Lead, Stage } from "./lead";
import { qualifyLead, type LifecycleEvent } from "./lifecycle";
import { computePace, type PaceFigures } from "./pace";
import type { RoutingRules } from "./routing-rules";
import { createRoutingSimulation, type Roster } from "./routing-simulation";
import type { Sla } from "./sla";
import { isoWeek, localTime, parseWorkingHours, type LocalTime, type WorkingWeek } from "./working-hours";

const DAY_MS = 86_400_000;
const NO_HISTORY: readonly LifecycleEvent[] = [];

/** One lead as last seen: its fields and the activity known up to the end of the window. */
export interface ReplayLead {
  lead: Lead;
  activities: readonly Activity[];
}

/**
 * The history to replay. Events are parallel arrays (lead index, epoch ms) sorted by time, so a million of
 * them cost two typed arrays rather than a million objects.
 */
export interface ReplayHistory {
  leads: readonly ReplayLead[];
  eventLead: Int32Array;
  eventAt: Float64Array;
}

export interface ForecastOptions {
  sla: Sla;
  /** Start and end of the replayed window (the pace is computed for the quarter containing `until`). */
  since: Date;
  until: Date;
  /** Local holiday dates per rep key, for the breach estimate. */
  holidays?: Record<string, readonly string[]>;
  roster?: Roster;
  /** Called every `progressEvery` events and at the end with the events replayed so far. */
  onProgress?: (done: number) => void;
  /** @default 65536 */
  progressEvery?: number;
}

export interface RepLoadFigure {
  repKey: string;
  pool: string;
  assigned: number;
  /** Highest assigned in one local day / one ISO week of the replay. */
  peakPerDay: number;
  peakPerWeek: number;
  /** Caps from the SLA (null when uncapped). */
  capPerDay: number | null;
  capPerWeek: number | null;
  capOpen: number | null;
  /** Days and weeks on which the caps were hit. */
  daysOverCap: number;
  weeksOverCap: number;
}

export interface BreachRiskFigure {
  /** Handoffs replayed. */
  handoffs: number;
  /** Handoffs landing outside the assignee's working hours with less than the first-touch window left. */
  atRisk: number;
  /** atRisk / handoffs (0..1); null when none. */
  rate: number | null;
  /** Median business minutes from handoff until the rep's next working minute. */
  medianWaitMinutes: number | null;
}

export interface ForecastFigures {
  slaName: string;
  slaVersion: number;
  mqlThreshold: { fit: number; engagement: number };
  mqls: number;
  weeks: { week: string; weekStart: string; mqls: number }[];
  pace: PaceFigures;
  load: RepLoadFigure[];
  /** Leads that qualified but found no rep (fallback owner). */
  unrouted: number;
  breachRisk: BreachRiskFigure;
  events: number;
}

/** Stages Handoff itself sets are replayed from scratch; stages the CRM owns are kept. */
const REPLAYED_FROM_LEAD: ReadonlySet<Stage> = new Set<Stage>(["mql", "sql", "nurture"]);

function startingLead(lead: Lead): Lead {
  return lead.stage !== undefined && REPLAYED_FROM_LEAD.has(lead.stage) ? { ...lead, stage: "lead" } : lead;
}

/**
 * Replays `history` under `options.sla`. A lead is handed over at most once in the window (the first event at
 * which it qualifies); later events of that lead are skipped, as sales' feedback on a hypothetical handoff is
 * unknown.
 * @example forecastSla(history, { sla: draft, since: new Date("2026-08-25"), until: new Date("2026-11-23") })
 */
export function forecastSla(history: ReplayHistory, options: ForecastOptions): ForecastFigures {
  const { sla, since, until } = options;
  const timezone = sla.sla.timezone;
  const every = options.progressEvery ?? 65_536;
  const leads = history.leads.map((l) => ({ lead: startingLead(l.lead), activities: l.activities }));
  const handed = new Uint8Array(leads.length);
  const sinceMs = since.getTime();
  const untilMs = until.getTime();
  const mqlAt: string[] = [];
  const routing = createRoutingSimulation(withoutOpenCaps(sla.routing), options.roster);
  const load = new LoadTracker(sla);
  const risk = new BreachEstimator(sla, options.holidays ?? {});
  let unrouted = 0;
  const n = history.eventLead.length;
  let replayed = 0;

  for (let i = 0; i < n; i += 1) {
    if (i % every === 0 && i > 0) options.onProgress?.(i);
    const idx = history.eventLead[i] as number;
    if (handed[idx] === 1) continue;
    const at = history.eventAt[i] as number;
    if (at < sinceMs || at > untilMs) continue;
    replayed += 1;
    const item = leads[idx];
    if (!item) continue;
    const now = new Date(at);
    const q = qualifyLead(item.lead, item.activities, NO_HISTORY, sla, now);
    if (!q.decision.handoff) continue;
    handed[idx] = 1;
    const iso = now.toISOString();
    mqlAt.push(iso);
    const decision = routing.route(item.lead, iso);
    if (decision.repKey === undefined) unrouted += 1;
    else load.add(decision.repKey, decision.pool, now);
    risk.add(decision.repKey, now);
  }
  options.onProgress?.(n);

  return {
    slaName: sla.sla.name,
    slaVersion: sla.sla.version,
    mqlThreshold: { ...sla.qualify.mql },
    mqls: mqlAt.length,
    weeks: weeklyCounts(mqlAt, timezone, since, until),
    pace: computePace({ mqlAt, commitment: sla.commitment.mqlPerQuarter, timezone, now: until }),
    load: load.figures(),
    unrouted,
    breachRisk: risk.figures(),
    events: replayed,
  };
}

/**
 * The replay never learns when sales closes a lead, so open-lead caps would fill up after the first few dozen
 * handoffs and send the rest of a 90-day history to the fallback queue. They are left out of the simulation
 * (and reported next to each rep's load); per-day and per-week caps apply as they would live.
 */
function withoutOpenCaps(rules: RoutingRules): RoutingRules {
  const pools: RoutingRules["pools"] = {};
  for (const [name, pool] of Object.entries(rules.pools)) {
    const { capOpen: _pool, ...rest } = pool;
    pools[name] = rest;
  }
  const reps: RoutingRules["reps"] = {};
  for (const [key, rep] of Object.entries(rules.reps)) {
    const { capOpen: _rep, ...rest } = rep;
    reps[key] = rest;
  }
  return { ...rules, pools, reps };
}

function dayNumber(date: string): number {
  return Date.parse(`${date}T00:00:00Z`) / DAY_MS;
}

function dateOf(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** MQLs per ISO week (SLA zone) from the week of `since` to the week of `until`, empty weeks included. */
export function weeklyCounts(
  mqlAt: readonly string[],
  timezone: string,
  since: Date,
  until: Date,
): { week: string; weekStart: string; mqls: number }[] {
  const counts = new Map<string, number>();
  for (const at of mqlAt) {
    const week = isoWeek(localTime(new Date(at), timezone).date);
    counts.set(week, (counts.get(week) ?? 0) + 1);
  }
  const first = dayNumber(localTime(since, timezone).date);
  const last = dayNumber(localTime(until, timezone).date);
  const out: { week: string; weekStart: string; mqls: number }[] = [];
  for (let monday = first - ((first + 3) % 7); monday <= last; monday += 7) {
    const week = isoWeek(dateOf(monday));
    out.push({ week, weekStart: dateOf(monday), mqls: counts.get(week) ?? 0 });
  }
  return out;
}

/** Leads per rep per local day and ISO week, against the caps of the pool that routed them. */
class LoadTracker {
  private readonly reps = new Map<
    string,
    { pool: string; assigned: number; days: Map<string, number>; weeks: Map<string, number> }
  >();

  constructor(private readonly sla: Sla) {}

  add(repKey: string, pool: string | undefined, at: Date): void {
    let rep = this.reps.get(repKey);
    if (!rep) {
      rep = { pool: pool ?? "", assigned: 0, days: new Map(), weeks: new Map() };
      this.reps.set(repKey, rep);
    }
    const tz = this.sla.routing.reps[repKey]?.timezone ?? this.sla.sla.timezone;
    const p = counterPeriods(tz, at);
    rep.assigned += 1;
    rep.days.set(p.day, (rep.days.get(p.day) ?? 0) + 1);
    rep.weeks.set(p.week, (rep.weeks.get(p.week) ?? 0) + 1);
  }

  figures(): RepLoadFigure[] {
    const out: RepLoadFigure[] = [];
    for (const [repKey, r] of this.reps) {
      const pool = this.sla.routing.pools[r.pool];
      const capPerDay = pool?.capPerDay ?? null;
      const capPerWeek = pool?.capPerWeek ?? null;
      const days = [...r.days.values()];
      const weeks = [...r.weeks.values()];
      out.push({
        repKey,
        pool: r.pool,
        assigned: r.assigned,
        peakPerDay: Math.max(0, ...days),
        peakPerWeek: Math.max(0, ...weeks),
        capPerDay,
        capPerWeek,
        capOpen: this.sla.routing.reps[repKey]?.capOpen ?? pool?.capOpen ?? null,
        daysOverCap: capPerDay === null ? 0 : days.filter((d) => d >= capPerDay).length,
        weeksOverCap: capPerWeek === null ? 0 : weeks.filter((w) => w >= capPerWeek).length,
      });
    }
    return out.sort((a, b) => b.assigned - a.assigned || a.repKey.localeCompare(b.repKey));
  }
}

/** The fallback queue's calendar, as the pipeline's follow-up clock assumes it. */
const FALLBACK_HOURS = "Mon-Fri 09:00-17:00";
const FALLBACK = "(fallback)";

const WEEKDAY_INDEX: Record<LocalTime["weekday"], number> = {
  Sun: 0,
  Mon: 1,
  Tue: 2,
  Wed: 3,
  Thu: 4,
  Fri: 5,
  Sat: 6,
};
const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"] as const;

/**
 * Minutes from `local` until the rep's next open minute (0 when open now), skipping holidays; at most two
 * weeks ahead (a rep with no open hours at all is "never": 14 days).
 */
export function minutesUntilOpen(week: WorkingWeek, local: LocalTime, holidays: ReadonlySet<string>): number {
  const today = dayNumber(local.date);
  const weekday = WEEKDAY_INDEX[local.weekday];
  for (let d = 0; d < 14; d += 1) {
    if (holidays.size > 0 && holidays.has(dateOf(today + d))) continue;
    const spans = week[WEEKDAYS[(weekday + d) % 7] as LocalTime["weekday"]];
    for (const [start, end] of spans) {
      if (d === 0) {
        if (end > local.minutes) return Math.max(0, start - local.minutes);
      } else return d * 1440 + start - local.minutes;
    }
  }
  return 14 * 1440;
}

/**
 * A handoff is at risk when its rep cannot first touch it in time: with business-hours clocks, when the wait
 * until the rep's next open minute plus the first-touch time exceeds the SLA's wall-clock maximum; with
 * wall-clock clocks, when the wait alone reaches the first-touch deadline.
 */
class BreachEstimator {
  private handoffs = 0;
  private atRisk = 0;
  private readonly waits: number[] = [];
  private readonly weeks = new Map<string, WorkingWeek | null>();
  private readonly holidaySets = new Map<string, ReadonlySet<string>>();

  private readonly fallback: { hours: string; timezone: string };

  constructor(
    private readonly sla: Sla,
    private readonly holidays: Record<string, readonly string[]>,
  ) {
    this.fallback = { hours: FALLBACK_HOURS, timezone: sla.sla.timezone };
  }

  /** `repKey` undefined: the lead went to the fallback queue, worked on weekdays in the SLA's zone. */
  add(repKey: string | undefined, at: Date): void {
    const key = repKey ?? FALLBACK;
    const rep = repKey === undefined ? this.fallback : this.sla.routing.reps[repKey];
    this.handoffs += 1;
    if (!rep) return;
    let week = this.weeks.get(key);
    if (week === undefined) {
      const parsed = parseWorkingHours(rep.hours);
      week = "error" in parsed ? null : (parsed as WorkingWeek);
      this.weeks.set(key, week);
      this.holidaySets.set(key, new Set(this.holidays[key] ?? []));
    }
    if (week === null) return;
    const wait = minutesUntilOpen(week, localTime(at, rep.timezone), this.holidaySets.get(key) ?? new Set());
    this.waits.push(wait);
    const f = this.sla.followUp;
    const late = f.businessHours ? wait + f.firstTouch.minutes > f.max.minutes : wait >= f.firstTouch.minutes;
    if (late) this.atRisk += 1;
  }

  figures(): BreachRiskFigure {
    const sorted = this.waits.sort((a, b) => a - b);
    return {
      handoffs: this.handoffs,
      atRisk: this.atRisk,
      rate: this.handoffs > 0 ? Math.round((this.atRisk / this.handoffs) * 1000) / 1000 : null,
      medianWaitMinutes: sorted.length > 0 ? (sorted[Math.ceil(sorted.length / 2) - 1] ?? null) : null,
    };
  }
}
