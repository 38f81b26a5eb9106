import type { Activity, Lead } from "../../../src/domain/lead";
import type { EngagementRule, FitRule, Sla } from "../../../src/domain/sla";

/** A lead with sensible defaults: a VP at a 250-person Spanish software company, all fields present. */
export function aLead(overrides: Partial<Lead> = {}): Lead {
  return {
    id: "101",
    email: "lead@example.com",
    firstName: "Lea",
    lastName: "Diaz",
    company: "Example SL",
    jobTitle: "VP Sales",
    industry: "software",
    employees: 250,
    country: "ES",
    postalCode: "28013",
    stage: "lead",
    properties: {},
    ...overrides,
  };
}

export function anActivity(overrides: Partial<Activity> = {}): Activity {
  return { kind: "page_view", occurredAt: "2026-11-20T10:00:00.000Z", url: "/pricing", ...overrides };
}

export const fitRule = (overrides: Partial<FitRule> & Pick<FitRule, "when" | "points">): FitRule => ({
  id: overrides.id ?? `fit-${JSON.stringify(overrides.when)}`,
  ...overrides,
});

export const engagementRule = (
  overrides: Partial<EngagementRule> & Pick<EngagementRule, "on" | "points">,
): EngagementRule => ({
  id: overrides.id ?? `${overrides.on}-${overrides.url ?? overrides.form ?? ""}`,
  ...overrides,
});

export interface SlaOverrides extends Partial<Sla> {
  mqlFit?: number;
  mqlEngagement?: number;
  triggerMinFit?: number;
}

/** A small SLA for domain tests: no rules unless given, MQL at fit ≥ 50 and engagement ≥ 40. */
export function anSla(overrides: SlaOverrides = {}): Sla {
  const { mqlFit = 50, mqlEngagement = 40, triggerMinFit, ...rest } = overrides;
  return {
    sla: { name: "Test", version: 1, effective: "2026-11-01", timezone: "UTC" },
    vocabulary: {
      attract: "prospecting",
      convert: "identify solutions",
      close: "evaluate solutions",
      extra: {},
    },
    requiredFields: [],
    fit: [],
    engagement: [],
    decay: { kind: "none" },
    caps: { fit: { min: 0, max: 100 }, engagement: { min: 0, max: 100 } },
    qualify: { mql: { fit: mqlFit, engagement: mqlEngagement }, triggerMinFit: triggerMinFit ?? mqlFit },
    recycle: { cooldown: { text: "30d", minutes: 30 * 1440 }, requalifyOn: "new_evidence", stage: "nurture" },
    routing: {
      existingOwner: "keep",
      accountMatch: true,
      territories: [],
      pools: {},
      fallback: { queue: "Inbound triage" },
      reps: {},
    },
    followUp: {
      firstTouch: { text: "30m", minutes: 30 },
      max: { text: "1d", minutes: 1440 },
      businessHours: true,
      remindAt: [0.5, 1],
      escalateTo: "manager",
      reassignAfter: { text: "1d", minutes: 1440 },
      cadence: { calls: 3, emails: 3, within: { text: "14d", minutes: 14 * 1440 } },
    },
    feedback: { rejectReasons: ["not_icp", "no_budget"] },
    commitment: { mqlPerQuarter: 600 },
    ...rest,
  };
}
