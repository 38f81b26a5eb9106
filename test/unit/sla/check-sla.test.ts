import { readFileSync } from "node:fs";
import path from "node:path";
import { checkSlaText } from "../../../src/sla/load-sla";
import { formatProblem } from "../../../src/sla/sla-problem";

const base = readFileSync(path.join(__dirname, "../../fixtures/sla/valid-minimal.yaml"), "utf8");
const territories = (lines: string): string =>
  base.replace(
    '    - { name: Iberia, when: { country: ES, postal_code: ["28*", "08*"] }, pool: iberia }\n',
    lines,
  );

function warnings(text: string, options = {}): string[] {
  return checkSlaText(text, "sla.yaml", options)
    .problems.filter((p) => p.severity === "warning")
    .map(formatProblem);
}

describe("lint warnings for smells", () => {
  it("when a cooldown or a window is written in minutes, then lint warns it is likely a month, and months are accepted", () => {
    const slip = base.replace("routing:\n", "recycle: { cooldown: 1m }\nrouting:\n");
    expect(warnings(slip)).toContainEqual(
      expect.stringContaining(`recycle.cooldown: warning: "1m" is 1 minute(s) — unusually short here`),
    );
    const months = base.replace("routing:\n", "recycle: { cooldown: 1 month }\nrouting:\n");
    const report = checkSlaText(months, "sla.yaml");
    expect(report.problems.filter((p) => p.severity === "error")).toEqual([]);
    expect(report.sla?.recycle.cooldown).toEqual({ text: "1 month", minutes: 43200 });
    expect(warnings(months).filter((w) => w.includes("recycle"))).toEqual([]);
  });

  it("when a territory can never be reached, then it is named with the one that shadows it", () => {
    const text = territories(
      [
        "    - { name: Spain, when: { country: [ES, PT] }, pool: iberia }",
        '    - { name: Madrid, when: { country: ES, postal_code: "28*" }, pool: iberia }',
        "",
      ].join("\n"),
    );
    expect(warnings(text)).toContainEqual(
      expect.stringMatching(
        /^sla\.yaml:33:7 routing\.territories\[1\]: warning: territory "Madrid" is unreachable: every lead it matches is taken by "Spain" first/,
      ),
    );
  });

  it("when two territories overlap on the same priority, then the overlap is shown with an example", () => {
    const text = territories(
      [
        "    - { name: Iberia, when: { country: [ES, PT] }, pool: iberia }",
        "    - { name: South, when: { country: [ES, IT] }, pool: south }",
        "",
      ].join("\n"),
    ).replace("  pools:\n", "  pools:\n    south:\n      members: [{ rep: carla }]\n");
    expect(warnings(text)).toContainEqual(
      expect.stringContaining(
        'territory "South" overlaps "Iberia" (e.g. country ES); "Iberia" wins by file order',
      ),
    );
  });

  it("when the overlap is ordered by explicit priorities, then there is no warning", () => {
    const text = territories(
      [
        "    - { name: Iberia, when: { country: [ES, PT] }, pool: iberia, priority: 2 }",
        "    - { name: South, when: { country: [ES, IT] }, pool: south, priority: 1 }",
        "",
      ].join("\n"),
    ).replace("  pools:\n", "  pools:\n    south:\n      members: [{ rep: carla }]\n");
    expect(warnings(text).filter((w) => w.includes("overlaps"))).toEqual([]);
  });

  it("when nobody in a pool can take a lead, then the pool is named with each member's reason", () => {
    const unavailable = (rep: string) => (rep === "carla" ? "away until 2026-12-01" : undefined);
    const text = base.replace("{ rep: diego }", "{ rep: diego, weight: 0 }");
    expect(warnings(text, { unavailable })).toContainEqual(
      expect.stringContaining(
        'routing.pools.iberia.members: warning: nobody in pool "iberia" can take a lead next week (carla: away until 2026-12-01; diego: weight 0)',
      ),
    );
    expect(warnings(base, { unavailable }).filter((w) => w.includes("nobody"))).toEqual([]);
  });

  it("when every member of a pool is on public holidays or off work all next week, then lint names the pool and why", () => {
    const monday = new Date("2026-11-23T00:00:00Z");
    const week = ["2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26", "2026-11-27"];
    const asked: string[][] = [];
    const coverage = {
      from: monday,
      days: 7,
      holidays: (codes: string[], from: string, to: string) => {
        asked.push([...codes, from, to]);
        return { ES: week };
      },
    };
    expect(warnings(base, { coverage })).toContainEqual(
      expect.stringContaining(
        "routing.pools.iberia.members: warning: nobody in pool iberia is available: carla: public holidays all the time; diego: public holidays all the time in the next 7 days",
      ),
    );
    expect(asked).toEqual([["ES", "2026-11-22", "2026-12-01"]]);
    const workingWeek = { ...coverage, holidays: () => ({ ES: [] }) };
    expect(warnings(base, { coverage: workingWeek }).filter((w) => w.includes("nobody"))).toEqual([]);
  });

  it("when an effective date is missing, then lint warns that publish will refuse", () => {
    expect(warnings(base.replace("  effective: 2026-11-01\n", ""))).toContainEqual(
      expect.stringContaining(
        "sla.effective: warning: no effective date — set effective: YYYY-MM-DD before publishing",
      ),
    );
  });

  it("the valid fixture has no warnings", () => {
    expect(warnings(base)).toEqual([]);
  });
});

describe("cross-checks that are errors", () => {
  it("when first_touch is longer than max, then it is an error at first_touch", () => {
    const report = checkSlaText(base.replace("first_touch: 30m", "first_touch: 2d"), "sla.yaml");
    expect(report.sla).toBeUndefined();
    expect(report.problems.map(formatProblem)).toContainEqual(
      expect.stringContaining("sla.yaml:42:16 follow_up.first_touch: first_touch 2d is longer than max 1d"),
    );
  });

  it("when a manager is not a rep, then it suggests the closest rep", () => {
    const report = checkSlaText(
      base.replace('crm_id: "80003",', 'crm_id: "80003", manager: dieg,'),
      "sla.yaml",
    );
    expect(report.problems.map(formatProblem)).toContainEqual(
      expect.stringContaining(
        'reps.carla.manager: manager "dieg" is not listed under reps — did you mean "diego"?',
      ),
    );
  });
});
