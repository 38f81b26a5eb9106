import {
  holidaysAround,
  repStateOf,
  repsToLock,
  slotLimits,
  type StoredRep,
} from "../../../src/domain/assignment-snapshot";
import type { RoutingDecision } from "../../../src/domain/routing-snapshot";
import { aLead, demoRules, MONDAY_MORNING_EU } from "../../helpers/routing-builders";

const now = new Date(MONDAY_MORNING_EU);
const hours = (h: number) => new Date(now.getTime() + h * 3_600_000);

function aDecision(overrides: Partial<RoutingDecision>): RoutingDecision {
  return { method: "round_robin", reason: "", steps: [], candidates: [], counts: true, ...overrides };
}

function aStoredRep(overrides: Partial<StoredRep> = {}): StoredRep {
  return {
    away: false,
    awayReason: null,
    awaySince: null,
    awayUntil: null,
    caps: { open: null, perDay: null, perWeek: null },
    open: 3,
    ooo: [],
    ...overrides,
  };
}

describe("assignment snapshot: the rules every assignment store applies", () => {
  it("when a lead's pool has reps and another rep holds it now, then every one of them is locked in key order", () => {
    const locks = repsToLock(
      { lead: aLead({ country: "DE" }), rules: demoRules(), accounts: [], duplicates: [] },
      { repKey: "emma", ownerId: "80005", decisionId: "d-1" },
    );
    expect(locks).toEqual({ pool: "dach", repKeys: ["anna", "ben", "emma"] });
  });

  it("when a rep's absence ended and an out-of-office lies ahead, then the rep is neither away nor out of office", () => {
    const state = repStateOf(
      aStoredRep({
        away: true,
        awayUntil: hours(-1),
        ooo: [{ startsAt: hours(2), endsAt: hours(30), reason: "trip" }],
      }),
      { day: 1, week: 2, month: 5 },
      now,
    );
    expect(state).toEqual({ open: 3, today: 1, week: 2, month: 5 });
  });

  it("when a rep is away and has running out-of-office entries, then both show, the entries in start order", () => {
    const state = repStateOf(
      aStoredRep({
        away: true,
        awayReason: "parental leave",
        awaySince: hours(-48),
        caps: { open: 10, perDay: null, perWeek: 20, perMonth: null },
        ooo: [
          { startsAt: hours(-1), endsAt: hours(5), reason: null },
          { startsAt: hours(-3), endsAt: hours(1), reason: "dentist" },
        ],
      }),
      { day: 0, week: 0, month: 0 },
      now,
    );
    expect(state.away).toEqual({ reason: "parental leave", since: hours(-48).toISOString() });
    expect(state.ooo?.map((o) => o.from)).toEqual([hours(-3).toISOString(), hours(-1).toISOString()]);
    expect(state.caps).toEqual({ open: 10, perWeek: 20 });
  });

  it("when reps follow holiday calendars, then their codes are read for two days either side of now", () => {
    const asked: unknown[] = [];
    const calendar = {
      between: (codes: readonly string[], from: string, to: string) => {
        asked.push({ codes, from, to });
        return { DE: ["2026-11-22"] };
      },
    };
    expect(holidaysAround(calendar, ["anna", "nobody"], demoRules(), now)).toEqual({ DE: ["2026-11-22"] });
    expect(asked).toEqual([{ codes: ["DE"], from: "2026-11-21", to: "2026-11-25" }]);
  });

  it("when an account owner gets the lead, then no cap applies; a round-robin pick is held to the pool's caps", () => {
    const rules = demoRules();
    const account = slotLimits(aDecision({ method: "account_owner", repKey: "anna" }), rules, {}, now);
    expect(account.caps).toEqual({});
    const pick = slotLimits(aDecision({ repKey: "anna", pool: "dach" }), rules, {}, now);
    expect(pick.caps.open).toBe(25);
    expect(pick.periods).toEqual({ day: "d:2026-11-23", week: "w:2026-W48", month: "m:2026-11" });
  });
});
