import { readFileSync } from "node:fs";
import path from "node:path";
import { checkSlaText } from "../../../src/sla/load-sla";
import { formatProblem } from "../../../src/sla/sla-problem";

const base = readFileSync(path.join(__dirname, "../../fixtures/sla/valid-minimal.yaml"), "utf8");
const errors = (text: string) =>
  checkSlaText(text, "sla.yaml")
    .problems.filter((p) => p.severity === "error")
    .map(formatProblem);

describe("rules for every lead, and pools with nobody in them", () => {
  it("when a territory or a fit rule says `when: any`, then it matches every lead", () => {
    const text = base.replace(
      '    - { name: Iberia, when: { country: ES, postal_code: ["28*", "08*"] }, pool: iberia }',
      "    - { name: Everyone, when: any, pool: iberia }",
    );
    const report = checkSlaText(text, "sla.yaml");
    expect(report.problems.filter((p) => p.severity === "error")).toEqual([]);
    expect(report.sla?.routing.territories[0]).toEqual({ name: "Everyone", when: {}, pool: "iberia" });
  });

  it("when a `when` is empty, then the error says how to match every lead", () => {
    const text = base.replace('when: { country: ES, postal_code: ["28*", "08*"] }', "when: {}");
    expect(errors(text)).toContainEqual(
      expect.stringContaining("write `when: any` to match every lead (for territories, routing.default_pool"),
    );
  });

  it("when a pool has no members, then lint and publish refuse the file", () => {
    const text = base.replace("members: [{ rep: carla }, { rep: diego }]", "members: []");
    expect(errors(text)).toContainEqual(
      expect.stringContaining(
        'routing.pools.iberia.members: pool "iberia" has no members: every lead sent there would go to the fallback',
      ),
    );
    // Publishing parses the same way: no SLA comes out of a file with errors.
    expect(checkSlaText(text, "sla.yaml").sla).toBeUndefined();
  });
});
