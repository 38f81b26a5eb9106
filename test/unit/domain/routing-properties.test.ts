import fc from "fast-check";
import { aRepState, anInput, demoRules, simulate, withPool } from "../../helpers/routing-builders";

const REPS = ["anna", "ben", "carla", "diego"] as const;

describe("routing properties", () => {
  it("any weights: every rep's share stays within one lead of weight/total at every point", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 2, maxLength: 4 }),
        fc.integer({ min: 1, max: 120 }),
        (weights, count) => {
          const rules = withPool(demoRules(), {
            name: "dach",
            members: weights.map((weight, i) => ({ rep: REPS[i] as string, weight })),
            onReturn: "no_catch_up",
          });
          // Everyone works in Berlin for this property.
          for (const rep of REPS)
            rules.reps[rep] = { ...rules.reps[rep]!, timezone: "Europe/Berlin", holidays: "DE" };
          const { decisions } = simulate(count, anInput({ rules }));
          const total = weights.reduce((a, b) => a + b, 0);
          const got: Record<string, number> = {};
          decisions.forEach((d, n) => {
            got[d.repKey as string] = (got[d.repKey as string] ?? 0) + 1;
            weights.forEach((w, i) => {
              const expected = ((n + 1) * w) / total;
              expect(Math.abs((got[REPS[i] as string] ?? 0) - expected)).toBeLessThan(1 + 1e-9);
            });
          });
        },
      ),
      { numRuns: 100 },
    );
  });

  it("any caps and starting loads: no rep ever goes over its open cap", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 8 }),
        fc.integer({ min: 0, max: 8 }),
        fc.integer({ min: 0, max: 8 }),
        fc.integer({ min: 1, max: 40 }),
        (cap, annaOpen, benOpen, count) => {
          const rules = demoRules();
          rules.pools.dach = { ...rules.pools.dach!, capOpen: cap };
          const { input } = simulate(
            count,
            anInput({
              rules,
              repStates: { anna: aRepState({ open: annaOpen }), ben: aRepState({ open: benOpen }) },
            }),
          );
          expect(input.repStates.anna!.open).toBeLessThanOrEqual(Math.max(cap, annaOpen));
          expect(input.repStates.ben!.open).toBeLessThanOrEqual(Math.max(cap, benOpen));
        },
      ),
      { numRuns: 200 },
    );
  });
});
