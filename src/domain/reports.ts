/**
 * Sales' side of the SLA and marketing's experiments, as pure aggregations over rows the app layer loads:
 * follow-up compliance, acceptance and reject reasons, per-rule precision, channels per week, and fairness
 * per pool. Plain data in, plain data out; `now` passed in.
 */
import { localTime, isoWeek, isOpen, parseWorkingHours, type WorkingWeek } from "./working-hours";
import { DEFAULT_TIER } from "./follow-up-tier";
import type { Pool, Rep } from "./routing-rules";
import type { Vocabulary } from "./sla";

const MINUTE = 60_000;

export type HandoffStatus = "open" | "accepted" | "rejected" | "reassigned" | "closed";

/** One handoff as the reports see it (a row of `handoffs`). */
export interface HandoffFact {
  id: string;
  repKey: string | null;
  /** The routing pool the decision used, when known. */
  pool?: string | null;
  /** The SLA follow-up tier that set the deadline; null for handoffs made before tiers existed. */
  tier?: string | null;
  /** Why the handoff has no follow-up task ("no task: a queue owns the lead"); absent when it has or should have one. */
  noTask?: string | null;
  startedAt: string;
  dueAt: string;
  firstTouchAt: string | null;
  status: HandoffStatus;
  rejectReason: string | null;
  score: { total: number; reasons: { rule: string; axis?: string; points: number }[] };
  /** Sales converted the lead in the CRM (Salesforce): whether it made an opportunity, and for whom. */
  conversion?: { opportunity: boolean; ownerChanged: boolean } | null;
  source: {
    leadSource?: string | null;
    source?: string | null;
    medium?: string | null;
    campaign?: string | null;
  };
}

function ratio(part: number, whole: number): number | null {
  return whole > 0 ? Math.round((part / whole) * 1000) / 1000 : null;
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

/** Nearest-rank percentile (p in 0..100) of unsorted values; null for none. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx] ?? null;
}

/** Both teams' words for the funnel, from the SLA's vocabulary, shown side by side. */
export interface FunnelLabels {
  /** Handoff's stage name → "marketing word / sales word" e.g. { mql: "MQL / marketing qualified" }. */
  stages: Record<string, string>;
  attract: string;
  convert: string;
  close: string;
}

/** Marketing's stage name next to sales' word for it: "MQL / sales-ready lead", "attract / prospecting". */
export function funnelLabels(vocabulary: Vocabulary): FunnelLabels {
  const stages: Record<string, string> = {};
  for (const stage of ["lead", "mql", "sql", "nurture", "opportunity", "customer"]) {
    const word = vocabulary.extra[stage];
    stages[stage] =
      word && word.toLowerCase() !== stage ? `${stage.toUpperCase()} / ${word}` : stage.toUpperCase();
  }
  return {
    stages,
    attract: `attract / ${vocabulary.attract}`,
    convert: `convert / ${vocabulary.convert}`,
    close: `close / ${vocabulary.close}`,
  };
}

// ---- follow-up compliance --------------------------------------------------------------------

/** Handoffs, touches, breaches and time to first touch of one group of handoffs (all, a rep, a tier). */
export interface ComplianceCounts {
  handoffs: number;
  touched: number;
  /** First touch after due_at, or still untouched past due_at. */
  breaches: number;
  /** Share (0..1) of due handoffs touched on time; null when none is due yet. */
  onTimeRate: number | null;
  /** Minutes from handoff to first touch; null when nobody touched any lead yet. */
  p50Minutes: number | null;
  p90Minutes: number | null;
  /** Handoffs with no follow-up task, and why (a queue owns the lead and the SLA names no task owner). */
  noTask?: NoTaskFigure;
}

export type RepComplianceFigure = { repKey: string } & Omit<ComplianceCounts, "onTimeRate">;

export type TierComplianceFigure = { tier: string } & Omit<ComplianceCounts, "noTask">;

/** How many handoffs got no follow-up task, with the reason in words ("no task: a queue owns the lead"). */
export interface NoTaskFigure {
  count: number;
  reason: string;
}

export interface ComplianceFigures extends ComplianceCounts {
  byRep: RepComplianceFigure[];
  /** The same figures per follow-up tier, each against its own deadlines (`default` for untiered ones). */
  byTier: TierComplianceFigure[];
}

interface ComplianceAcc {
  handoffs: number;
  touched: number;
  breaches: number;
  due: number;
  minutes: number[];
  noTask: Map<string, number>;
}

const blankAcc = (): ComplianceAcc => ({
  handoffs: 0,
  touched: 0,
  breaches: 0,
  due: 0,
  minutes: [],
  noTask: new Map(),
});

/** The figures of one group; the no-task reason is the one with the most handoffs (one today: a queue owns the lead). */
function complianceCounts(a: ComplianceAcc): ComplianceCounts {
  const [reason, count] = [...a.noTask.entries()].sort((x, y) => y[1] - x[1])[0] ?? [];
  return {
    handoffs: a.handoffs,
    touched: a.touched,
    breaches: a.breaches,
    onTimeRate: ratio(a.due - a.breaches, a.due),
    p50Minutes: percentile(a.minutes, 50),
    p90Minutes: percentile(a.minutes, 90),
    ...(reason && count ? { noTask: { count, reason } } : {}),
  };
}

/** The accumulator of `key` in `groups`, made on first use. */
function groupAcc(groups: Map<string, ComplianceAcc>, key: string): ComplianceAcc {
  let acc = groups.get(key);
  if (!acc) groups.set(key, (acc = blankAcc()));
  return acc;
}

/**
 * Time to first touch (wall-clock minutes from handoff to the first call, e-mail or meeting) and breaches: a
 * touch after the deadline, or no touch while the deadline has passed. Reassigned handoffs count against the
 * rep who had them. Handoffs still inside their deadline and untouched are neither on time nor breached.
 */
export function followUpCompliance(handoffs: readonly HandoffFact[], now: Date): ComplianceFigures {
  const nowMs = now.getTime();
  const all = blankAcc();
  const reps = new Map<string, ComplianceAcc>();
  const tiers = new Map<string, ComplianceAcc>();
  for (const h of handoffs) {
    const rep = groupAcc(reps, h.repKey ?? "(fallback)");
    const tier = groupAcc(tiers, h.tier ?? DEFAULT_TIER);
    const due = Date.parse(h.dueAt);
    const touch = h.firstTouchAt === null ? undefined : Date.parse(h.firstTouchAt);
    const breached = touch === undefined ? nowMs > due : touch > due;
    const settled = touch !== undefined || nowMs > due;
    for (const acc of [all, rep, tier]) {
      acc.handoffs += 1;
      if (touch !== undefined) {
        acc.touched += 1;
        acc.minutes.push(Math.max(0, Math.round((touch - Date.parse(h.startedAt)) / MINUTE)));
      }
      if (breached) acc.breaches += 1;
      if (settled) acc.due += 1;
      if (h.noTask) acc.noTask.set(h.noTask, (acc.noTask.get(h.noTask) ?? 0) + 1);
    }
  }
  return {
    ...complianceCounts(all),
    byRep: [...reps.entries()]
      .map(([repKey, a]): RepComplianceFigure => {
        const { onTimeRate: _perRepHasNoRate, ...figures } = complianceCounts(a);
        return { repKey, ...figures };
      })
      .sort((a, b) => b.breaches - a.breaches || a.repKey.localeCompare(b.repKey)),
    byTier: [...tiers.entries()]
      .map(([tier, a]): TierComplianceFigure => {
        const { noTask: _perTierHasNoNoTask, ...figures } = complianceCounts(a);
        return { tier, ...figures };
      })
      .sort((a, b) => b.handoffs - a.handoffs || a.tier.localeCompare(b.tier)),
  };
}

// ---- acceptance, reasons, rule precision -------------------------------------------------------

export interface ReasonCountFigure {
  reason: string;
  count: number;
}

export interface RulePrecisionFigure {
  /** Scoring rule id as in the SLA (`fit[2]` or its name). */
  rule: string;
  /** "fit" or "engagement". */
  axis: string;
  /** MQLs (handoffs) this rule contributed points to. */
  mqls: number;
  accepted: number;
  rejected: number;
  /** accepted / (accepted + rejected); null while none has feedback. */
  precision: number | null;
  rejectReasons: ReasonCountFigure[];
}

export interface FeedbackFigures {
  handoffs: number;
  accepted: number;
  rejected: number;
  pending: number;
  /** accepted / (accepted + rejected); null while none has feedback. */
  acceptanceRate: number | null;
  /** Handed-over leads sales converted in the CRM (each is also accepted). */
  converted: number;
  /** Of those, conversions that made an opportunity. */
  convertedWithOpportunity: number;
  /** Of those, conversions that gave the new records to someone other than the rep the handoff chose. */
  convertedToAnotherOwner: number;
  rejectReasons: ReasonCountFigure[];
  rules: RulePrecisionFigure[];
}

function countsToList(counts: Map<string, number>): ReasonCountFigure[] {
  return [...counts.entries()]
    .map(([reason, count]) => ({ reason, count }))
    .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
}

/**
 * Sales' verdicts and what they say about the scoring: for every rule that added points to a handed-over lead,
 * how many of those leads sales accepted or rejected, and with which reasons. A rule whose MQLs are mostly
 * rejected as "wrong persona" is the one to fix. Rules that only took points away did not produce the MQL and
 * are left out; `caps` is not a rule.
 */
export function salesFeedback(handoffs: readonly HandoffFact[]): FeedbackFigures {
  let accepted = 0;
  let rejected = 0;
  const reasons = new Map<string, number>();
  const rules = new Map<
    string,
    { axis: string; mqls: number; accepted: number; rejected: number; reasons: Map<string, number> }
  >();
  let converted = 0;
  let convertedWithOpportunity = 0;
  let convertedToAnotherOwner = 0;
  for (const h of handoffs) {
    if (h.conversion) {
      converted += 1;
      if (h.conversion.opportunity) convertedWithOpportunity += 1;
      if (h.conversion.ownerChanged) convertedToAnotherOwner += 1;
    }
    const reason = h.rejectReason ?? "(no reason)";
    if (h.status === "accepted") accepted += 1;
    else if (h.status === "rejected") {
      rejected += 1;
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    }
    const seen = new Set<string>();
    for (const r of h.score.reasons) {
      if (r.points <= 0 || r.rule === "caps" || seen.has(r.rule)) continue;
      seen.add(r.rule);
      let rule = rules.get(r.rule);
      if (!rule)
        rules.set(
          r.rule,
          (rule = { axis: r.axis ?? "fit", mqls: 0, accepted: 0, rejected: 0, reasons: new Map() }),
        );
      rule.mqls += 1;
      if (h.status === "accepted") rule.accepted += 1;
      else if (h.status === "rejected") {
        rule.rejected += 1;
        rule.reasons.set(reason, (rule.reasons.get(reason) ?? 0) + 1);
      }
    }
  }
  return {
    handoffs: handoffs.length,
    accepted,
    rejected,
    pending: handoffs.length - accepted - rejected,
    acceptanceRate: ratio(accepted, accepted + rejected),
    converted,
    convertedWithOpportunity,
    convertedToAnotherOwner,
    rejectReasons: countsToList(reasons),
    rules: [...rules.entries()]
      .map(([rule, r]) => ({
        rule,
        axis: r.axis,
        mqls: r.mqls,
        accepted: r.accepted,
        rejected: r.rejected,
        precision: ratio(r.accepted, r.accepted + r.rejected),
        rejectReasons: countsToList(r.reasons),
      }))
      .sort((a, b) => b.rejected - a.rejected || b.mqls - a.mqls || a.rule.localeCompare(b.rule)),
  };
}

// ---- channels per week ---------------------------------------------------------------------------

/** A lead seen in the window: when, from which channel, and what became of its handoff (if any). */
export interface ChannelFact {
  leadId: string;
  /** When the lead was seen (its first event in the window) — or handed over, when `handoff` is set. */
  at: string;
  source: HandoffFact["source"];
  /** Status of the handoff when the lead became an MQL; null when it did not qualify. */
  handoff: HandoffStatus | null;
}

export interface ChannelWeekFigure {
  week: string;
  /** Lead source as the CRM names it, or "(none)". */
  source: string;
  medium: string;
  campaign: string;
  /** Leads Handoff scored that week from this channel. */
  leads: number;
  /** Of those, how many became MQLs (handed over). */
  qualified: number;
  qualifiedRate: number | null;
  accepted: number;
  rejected: number;
  acceptanceRate: number | null;
}

const NONE = "(none)";

/**
 * Qualified rate and acceptance per ISO week (SLA zone) and source / medium / campaign, for marketing's
 * experiments. A lead counts once per week and channel; it is qualified when it was handed over.
 */
export function channelsByWeek(facts: readonly ChannelFact[], timezone: string): ChannelWeekFigure[] {
  const rows = new Map<string, ChannelWeekFigure & { ids: Map<string, ChannelFact["handoff"]> }>();
  for (const f of facts) {
    const week = isoWeek(localTime(new Date(f.at), timezone).date);
    const source = f.source.source ?? f.source.leadSource ?? NONE;
    const medium = f.source.medium ?? NONE;
    const campaign = f.source.campaign ?? NONE;
    const key = `${week}\u0000${source}\u0000${medium}\u0000${campaign}`;
    let row = rows.get(key);
    if (!row) {
      row = {
        week,
        source,
        medium,
        campaign,
        leads: 0,
        qualified: 0,
        qualifiedRate: null,
        accepted: 0,
        rejected: 0,
        acceptanceRate: null,
        ids: new Map(),
      };
      rows.set(key, row);
    }
    // A handed-over lead's handoff outranks a plain sighting in the same week.
    const before = row.ids.get(f.leadId);
    if (before === undefined || (before === null && f.handoff !== null)) row.ids.set(f.leadId, f.handoff);
  }
  const out: ChannelWeekFigure[] = [];
  for (const { ids, ...row } of rows.values()) {
    for (const status of ids.values()) {
      row.leads += 1;
      if (status === null) continue;
      row.qualified += 1;
      if (status === "accepted") row.accepted += 1;
      if (status === "rejected") row.rejected += 1;
    }
    row.qualifiedRate = ratio(row.qualified, row.leads);
    row.acceptanceRate = ratio(row.accepted, row.accepted + row.rejected);
    out.push(row);
  }
  return out.sort(
    (a, b) =>
      a.week.localeCompare(b.week) ||
      b.leads - a.leads ||
      `${a.source}/${a.medium}/${a.campaign}`.localeCompare(`${b.source}/${b.medium}/${b.campaign}`),
  );
}

// ---- fairness per pool -------------------------------------------------------------------------------

/** A span a rep was not available ([from, to)): out of office or toggled away. */
export interface AbsenceFact {
  repKey: string;
  from: string;
  to: string;
}

export interface RepFairnessFigure {
  repKey: string;
  weight: number;
  /** Hours the rep was eligible (within working hours and not away) in the window. */
  eligibleHours: number;
  /** weight × eligible time, normalised over the pool (0..1). */
  expectedShare: number;
  assigned: number;
  actualShare: number;
  /** Average lead score (total) of the rep's handoffs; null when none. */
  averageScore: number | null;
  /** Rep's share of the pool's summed score. */
  scoreShare: number;
  /** actualShare − expectedShare (positive: got more than its share). */
  countDeviation: number;
  scoreDeviation: number;
}

export interface PoolFairnessFigure {
  pool: string;
  assigned: number;
  reps: RepFairnessFigure[];
}

export interface FairnessInput {
  pools: Record<string, Pool>;
  reps: Record<string, Rep>;
  handoffs: readonly HandoffFact[];
  absences: readonly AbsenceFact[];
  /** Local holiday dates per rep key. */
  holidays?: Record<string, readonly string[]>;
  from: Date;
  to: Date;
}

const STEP_MINUTES = 15;

/** Open working minutes of a rep in [from, to) outside absences, sampled every quarter hour. */
export function eligibleMinutes(
  rep: Rep,
  absences: readonly AbsenceFact[],
  holidays: readonly string[],
  from: Date,
  to: Date,
): number {
  const parsed = parseWorkingHours(rep.hours);
  const week: WorkingWeek | undefined = "error" in parsed ? undefined : (parsed as WorkingWeek);
  const away = absences
    .filter((a) => a.repKey === rep.key)
    .map((a) => [Date.parse(a.from), Date.parse(a.to)] as const);
  const closed = new Set(holidays);
  let minutes = 0;
  const step = STEP_MINUTES * MINUTE;
  for (let t = Math.ceil(from.getTime() / step) * step; t < to.getTime(); t += step) {
    if (away.some(([a, b]) => t >= a && t < b)) continue;
    if (week) {
      const local = localTime(new Date(t), rep.timezone);
      if (closed.has(local.date) || !isOpen(week, local)) continue;
    }
    minutes += STEP_MINUTES;
  }
  return minutes;
}

/**
 * What each rep should have had against what they got: expected share = weight × eligible time, normalised
 * over the pool; actual share by count and by summed lead score (a rep given only the weak leads shows a
 * lower score share for the same count). A handoff counts in the pool its routing decision used, or else in
 * every pool that has the rep as a member.
 */
export function poolFairness(input: FairnessInput): PoolFairnessFigure[] {
  const out: PoolFairnessFigure[] = [];
  const eligible = new Map<string, number>();
  for (const [name, pool] of Object.entries(input.pools)) {
    const members = pool.members.filter((m) => input.reps[m.rep] !== undefined);
    const inPool = input.handoffs.filter(
      (h) => h.repKey !== null && (h.pool ? h.pool === name : members.some((m) => m.rep === h.repKey)),
    );
    const reps = members.map((m) => {
      const rep = input.reps[m.rep] as Rep;
      let minutes = eligible.get(rep.key);
      if (minutes === undefined) {
        minutes = eligibleMinutes(rep, input.absences, input.holidays?.[rep.key] ?? [], input.from, input.to);
        eligible.set(rep.key, minutes);
      }
      const mine = inPool.filter((h) => h.repKey === m.rep);
      const score = mine.reduce((s, h) => s + h.score.total, 0);
      return { m, minutes, assigned: mine.length, score };
    });
    const weightTime = reps.reduce((s, r) => s + r.m.weight * r.minutes, 0);
    const totalScore = reps.reduce((s, r) => s + r.score, 0);
    const assigned = reps.reduce((s, r) => s + r.assigned, 0);
    out.push({
      pool: name,
      assigned,
      reps: reps.map((r) => {
        const expectedShare = weightTime > 0 ? (r.m.weight * r.minutes) / weightTime : 0;
        const actualShare = assigned > 0 ? r.assigned / assigned : 0;
        const scoreShare = totalScore > 0 ? r.score / totalScore : 0;
        return {
          repKey: r.m.rep,
          weight: r.m.weight,
          eligibleHours: round1(r.minutes / 60),
          expectedShare: Math.round(expectedShare * 1000) / 1000,
          assigned: r.assigned,
          actualShare: Math.round(actualShare * 1000) / 1000,
          averageScore: r.assigned > 0 ? round1(r.score / r.assigned) : null,
          scoreShare: Math.round(scoreShare * 1000) / 1000,
          countDeviation: Math.round((actualShare - expectedShare) * 1000) / 1000,
          scoreDeviation: Math.round((scoreShare - expectedShare) * 1000) / 1000,
        };
      }),
    });
  }
  return out;
}
