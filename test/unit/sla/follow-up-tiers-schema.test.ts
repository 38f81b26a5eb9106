import { readFileSync } from "node:fs";
import path from "node:path";
import { canonicalHash } from "../../../src/sla/canonical-hash";
import { checkSlaText } from "../../../src/sla/load-sla";
import { formatProblem } from "../../../src/sla/sla-problem";

const base = readFileSync(path.join(__dirname, "../../fixtures/sla/valid-minimal.yaml"), "utf8");
const withTiers = (tiers: string): string =>
  base.replace(
    "  cadence: { calls: 3, emails: 3, within: 14d }\n",
    `  cadence: { calls: 3, emails: 3, within: 14d }\n${tiers}`,
  );

function problems(text: string): string[] {
  return checkSlaText(text, "sla.yaml").problems.map(formatProblem);
}

const twoTiers = [
  "  tiers:",
  "    - name: hot",
  '      when: { trigger: contact, fit: ">= 60" }',
  "      first_touch: 30m",
  "      max: 4h",
  "      escalate_to: carla",
  "    - name: content",
  "      when: { trigger: thresholds }",
  "      first_touch: 1d",
  "      next_touch: 2d",
  "      max: 3d",
  "      remind_at: [100%]",
  "",
].join("\n");

describe("follow-up tiers in the SLA file", () => {
  it("when the SLA lists two tiers, then they load in order and inherit what they do not set", () => {
    const report = checkSlaText(withTiers(twoTiers), "sla.yaml");
    expect(report.problems).toEqual([]);
    expect(report.sla?.followUp.tiers).toEqual([
      {
        tier: "hot",
        when: { trigger: "contact", fit: ">= 60" },
        firstTouch: { text: "30m", minutes: 30 },
        max: { text: "4h", minutes: 240 },
        businessHours: true,
        remindAt: [0.5, 1],
        escalateTo: "carla",
        reassignAfter: { text: "1d", minutes: 1440 },
      },
      {
        tier: "content",
        when: { trigger: "thresholds" },
        firstTouch: { text: "1d", minutes: 1440 },
        nextTouch: { text: "2d", minutes: 2880 },
        max: { text: "3d", minutes: 4320 },
        businessHours: true,
        remindAt: [1],
        escalateTo: "manager",
        reassignAfter: { text: "1d", minutes: 1440 },
      },
    ]);
  });

  it("when an SLA has no tiers, then it hashes as before tiers existed (published signatures stay valid)", () => {
    const sla = checkSlaText(base, "sla.yaml").sla!;
    expect("tiers" in sla.followUp).toBe(false);
    expect("nextTouch" in sla.followUp).toBe(false);
    // The hash of valid-minimal.yaml as computed before tiers existed.
    expect(canonicalHash(sla)).toBe(
      "sha256:ce0e6c58528e60ace287a7c59d7e6b6628fd7ed84246df90a291c95f936742fe",
    );
    expect(canonicalHash(checkSlaText(withTiers(twoTiers), "sla.yaml").sla!)).not.toBe(canonicalHash(sla));
  });

  it("when a tier names a trigger, territory or pool that does not exist, then lint says where and what exists", () => {
    const bad = withTiers(
      [
        "  tiers:",
        "    - name: hot",
        "      when: { trigger: contact-me, territory: Iberai }",
        "      first_touch: 30m",
        "",
      ].join("\n"),
    );
    const found = problems(bad);
    expect(found).toContainEqual(
      expect.stringMatching(
        /^sla\.yaml:\d+:\d+ follow_up\.tiers\[0\]\.when\.trigger: this tier can never apply: trigger "contact-me" is not a `trigger: handoff` engagement rule nor thresholds — .*contact/,
      ),
    );
    expect(found).toContainEqual(
      expect.stringMatching(
        /follow_up\.tiers\[0\]\.when\.territory: this tier can never apply: territory "Iberai" is not a territory of routing — .*Iberia/,
      ),
    );
  });

  it("when a tier has no conditions, a text score band, a bad duration or a deadline past its max, then each is an error with its fix", () => {
    const bad = withTiers(
      [
        "  tiers:",
        "    - name: empty",
        "      when: {}",
        "      first_touch: 30m",
        "    - name: strong",
        "      when: { fit: high }",
        "      first_touch: soon",
        "    - name: slow",
        '      when: { score: ">= 100" }',
        "      first_touch: 2d",
        "",
      ].join("\n"),
    );
    const found = problems(bad);
    expect(found).toContainEqual(
      expect.stringMatching(/tiers\[0\]\.when: empty `when` — name at least one of trigger/),
    );
    expect(found).toContainEqual(expect.stringMatching(/tiers\[1\]\.first_touch: "soon" is not a duration/));
    const fixed = bad
      .replace("first_touch: soon", "first_touch: 1h")
      .replace("when: {}", "when: { pool: iberia }");
    const again = problems(fixed);
    expect(again).toContainEqual(
      expect.stringMatching(
        /tiers\[1\]\.when\.fit: this tier can never apply: fit is a score and "high" is not a number or band — write a score band/,
      ),
    );
    expect(again).toContainEqual(
      expect.stringMatching(/tiers\[2\]\.first_touch: first_touch 2d is longer than max 1d/),
    );
  });

  it("when a wider tier comes first, then lint warns that the narrower one never applies", () => {
    const shadowed = withTiers(
      [
        "  tiers:",
        "    - name: any-contact",
        "      when: { trigger: contact }",
        "      first_touch: 1h",
        "    - name: hot",
        "      when: { trigger: contact, pool: iberia }",
        "      first_touch: 30m",
        "    - name: hot",
        "      when: { trigger: thresholds }",
        "      first_touch: 4h",
        "",
      ].join("\n"),
    );
    const found = problems(shadowed);
    expect(found).toContainEqual(
      expect.stringContaining(
        'tiers[1].when: warning: tier "hot" never applies: follow_up.tiers[0] "any-contact" comes first',
      ),
    );
    expect(found).toContainEqual(
      expect.stringContaining('tiers[2].name: tier "hot" is named twice (also follow_up.tiers[1])'),
    );
  });
});
