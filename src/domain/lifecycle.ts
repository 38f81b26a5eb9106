/**
 * Where a lead stands in the funnel, by the SLA: lead → MQL → SQL (opportunity and customer belong to the
 * CRM). Stages never move backwards silently: only a rejection recycles a lead (to nurture, with its reason
 * and a cooldown), and a change a person made in the CRM is respected and reported for the record.
 */
import { addDuration } from "./duration";
import type { Activity, Lead, Stage } from "./lead";
import { scoreLead, type ScoreBreakdown } from "./scoring";
import type { Sla } from "./sla";

/** What happened to the lead's stage so far (oldest first or in any order: it is sorted by `at`). */
export type LifecycleEvent =
  | { type: "stage_set"; stage: Stage; at: string; by: "handoff" | "person"; actor?: string }
  | { type: "rejected"; at: string; reason: string; by?: string }
  | { type: "accepted"; at: string; by?: string };

export type StageAction =
  /** Became an MQL now: route it, create the task, notify. */
  | "promote"
  /** Accepted by sales: SQL. */
  | "accept"
  /** Rejected by sales: back to nurture. */
  | "recycle"
  /** Would qualify, but required fields are missing. */
  | "hold"
  /** Nothing changes. */
  | "keep";

export interface StageDecision {
  from: Stage;
  stage: Stage;
  changed: boolean;
  action: StageAction;
  /** True when this decision hands the lead to sales (route, task, notify). */
  handoff: boolean;
  reason: string;
  /** Missing required fields when held. */
  waitingFor?: string[];
  /** End of the post-rejection cooldown, when one applies. */
  cooldownUntil?: string;
  /** A stage a person set in the CRM that Handoff respected; record it. */
  manual?: { stage: Stage; at?: string; actor?: string };
  /**
   * What qualified the lead (set when it qualifies, handed over or held for fields): the `trigger: handoff`
   * rule whose activity fired (its instant, to find that activity), else both MQL minimums with their values.
   */
  qualifiedBy?:
    { kind: "thresholds"; met: string[] } | { kind: "trigger"; rule: string; at: string; evidence: string };
}

const RANK: Record<Stage, number> = {
  subscriber: 0,
  lead: 1,
  other: 1,
  nurture: 1,
  mql: 2,
  sql: 3,
  opportunity: 4,
  customer: 5,
};

const LABEL: Record<Stage, string> = {
  subscriber: "subscriber",
  lead: "lead",
  other: "a custom stage",
  nurture: "nurture",
  mql: "MQL",
  sql: "SQL",
  opportunity: "opportunity",
  customer: "customer",
};

function day(iso: string): string {
  return iso.slice(0, 10);
}

function after(a: { at: string } | undefined, b: { at: string } | undefined): boolean {
  if (a === undefined) return false;
  return b === undefined || Date.parse(a.at) > Date.parse(b.at);
}

/**
 * The stage a lead should be in now, and why.
 * @param current the lead's stage in the CRM now
 * @param score `scoreLead(...)` at `now`
 * @param history what Handoff and people did to the stage before
 */
export function nextStage(
  current: Stage,
  score: ScoreBreakdown,
  history: readonly LifecycleEvent[],
  sla: Sla,
  now: Date | string,
): StageDecision {
  const nowMs = typeof now === "string" ? Date.parse(now) : now.getTime();
  const keep = (reason: string, extra?: Partial<StageDecision>): StageDecision =>
    decide(current, current, "keep", reason, extra);
  const move = (stage: Stage, action: StageAction, reason: string, extra?: Partial<StageDecision>) =>
    decide(current, stage, action, reason, extra);

  if (RANK[current] >= RANK.opportunity) {
    return keep(`${LABEL[current]}: the CRM owns this stage from here`);
  }

  let lastSet: Extract<LifecycleEvent, { type: "stage_set" }> | undefined;
  let rejected: Extract<LifecycleEvent, { type: "rejected" }> | undefined;
  let accepted: Extract<LifecycleEvent, { type: "accepted" }> | undefined;
  let promoted: { at: string } | undefined;
  for (const event of history) {
    if (event.type === "stage_set") {
      if (!after(lastSet, event)) lastSet = event;
      if (event.stage === "mql" && !after(promoted, event)) promoted = event;
    } else if (event.type === "rejected") {
      if (!after(rejected, event)) rejected = event;
    } else if (!after(accepted, event)) {
      accepted = event;
    }
  }

  // A person changed the stage in the CRM if they said so, or if the CRM shows a stage nobody recorded.
  let manual: StageDecision["manual"];
  // Since when the person's stage stands: the recorded time, or else after Handoff last set it.
  let manualSince: string | undefined;
  if (lastSet?.by === "person" && lastSet.stage === current) {
    manualSince = lastSet.at;
    manual = {
      stage: current,
      at: lastSet.at,
      ...(lastSet.actor === undefined ? {} : { actor: lastSet.actor }),
    };
  } else if (lastSet !== undefined && lastSet.stage !== current) {
    manual = { stage: current };
    manualSince = lastSet.at;
  }
  const manualNote =
    manual === undefined ? "" : ` (set to ${LABEL[current]} by a person in the CRM; respected)`;

  // Sales' verdict on a lead they hold.
  if (RANK[current] >= RANK.mql) {
    const reachedCurrent = lastSet?.stage === current ? lastSet : promoted;
    if (rejected !== undefined && after(rejected, accepted) && after(rejected, reachedCurrent)) {
      const until = addDuration(rejected.at, sla.recycle.cooldown);
      return move(
        sla.recycle.stage,
        "recycle",
        `rejected by sales (${rejected.reason}) on ${day(rejected.at)}: back to ${LABEL[sla.recycle.stage]} until ${day(until)}`,
        { cooldownUntil: until },
      );
    }
    if (current === "mql" && accepted !== undefined && after(accepted, rejected)) {
      return move("sql", "accept", `accepted by sales on ${day(accepted.at)}`);
    }
    const below = thresholdGap(score, sla);
    return keep(
      below === ""
        ? `stays ${LABEL[current]}${manualNote}`
        : `stays ${LABEL[current]}: ${below}, but stages never move backwards on their own${manualNote}`,
      manual === undefined ? {} : { manual },
    );
  }

  // Before MQL: cooldown and "new evidence" after a rejection, and respect for a person's decision.
  const evidenceAt = score.latestEvidenceAt;
  if (rejected !== undefined && !after(accepted, rejected)) {
    const until = addDuration(rejected.at, sla.recycle.cooldown);
    if (nowMs < Date.parse(until)) {
      return keep(`in cooldown after rejection (${rejected.reason}) until ${day(until)}`, {
        cooldownUntil: until,
      });
    }
    if (
      sla.recycle.requalifyOn === "new_evidence" &&
      !after(evidenceAt === undefined ? undefined : { at: evidenceAt }, rejected)
    ) {
      return keep(
        `rejected (${rejected.reason}) on ${day(rejected.at)}: requalifies only on new activity since then`,
      );
    }
  }
  if (
    manual !== undefined &&
    manualSince !== undefined &&
    !after(evidenceAt === undefined ? undefined : { at: evidenceAt }, { at: manualSince })
  ) {
    const when = manual.at === undefined ? `after ${day(manualSince)}` : `on ${day(manual.at)}`;
    return keep(`set to ${LABEL[current]} by a person in the CRM ${when}: promoted only on new activity`, {
      manual,
    });
  }

  const meets = score.fit >= sla.qualify.mql.fit && score.engagement >= sla.qualify.mql.engagement;
  const trigger =
    score.fit >= sla.qualify.triggerMinFit ? score.triggers[score.triggers.length - 1] : undefined;
  if (!meets && trigger === undefined) {
    return keep(
      `not an MQL yet: ${thresholdGap(score, sla)}${manualNote}`,
      manual === undefined ? {} : { manual },
    );
  }
  const met = [
    `fit ${score.fit} ≥ ${sla.qualify.mql.fit}`,
    `engagement ${score.engagement} ≥ ${sla.qualify.mql.engagement}`,
  ];
  // A buying signal is the news even when the minimums are met too: the rep hears about the form.
  const qualifiedBy: StageDecision["qualifiedBy"] =
    trigger === undefined
      ? { kind: "thresholds", met }
      : { kind: "trigger", rule: trigger.rule, at: trigger.at, evidence: trigger.evidence };
  const why = meets
    ? met.join(" and ")
    : `handoff trigger ${trigger?.rule}: ${trigger?.evidence} (fit ${score.fit} ≥ ${sla.qualify.triggerMinFit})`;
  if (score.missingFields.length > 0) {
    return keep(`waiting for: ${score.missingFields.join(", ")} (qualifies: ${why})`, {
      action: "hold",
      waitingFor: [...score.missingFields],
      qualifiedBy,
      ...(manual === undefined ? {} : { manual }),
    });
  }
  return move(
    "mql",
    "promote",
    `MQL: ${why}`,
    manual === undefined ? { qualifiedBy } : { manual, qualifiedBy },
  );
}

function decide(
  from: Stage,
  stage: Stage,
  action: StageAction,
  reason: string,
  extra: Partial<StageDecision> | undefined,
): StageDecision {
  const decision: StageDecision = {
    from,
    stage,
    changed: stage !== from,
    action,
    handoff: action === "promote",
    reason,
  };
  return extra === undefined ? decision : { ...decision, ...extra };
}

function thresholdGap(score: ScoreBreakdown, sla: Sla): string {
  const parts: string[] = [];
  if (score.fit < sla.qualify.mql.fit) parts.push(`fit ${score.fit} (needs ${sla.qualify.mql.fit})`);
  if (score.engagement < sla.qualify.mql.engagement) {
    parts.push(`engagement ${score.engagement} (needs ${sla.qualify.mql.engagement})`);
  }
  return parts.join(", ");
}

export interface Qualification {
  score: ScoreBreakdown;
  decision: StageDecision;
}

/** Scores the lead and decides its stage in one call: what the pipeline and preview run per lead. */
export function qualifyLead(
  lead: Lead,
  activities: readonly Activity[],
  history: readonly LifecycleEvent[],
  sla: Sla,
  now: Date | string,
): Qualification {
  const score = scoreLead(lead, activities, sla, now);
  return { score, decision: nextStage(lead.stage ?? "lead", score, history, sla, now) };
}
