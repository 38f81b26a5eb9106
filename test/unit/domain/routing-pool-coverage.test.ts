import { poolCoverage } from "../../../src/domain/pool-coverage";
import { aRepState, demoRules } from "../../helpers/routing-builders";

describe("pool coverage next week", () => {
  const monday = new Date("2026-11-23T00:00:00Z");

  it("counts the hours somebody in each pool works", () => {
    const coverage = poolCoverage(demoRules(), monday, 7, {});
    expect(coverage.find((c) => c.pool === "dach")).toEqual({ pool: "dach", coveredHours: 45 });
  });

  it("names a pool whose members are all away or on holiday, and why", () => {
    const rules = demoRules();
    const coverage = poolCoverage(
      rules,
      monday,
      7,
      { DE: ["2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26", "2026-11-27"] },
      { ben: aRepState({ away: { reason: "vacation", until: "2026-12-07T00:00:00Z" } }) },
    );
    expect(coverage.find((c) => c.pool === "dach")?.problem).toBe(
      "nobody in pool dach is available: anna: public holidays all the time; ben: away or outside working hours all the time",
    );
  });
});
