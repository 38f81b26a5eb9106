import type { Lead } from "../../src/domain/lead";
import { routeLead } from "../../src/domain/routing";
import type { Pool, RoutingRules } from "../../src/domain/routing-rules";
import type { OwnerStatus, RepState, RoutingDecision, RoutingInput } from "../../src/domain/routing-snapshot";

/** Monday 2026-11-23 11:00 in Berlin and Madrid, 05:00 in New York. */
export const MONDAY_MORNING_EU = "2026-11-23T10:00:00.000Z";
/** Monday 2026-11-23 10:00 in New York. */
export const MONDAY_MORNING_NA = "2026-11-23T15:00:00.000Z";

export function aLead(overrides: Partial<Lead> = {}): Lead {
  return { id: "lead-1", email: "jo@example-gmbh.de", country: "DE", properties: {}, ...overrides };
}

/** The demo roster (DESIGN §7 identities). */
export function demoRules(overrides: Partial<RoutingRules> = {}): RoutingRules {
  return {
    existingOwner: "keep",
    accountMatch: true,
    territories: [
      { name: "DACH", when: { country: ["DE", "AT", "CH"] }, pool: "dach" },
      { name: "Iberia", when: { country: "ES", postalCode: ["28*", "08*"] }, pool: "iberia" },
      { name: "North America", when: { country: "US" }, pool: "na" },
    ],
    pools: {
      dach: {
        name: "dach",
        members: [
          { rep: "anna", weight: 2 },
          { rep: "ben", weight: 1 },
        ],
        capOpen: 25,
        onReturn: "no_catch_up",
      },
      iberia: {
        name: "iberia",
        members: [
          { rep: "carla", weight: 1 },
          { rep: "diego", weight: 1 },
        ],
        onReturn: "no_catch_up",
      },
      na: {
        name: "na",
        members: [
          { rep: "emma", weight: 1 },
          { rep: "felix", weight: 1 },
        ],
        onReturn: "no_catch_up",
      },
    },
    fallback: { queue: "Inbound triage" },
    reps: {
      anna: {
        key: "anna",
        crmId: "80001",
        hours: "Mon-Fri 09:00-18:00",
        timezone: "Europe/Berlin",
        holidays: "DE",
      },
      ben: {
        key: "ben",
        crmId: "80002",
        hours: "Mon-Fri 09:00-18:00",
        timezone: "Europe/Berlin",
        holidays: "DE",
      },
      carla: {
        key: "carla",
        crmId: "80003",
        hours: "Mon-Fri 09:00-18:00",
        timezone: "Europe/Madrid",
        holidays: "ES-MD",
      },
      diego: {
        key: "diego",
        crmId: "80004",
        hours: "Mon-Fri 09:00-18:00",
        timezone: "Europe/Madrid",
        holidays: "ES",
      },
      emma: {
        key: "emma",
        crmId: "80005",
        hours: "Mon-Fri 09:00-17:00",
        timezone: "America/New_York",
        holidays: "US",
      },
      felix: {
        key: "felix",
        crmId: "80006",
        hours: "Mon-Fri 09:00-17:00",
        timezone: "America/New_York",
        holidays: "US",
      },
    },
    ...overrides,
  };
}

export function withPool(rules: RoutingRules, pool: Pool): RoutingRules {
  return { ...rules, pools: { ...rules.pools, [pool.name]: pool } };
}

export const DEMO_OWNERS: OwnerStatus[] = [
  { id: "80001", active: true, kind: "person" },
  { id: "80002", active: true, kind: "person" },
  { id: "80003", active: true, kind: "person" },
  { id: "80004", active: true, kind: "person" },
  { id: "80005", active: true, kind: "person" },
  { id: "80006", active: false, kind: "person" },
  { id: "80007", active: true, kind: "person" },
  { id: "80010", active: true, kind: "queue", name: "Inbound triage" },
];

export function anInput(overrides: Partial<RoutingInput> = {}): RoutingInput {
  return {
    lead: aLead(),
    rules: demoRules(),
    owners: DEMO_OWNERS,
    accounts: [],
    duplicates: [],
    repStates: {},
    fairness: {},
    holidays: {},
    now: MONDAY_MORNING_EU,
    ...overrides,
  };
}

export function aRepState(overrides: Partial<RepState> = {}): RepState {
  return { open: 0, today: 0, week: 0, ...overrides };
}

/**
 * Routes `count` leads one after another the way the AssignmentStore would: fairness state and counters carry
 * over from each decision to the next. `before(i, input)` may change the input (absences, time) per lead.
 */
export function simulate(
  count: number,
  base: RoutingInput,
  before: (i: number, input: RoutingInput) => RoutingInput = (_i, input) => input,
): { decisions: RoutingDecision[]; perRep: Record<string, number>; input: RoutingInput } {
  let input = structuredClone(base);
  const decisions: RoutingDecision[] = [];
  const perRep: Record<string, number> = {};
  for (let i = 0; i < count; i++) {
    input = before(i, { ...input, lead: { ...input.lead, id: `lead-${i}` } });
    const decision = routeLead(input);
    decisions.push(decision);
    const fairness =
      decision.fairness && decision.pool
        ? { ...input.fairness, [decision.pool]: decision.fairness }
        : input.fairness;
    const repStates = { ...input.repStates };
    if (decision.repKey !== undefined && decision.counts) {
      const s = repStates[decision.repKey] ?? aRepState();
      repStates[decision.repKey] = { ...s, open: s.open + 1, today: s.today + 1, week: s.week + 1 };
      perRep[decision.repKey] = (perRep[decision.repKey] ?? 0) + 1;
    }
    input = { ...input, fairness, repStates };
  }
  return { decisions, perRep, input };
}
