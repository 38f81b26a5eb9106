/**
 * Follow-up tiers: the SLA may promise a faster first touch to some leads than to others (a "contact me" from a
 * strong fit within 30 minutes, a content MQL within a business day). Each tier names the conditions that
 * choose it; the first tier whose conditions all hold applies, and the top-level `follow_up` terms are the
 * default tier. Pure: plain data in, plain data out.
 */
import { describeCondition, matchCondition } from "./conditions";
import type { Lead } from "./lead";
import type { StageDecision } from "./lifecycle";
import { planPool } from "./routing";
import type { Condition, RoutingRules } from "./routing-rules";
import type { FollowUp, FollowUpTerms, FollowUpTierWhen } from "./sla";

/** The name of the tier made of the top-level `follow_up` terms. */
export const DEFAULT_TIER = "default";

/** What `trigger` is for a lead that qualified by reaching both MQL minimums (no buying signal). */
export const THRESHOLDS_TRIGGER = "thresholds";

/** What a tier's conditions are tested against: known when the lead is handed over. */
export interface TierFacts {
  /** The `trigger: handoff` engagement rule id that handed the lead over, or `thresholds`. */
  trigger: string;
  fit: number;
  engagement: number;
  /** fit + engagement. */
  score: number;
  /** The routing territory and pool the lead falls into, when it falls into one. */
  territory?: string | undefined;
  pool?: string | undefined;
}

export interface ChosenTier {
  terms: FollowUpTerms;
  /** One line per condition that chose it ("trigger "contact-me" matches any of contact-me, demo-request"). */
  evidence: string[];
}

/** The top-level follow-up terms as the default tier. */
export function defaultTerms(followUp: FollowUp): FollowUpTerms {
  return {
    tier: DEFAULT_TIER,
    firstTouch: followUp.firstTouch,
    max: followUp.max,
    businessHours: followUp.businessHours,
    remindAt: followUp.remindAt,
    escalateTo: followUp.escalateTo,
    reassignAfter: followUp.reassignAfter,
    ...(followUp.nextTouch === undefined ? {} : { nextTouch: followUp.nextTouch }),
  };
}

/**
 * The follow-up terms that apply to a lead: the first tier whose conditions all hold, else the default.
 * @example chooseFollowUpTier(sla.followUp, { trigger: "contact-me", fit: 70, engagement: 50, score: 120 })
 */
export function chooseFollowUpTier(followUp: FollowUp, facts: TierFacts): ChosenTier {
  for (const tier of followUp.tiers ?? []) {
    const evidence = tierEvidence(tier.when, facts);
    if (evidence) {
      const { when: _when, ...terms } = tier;
      return { terms, evidence };
    }
  }
  return { terms: defaultTerms(followUp), evidence: [] };
}

/**
 * The terms of a tier by name, as the SLA now reads: a timer that fires after the SLA changed keeps its
 * handoff's tier when it still exists, else falls back to the default terms.
 */
export function followUpTerms(followUp: FollowUp, tierName: string | undefined): FollowUpTerms {
  const tier = tierName === undefined ? undefined : followUp.tiers?.find((t) => t.tier === tierName);
  if (!tier) return defaultTerms(followUp);
  const { when: _when, ...terms } = tier;
  return terms;
}

function tierEvidence(when: FollowUpTierWhen, facts: TierFacts): string[] | undefined {
  const evidence: string[] = [];
  for (const [key, condition] of Object.entries(when) as [keyof FollowUpTierWhen, Condition][]) {
    const value = facts[key];
    if (value === undefined || !matchCondition(value, condition)) return undefined;
    evidence.push(
      `${key} ${typeof value === "string" ? `"${value}"` : value} matches ${describeCondition(condition)}`,
    );
  }
  return evidence;
}

/**
 * The facts of a lead being handed over: the trigger from its stage decision, its scores, and its territory
 * and pool (the routing decision's, else where the territories would place it: an existing owner or an
 * account match skips the pools, yet the lead still belongs to its territory).
 */
export function tierFacts(
  qualifiedBy: StageDecision["qualifiedBy"],
  score: { fit: number; engagement: number; total: number },
  routed: { territory?: string | undefined; pool?: string | undefined },
  lead: Lead,
  rules: RoutingRules,
): TierFacts {
  const plan = routed.territory === undefined && routed.pool === undefined ? planPool(lead, rules) : routed;
  return {
    trigger: qualifiedBy?.kind === "trigger" ? qualifiedBy.rule : THRESHOLDS_TRIGGER,
    fit: score.fit,
    engagement: score.engagement,
    score: score.total,
    territory: plan.territory,
    pool: plan.pool,
  };
}
