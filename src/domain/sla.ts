/**
 * The SLA both teams sign, as plain data. The YAML file (snake_case, see config/sla.default.yaml) is
 * validated and mapped to this shape by src/sla/schema.ts; everything downstream reads only this.
 */
import type { ActivityKind, Stage } from "./lead";
import type { Condition, RoutingRules, When } from "./routing-rules";

/** A span of time as written in the SLA ("30m", "1d", "2w") and in minutes. */
export interface Duration {
  text: string;
  minutes: number;
}

export interface SlaMeta {
  name: string;
  version: number;
  /** Calendar date (YYYY-MM-DD) from which the published version applies; required to publish. */
  effective?: string;
  /** IANA zone the agreement's dates and business days are read in. */
  timezone: string;
}

/** Both teams' words for the same funnel stages, shown side by side in reports. */
export interface Vocabulary {
  attract: string;
  convert: string;
  close: string;
  /** Further words, e.g. `mql: "marketing qualified"`. */
  extra: Record<string, string>;
}

/** A demographic rule: when the lead matches `when`, add `points` (negative allowed) to fit. */
export interface FitRule {
  /** Stable label used in reasons and diffs: the rule's `name`, or `fit[2]` when unnamed. */
  id: string;
  when: When;
  points: number;
  /** Words shown to sales instead of the generated evidence. */
  reason?: string;
}

/** A behavioural rule: each matching activity adds `points`, decayed by age. */
export interface EngagementRule {
  id: string;
  on: ActivityKind;
  /** Wildcard on the page URL or path ("/pricing*"). */
  url?: string;
  /** Wildcard on the form id/name (form submissions). */
  form?: string;
  /** Wildcard on the asset, webinar, e-mail or chat name. */
  name?: string;
  points: number;
  /** Most points this rule adds in total (for negative rules: most it takes away). */
  max?: number;
  /** Most points this rule adds per calendar day in the SLA's time zone (before decay). */
  maxPerDay?: number;
  /** Only activities within this span before `now` count. */
  within?: Duration;
  /** `handoff`: a matching activity by a fitting lead hands it over at once, whatever the engagement. */
  trigger?: "handoff";
  reason?: string;
}

export type Decay =
  | { kind: "none" }
  /** Points halve every `halfLifeDays`. */
  | { kind: "half_life"; halfLifeDays: number }
  /** After `afterDays`, keep `keep` (0..1) of the points; steps sorted by afterDays ascending. */
  | { kind: "step"; steps: { afterDays: number; keep: number }[] };

export interface ScoreRange {
  min: number;
  max: number;
}

export interface ScoreCaps {
  fit: ScoreRange;
  engagement: ScoreRange;
}

export interface Qualify {
  /** Minimums (inclusive) on both axes for a lead to become an MQL. */
  mql: { fit: number; engagement: number };
  /** Minimum fit for a `trigger: handoff` activity to hand the lead over directly. */
  triggerMinFit: number;
  /** A trigger activity older than this no longer hands a lead over (it still scores). Unset: no limit. */
  triggerWithin?: Duration;
}

export interface Recycle {
  /** After a rejection the lead stays in nurture at least this long. */
  cooldown: Duration;
  /** `new_evidence`: after the cooldown, requalify only on activity newer than the rejection. */
  requalifyOn: "new_evidence" | "score";
  /** Stage a rejected lead goes to. */
  stage: Stage;
}

/** The follow-up promise of one tier: deadlines, reminders and escalation. */
export interface FollowUpTerms {
  /** The tier's name; `default` for the top-level `follow_up` terms. */
  tier: string;
  /** Deadline for the first touch after handoff. */
  firstTouch: Duration;
  /** Deadline for the second touch, counted from the first touch. */
  nextTouch?: Duration;
  /** The longest the first touch may ever take (the clock never extends beyond it). */
  max: Duration;
  businessHours: boolean;
  /** Reminders as fractions of the first-touch deadline: [0.5, 1]. */
  remindAt: number[];
  /** `manager`, a rep key, or a CRM owner id. */
  escalateTo: string;
  reassignAfter: Duration;
}

/**
 * What chooses a tier; every condition named must hold. `trigger` is the `trigger: handoff` rule id that
 * handed the lead over or `thresholds`; `fit`, `engagement` and `score` are score bands (">= 60", "40..79");
 * `territory` and `pool` are routing names.
 */
export type FollowUpTierWhen = Partial<
  Record<"trigger" | "fit" | "engagement" | "score" | "territory" | "pool", Condition>
>;

export interface FollowUpTier extends FollowUpTerms {
  when: FollowUpTierWhen;
}

export interface FollowUp {
  /** Deadline for the first touch after handoff (the default tier). */
  firstTouch: Duration;
  /** Deadline for the second touch, counted from the first touch (the default tier). */
  nextTouch?: Duration;
  /** The longest the first touch may ever take (the clock never extends beyond it). */
  max: Duration;
  businessHours: boolean;
  /** Reminders as fractions of the first-touch deadline: [0.5, 1]. */
  remindAt: number[];
  /** `manager`, a rep key, or a CRM owner id. */
  escalateTo: string;
  reassignAfter: Duration;
  cadence: { calls: number; emails: number; within: Duration };
  /** Tiers tried in order before the default terms above; absent when the SLA has none. */
  tiers?: FollowUpTier[];
}

/** The agreement's own business calendar: the fallback queue's clock, and days off for everyone. */
export interface SlaCalendar {
  /** Working hours of the fallback queue (same format as reps' hours). */
  hours: string;
  /** Public-holiday country/region code for the fallback queue (`ES`, `DE-BY`). */
  holidays?: string;
  /** Company days off (`YYYY-MM-DD`): nobody takes leads, every follow-up clock pauses. */
  daysOff: string[];
}

export interface Sla {
  sla: SlaMeta;
  calendar?: SlaCalendar;
  vocabulary: Vocabulary;
  /** Lead fields (as named in the SLA: `jobtitle`, `country`) that must be present to hand over. */
  requiredFields: string[];
  fit: FitRule[];
  engagement: EngagementRule[];
  decay: Decay;
  caps: ScoreCaps;
  qualify: Qualify;
  recycle: Recycle;
  routing: RoutingRules;
  followUp: FollowUp;
  feedback: {
    rejectReasons: string[];
    /**
     * CRM lead status → reject reason: a lead showing one of these statuses is disqualified (kept out of the
     * handoff until it requalifies), and the status set on a handed-over lead is sales' rejection.
     */
    crmRejections?: Record<string, string>;
  };
  commitment: { mqlPerQuarter: number };
}
