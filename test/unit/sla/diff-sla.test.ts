import { readFileSync } from "node:fs";
import path from "node:path";
import { diffSla, formatChange } from "../../../src/sla/diff-sla";
import { parseSla } from "../../../src/sla/load-sla";

const base = readFileSync(path.join(__dirname, "../../fixtures/sla/valid-minimal.yaml"), "utf8");
const diff = (after: string): string[] => diffSla(parseSla(base).sla, parseSla(after).sla).map(formatChange);

describe("diffSla", () => {
  it("when nothing but comments and order changed, then there are no changes", () => {
    expect(diff(`# reviewed by sales\n${base}`)).toEqual([]);
  });

  it("names changed thresholds, rules by id, pools and owners", () => {
    const after = base
      .replace('engagement: ">= 40"', 'engagement: ">= 50"')
      .replace("    points: 30\n  - id: title", "    points: 25\n  - id: title")
      .replace("{ rep: diego }", "{ rep: diego, weight: 2 }")
      .replace('owner_id: "80010"', 'owner_id: "80007"')
      .replace('  carla: { crm_id: "80003",', '  carla: { crm_id: "80013",');
    expect(diff(after)).toEqual([
      '~ fit["size"].points: 30 → 25',
      "~ qualify.mql.engagement: 40 → 50",
      '~ routing.pools.iberia.members["diego"].weight: 1 → 2',
      "~ routing.fallback.owner_id: 80010 → 80007",
      "~ reps.carla.crm_id: 80003 → 80013",
    ]);
  });

  it("shows added and removed rules and list items", () => {
    const after = base
      .replace("required_fields: [email, jobtitle, country]", "required_fields: [email, jobtitle, company]")
      .replace(
        "  - id: title\n",
        '  - id: students\n    when: { jobtitle: "*student*" }\n    points: -50\n  - id: title\n',
      );
    expect(diff(after)).toEqual([
      "- required_fields: country",
      "+ required_fields: company",
      '+ fit["students"]: { id: students, when: { jobtitle: *student* }, points: -50 }',
    ]);
  });

  it("when a follow-up tier's deadline changes, then the change names the tier", () => {
    const tiers = (firstTouch: string) =>
      base.replace(
        "  cadence: { calls: 3, emails: 3, within: 14d }\n",
        `  cadence: { calls: 3, emails: 3, within: 14d }\n  tiers:\n    - { name: hot, when: { trigger: contact }, first_touch: ${firstTouch} }\n    - { name: content, when: { trigger: thresholds }, first_touch: 9h }\n`,
      );
    const before = parseSla(tiers("30m")).sla;
    expect(diffSla(before, parseSla(tiers("15m")).sla).map(formatChange)).toEqual([
      '~ follow_up.tiers["hot"].first_touch: 30m → 15m',
    ]);
  });
});
