/**
 * Sequential routing without a database, for `handoff preview` and forecasts: each decision's fairness state
 * and counters carry over to the next lead, exactly as the AssignmentStore would commit them.
 */
import { emailDomain } from "./free-mail-domains";
import type { Lead } from "./lead";
import { counterPeriods } from "./availability";
import { routeLead } from "./routing";
import type { RoutingRules } from "./routing-rules";
import type {
  AccountCandidate,
  DuplicateCandidate,
  OwnerStatus,
  PoolFairness,
  RepState,
  RoutingDecision,
} from "./routing-snapshot";

/** What a preview knows about the team: CRM owners, availability and load, accounts, holidays. */
export interface Roster {
  /** @default every rep of the rules, active */
  owners?: OwnerStatus[];
  repStates?: Record<string, RepState>;
  /** Accounts by domain, for account matching. */
  accounts?: AccountCandidate[];
  /** Leads already in the CRM, by e-mail (lower case), for duplicate matching. */
  duplicates?: Record<string, DuplicateCandidate[]>;
  /** Holiday code → local dates. */
  holidays?: Record<string, string[]>;
}

export interface RoutingSimulation {
  route(lead: Lead, now: string): RoutingDecision;
  /** Leads given to each rep so far. */
  assigned(): Record<string, number>;
}

export function createRoutingSimulation(rules: RoutingRules, roster: Roster = {}): RoutingSimulation {
  const owners =
    roster.owners ??
    Object.values(rules.reps).map((r): OwnerStatus => ({ id: r.crmId, active: true, kind: "person" }));
  const repStates: Record<string, RepState> = structuredClone(roster.repStates ?? {});
  const fairness: Record<string, PoolFairness> = {};
  const assigned: Record<string, number> = {};
  const periods: Record<string, { day: string; week: string; month: string }> = {};

  return {
    route(lead, now) {
      const at = new Date(now);
      // Day and week counters restart when the rep's local day or week changes.
      for (const [key, rep] of Object.entries(rules.reps)) {
        const p = counterPeriods(rep.timezone, at);
        const state = repStates[key];
        const before = periods[key];
        if (state && before) {
          if (before.day !== p.day) state.today = 0;
          if (before.week !== p.week) state.week = 0;
          if (before.month !== p.month) state.month = 0;
        }
        periods[key] = p;
      }
      const domain = emailDomain(lead.email);
      const decision = routeLead({
        lead,
        rules,
        owners,
        accounts: (roster.accounts ?? []).filter(
          (a) => domain !== undefined && a.domain?.toLowerCase() === domain,
        ),
        duplicates: lead.email ? (roster.duplicates?.[lead.email.toLowerCase()] ?? []) : [],
        repStates,
        fairness,
        holidays: roster.holidays ?? {},
        now: at.toISOString(),
      });
      if (decision.fairness && decision.pool) fairness[decision.pool] = decision.fairness;
      if (decision.counts && decision.repKey !== undefined) {
        const s = repStates[decision.repKey] ?? { open: 0, today: 0, week: 0 };
        repStates[decision.repKey] = {
          ...s,
          open: s.open + 1,
          today: s.today + 1,
          week: s.week + 1,
          month: (s.month ?? 0) + 1,
        };
        assigned[decision.repKey] = (assigned[decision.repKey] ?? 0) + 1;
      }
      return decision;
    },
    assigned: () => ({ ...assigned }),
  };
}
