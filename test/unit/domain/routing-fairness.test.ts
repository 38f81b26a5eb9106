import { rotate } from "../../../src/domain/fairness";
import { routeLead } from "../../../src/domain/routing";
import type { RoutingDecision, RoutingInput } from "../../../src/domain/routing-snapshot";
import { aRepState, anInput, demoRules, simulate, withPool } from "../../helpers/routing-builders";

function uncappedDach(onReturn: "no_catch_up" | "catch_up_gradually", weights: [number, number] = [1, 1]) {
  const rules = demoRules();
  return withPool(rules, {
    name: "dach",
    members: [
      { rep: "anna", weight: weights[0] },
      { rep: "ben", weight: weights[1] },
    ],
    onReturn,
  });
}

/** Ben is away for leads [awayFrom, awayTo). */
function benAwayBetween(awayFrom: number, awayTo: number) {
  return (i: number, input: RoutingInput): RoutingInput => {
    const ben = input.repStates.ben ?? aRepState();
    const away =
      i >= awayFrom && i < awayTo ? { away: { reason: "vacation", until: "2026-11-30T00:00:00Z" } } : {};
    const { away: _old, ...rest } = ben;
    return { ...input, repStates: { ...input.repStates, ben: { ...rest, ...away } } };
  };
}

function longestRun(decisions: RoutingDecision[], rep: string): number {
  let run = 0;
  let longest = 0;
  for (const d of decisions) {
    run = d.repKey === rep ? run + 1 : 0;
    longest = Math.max(longest, run);
  }
  return longest;
}

describe("fairness", () => {
  it("gives a rep back from a week off no burst under no_catch_up", () => {
    const { decisions } = simulate(
      160,
      anInput({ rules: uncappedDach("no_catch_up") }),
      benAwayBetween(10, 110), // 100 leads arrive while ben is away
    );
    const after = decisions.slice(110, 130);
    expect(after.filter((d) => d.repKey === "ben")).toHaveLength(10); // his 1/2 share, not more
    expect(longestRun(after, "ben")).toBe(1);
    expect(decisions[110]?.steps).toContain(
      "ben is back: rejoins at the pool's level, no catch-up (no_catch_up)",
    );
  });

  it("lets a returning rep catch up gradually: bounded, and never as a burst", () => {
    const { decisions } = simulate(
      160,
      anInput({ rules: uncappedDach("catch_up_gradually") }),
      benAwayBetween(10, 110),
    );
    const after = decisions.slice(110, 130).filter((d) => d.repKey === "ben").length;
    expect(after).toBeGreaterThan(10); // more than his share while catching up …
    expect(after).toBeLessThanOrEqual(10 + 3); // … but at most catchUpMax (3) extra
    expect(longestRun(decisions.slice(110), "ben")).toBeLessThanOrEqual(2);
    expect(decisions[110]?.steps).toContainEqual(
      expect.stringContaining("catching up 3 lead(s) at double weight"),
    );
  });

  it("keeps everyone's fairness state when the pool is edited", () => {
    const before = simulate(7, anInput({ rules: uncappedDach("no_catch_up", [2, 1]) }));
    const credits = before.input.fairness.dach?.reps;
    const edited = uncappedDach("no_catch_up", [2, 1]);
    edited.pools.dach!.members.push({ rep: "carla", weight: 1 });
    const d = routeLead({ ...before.input, rules: edited });
    // anna and ben keep their credits (plus this round's step); carla joins at their level.
    expect(d.steps).toContain("carla joins the rotation at the pool's level");
    expect(d.fairness?.decisions).toBe(8);
    const level = ((credits?.anna?.credit ?? 0) + (credits?.ben?.credit ?? 0)) / 2;
    const carla = d.fairness?.reps.carla?.credit ?? NaN;
    expect([level + 1, level + 1 - 4]).toContain(carla);
  });

  it("is deterministic: ties go to the earlier member in pool order", () => {
    const pool = uncappedDach("no_catch_up").pools.dach!;
    const members = pool.members.map((m) => ({
      rep: m.rep,
      weight: m.weight,
      eligible: true,
      absent: false,
    }));
    expect(rotate(pool, members, undefined).chosen).toBe("anna");
    expect(
      rotate(pool, members, { reps: { anna: { credit: 0 }, ben: { credit: 0 } }, decisions: 5 }).chosen,
    ).toBe("anna");
  });
});
