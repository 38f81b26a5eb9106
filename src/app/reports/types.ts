/**
 * JSON shapes of the report and forecast endpoints under /admin/api (and of `handoff report … --json`).
 * The dashboard charts are built against these; add optional members rather than changing existing ones.
 * Instants are ISO-8601 strings; ISO weeks are "2026-W48" in the SLA's timezone.
 */

/** Both teams' words for the funnel, from the SLA's vocabulary, shown side by side. */
export interface FunnelLabels {
  /** Handoff's stage name → "marketing word / sales word" e.g. { mql: "MQL / marketing qualified" }. */
  stages: Record<string, string>;
  attract: string;
  convert: string;
  close: string;
}

/** Every report carries the connection, the window it covers and the SLA it was read under. */
export interface ReportEnvelope {
  connectionId: string;
  /** When the report was computed. */
  generatedAt: string;
  /** Inclusive window start and exclusive end. */
  from: string;
  to: string;
  timezone: string;
  slaVersion: number;
  labels: FunnelLabels;
}

// ---- pace: weekly MQLs vs the quarterly commitment --------------------------------------------

export interface PaceWeek {
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

export interface Pace {
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
  weeks: PaceWeek[];
}

export interface PaceReport extends ReportEnvelope {
  pace: Pace;
}

// ---- follow-up compliance ------------------------------------------------------------------------

export interface RepCompliance {
  repKey: string;
  handoffs: number;
  touched: number;
  /** First touch after due_at, or still untouched past due_at. */
  breaches: number;
  /** Minutes from handoff to first touch; null when nobody touched any lead yet. */
  p50Minutes: number | null;
  p90Minutes: number | null;
}

export interface ComplianceReport extends ReportEnvelope {
  /** Configured first-touch deadline, e.g. "30m". */
  firstTouch: string;
  handoffs: number;
  touched: number;
  breaches: number;
  /** Share (0..1) of due handoffs touched on time; null when none is due yet. */
  onTimeRate: number | null;
  p50Minutes: number | null;
  p90Minutes: number | null;
  byRep: RepCompliance[];
}

// ---- sales feedback: acceptance, reasons, per-rule precision ---------------------------------

export interface ReasonCount {
  reason: string;
  count: number;
}

export interface RulePrecision {
  /** Scoring rule id as in the SLA (`fit[2]` or its name). */
  rule: string;
  axis: "fit" | "engagement" | string;
  /** MQLs (handoffs) this rule contributed points to. */
  mqls: number;
  accepted: number;
  rejected: number;
  /** accepted / (accepted + rejected); null while none has feedback. */
  precision: number | null;
  rejectReasons: ReasonCount[];
}

export interface FeedbackReport extends ReportEnvelope {
  handoffs: number;
  accepted: number;
  rejected: number;
  pending: number;
  /** accepted / (accepted + rejected); null while none has feedback. */
  acceptanceRate: number | null;
  /** Handed-over leads sales converted in the CRM (each is also accepted). */
  converted?: number;
  /** Of those, conversions that made an opportunity. */
  convertedWithOpportunity?: number;
  /** Of those, conversions that gave the new records to someone other than the rep the handoff chose. */
  convertedToAnotherOwner?: number;
  rejectReasons: ReasonCount[];
  rules: RulePrecision[];
}

// ---- channels: qualified / acceptance by source, medium, campaign per week ---------------------

export interface ChannelWeek {
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

export interface ChannelsReport extends ReportEnvelope {
  rows: ChannelWeek[];
}

// ---- fairness per pool ------------------------------------------------------------------------

export interface RepFairness {
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

export interface PoolFairness {
  pool: string;
  assigned: number;
  reps: RepFairness[];
}

export interface FairnessReport extends ReportEnvelope {
  pools: PoolFairness[];
}

// ---- forecast of a draft SLA --------------------------------------------------------------------

export interface ForecastWeek {
  week: string;
  weekStart: string;
  mqls: number;
}

export interface RepLoad {
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

export interface BreachRisk {
  /** Handoffs replayed. */
  handoffs: number;
  /** Handoffs landing outside the assignee's working hours with less than the first-touch window left. */
  atRisk: number;
  /** atRisk / handoffs (0..1); null when none. */
  rate: number | null;
  /** Median business minutes from handoff until the rep's next working minute. */
  medianWaitMinutes: number | null;
}

export interface ForecastSide {
  /** "live" or "draft". */
  label: string;
  slaName: string;
  slaVersion: number;
  mqlThreshold: { fit: number; engagement: number };
  mqls: number;
  weeks: ForecastWeek[];
  pace: Pace;
  load: RepLoad[];
  /** Leads that qualified but found no rep (fallback owner). */
  unrouted: number;
  breachRisk: BreachRisk;
}

export interface ForecastHistory {
  /** What was replayed, in plain words: where the snapshots came from. */
  description: string;
  since: string;
  until: string;
  leads: number;
  events: number;
  activities: number;
}

export interface ForecastReport extends ReportEnvelope {
  history: ForecastHistory;
  live: ForecastSide;
  draft: ForecastSide;
  /** draft.mqls − live.mqls. */
  mqlDelta: number;
  elapsedMs: number;
}

// ---- decision export --------------------------------------------------------------------------

/** One line of GET /decisions/export (application/x-ndjson) and `handoff export decisions`. */
export interface DecisionExportLine {
  id: string;
  connectionId: string;
  leadId: string;
  eventKey: string | null;
  slaHash: string | null;
  createdAt: string;
  inputs: unknown;
  outcome: unknown;
}
