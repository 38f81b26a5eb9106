import { readFileSync } from "node:fs";
import path from "node:path";
import { checkSlaText, loadSlaFile, parseSla } from "../../../src/sla/load-sla";
import { formatProblem, SlaValidationError } from "../../../src/sla/sla-problem";

const FIXTURES = path.join(__dirname, "../../fixtures/sla");
const fixture = (name: string): string => path.join(FIXTURES, name);

function errorsOf(name: string): string[] {
  const file = `test/fixtures/sla/${name}`;
  return checkSlaText(readFileSync(fixture(name), "utf8"), file)
    .problems.filter((p) => p.severity === "error")
    .map(formatProblem);
}

describe("broken SLA files: each problem names its line, column and path, and how to fix it", () => {
  it.each([
    [
      "broken-unknown-key.yaml",
      [
        '11:5 fit[0].pionts: unknown key "pionts" — did you mean "points"?',
        '9:5 fit[0].points: missing required key "points"',
      ],
    ],
    [
      "broken-points-not-number.yaml",
      [
        '19:13 engagement[0].points: expected a number of points, got "ten" — write e.g. 10 or -20, without quotes',
      ],
    ],
    [
      "broken-unknown-activity.yaml",
      [
        '17:9 engagement[0].on: "page_veiw" is not one of: page_view, form_submission, content_download, webinar_attended, email_open, email_click, contact_me, demo_request, chat — did you mean "page_view"?',
      ],
    ],
    [
      "broken-unknown-field.yaml",
      ['13:13 fit[1].when.job_titel: unknown lead field "job_titel" — did you mean "jobtitle"?'],
    ],
    [
      "broken-bad-wildcard.yaml",
      ['13:23 fit[1].when.jobtitle: wildcard "**Head of" has "**" — one "*" already matches any characters'],
    ],
    [
      "broken-empty-range.yaml",
      [
        '10:24 fit[0].when.employees: range "500..100" is empty: 500 is above 100 — write the lower end first: "100..500"',
      ],
    ],
    [
      "broken-threshold-not-minimum.yaml",
      ['29:15 qualify.mql.fit: threshold "> 50" is not a minimum — write ">= 50"'],
    ],
    [
      "broken-threshold-unreachable.yaml",
      [
        "29:15 qualify.mql.fit: no lead can reach fit 80: the most a lead can score is 60 — lower the threshold to at most 60",
      ],
    ],
    [
      "broken-unknown-pool.yaml",
      [
        '32:81 routing.territories[0].pool: territory sends leads to pool "iberai", which is not defined — did you mean "iberia"?',
      ],
    ],
    [
      "broken-unknown-rep.yaml",
      [
        '35:40 routing.pools.iberia.members[1].rep: rep "deigo" is not listed under reps — did you mean "diego"?',
      ],
    ],
    [
      "broken-bad-duration.yaml",
      [
        '42:16 follow_up.first_touch: "30 mins later" is not a duration — write a number and a unit: 30m, 4h, 1d, 2w or 1 month',
      ],
    ],
    [
      "broken-never-fires.yaml",
      ["23:10 engagement[1].url: this rule can never fire: webinar_attended activities have no page URL"],
    ],
    [
      "broken-form-on-page-view.yaml",
      ["19:11 engagement[0].form: this rule can never fire: page_view activities have no form"],
    ],
    [
      "broken-text-on-number.yaml",
      ['11:24 fit[0].when.employees: this rule can never fire: employees is a number and "large" is text'],
    ],
    ["broken-missing-points.yaml", ['9:5 fit[0].points: missing required key "points" — add points:']],
    [
      "broken-bad-timezone.yaml",
      ['6:13 sla.timezone: "Europe/Madird" is not an IANA time zone — did you mean Europe/Madrid?'],
    ],
    ["broken-duplicate-key.yaml", ['37:7 (document): key "cap_open" appears twice in one block']],
  ])("%s", (name, expected) => {
    const errors = errorsOf(name);
    for (const fragment of expected) {
      expect(errors).toContainEqual(expect.stringContaining(`test/fixtures/sla/${name}:${fragment}`));
    }
  });

  it("when a file has several problems, then every one is reported at once, in file order", () => {
    const errors = errorsOf("broken-several-at-once.yaml").map((e) =>
      e.split(" ")[0]?.split(":").slice(1).join(":"),
    );
    expect(errors).toEqual(["9:5", "11:5", "17:9", "32:81"]);
  });

  it("parseSla throws one SlaValidationError listing every error", async () => {
    await expect(loadSlaFile(fixture("broken-several-at-once.yaml"))).rejects.toBeInstanceOf(
      SlaValidationError,
    );
    await expect(loadSlaFile(fixture("broken-several-at-once.yaml"))).rejects.toMatchObject({
      code: "sla_invalid",
      problems: expect.arrayContaining([
        expect.objectContaining({ path: "fit[0].pionts", line: 11, col: 5 }),
      ]),
    });
  });

  it("when the file is not YAML at all, then the syntax error has a line", () => {
    const report = checkSlaText("sla:\n  name: [unclosed\n", "x.yaml");
    expect(report.problems[0]).toMatchObject({
      severity: "error",
      message: expect.stringMatching(/^YAML syntax/),
    });
    expect(report.problems[0]?.line).toBeGreaterThan(0);
  });
});

describe("valid SLA files", () => {
  it.each([
    "config/sla.default.yaml",
    "config/sla.demo-salesforce.yaml",
    "test/fixtures/sla/valid-minimal.yaml",
  ])("%s loads without errors", async (file) => {
    const loaded = await loadSlaFile(path.join(__dirname, "../../..", file));
    expect(loaded.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(loaded.problems.filter((p) => p.severity === "error")).toEqual([]);
  });

  it("maps the YAML's snake_case to the domain's Sla", () => {
    const { sla } = parseSla(readFileSync(fixture("valid-minimal.yaml"), "utf8"));
    expect(sla.sla).toEqual({
      name: "Minimal",
      version: 1,
      effective: "2026-11-01",
      timezone: "Europe/Madrid",
    });
    expect(sla.fit[1]).toEqual({ id: "title", when: { jobtitle: ["VP*", "Head of*"] }, points: 30 });
    expect(sla.engagement[1]).toMatchObject({
      id: "contact",
      on: "form_submission",
      form: "contact-me",
      trigger: "handoff",
    });
    expect(sla.decay).toEqual({ kind: "half_life", halfLifeDays: 30 });
    expect(sla.qualify).toEqual({
      mql: { fit: 50, engagement: 40 },
      triggerMinFit: 50,
      triggerWithin: { text: "30d", minutes: 43200 },
    });
    expect(sla.routing.pools.iberia).toEqual({
      name: "iberia",
      members: [
        { rep: "carla", weight: 1 },
        { rep: "diego", weight: 1 },
      ],
      capOpen: 25,
      onReturn: "no_catch_up",
    });
    expect(sla.routing.reps.carla).toEqual({
      key: "carla",
      crmId: "80003",
      hours: "Mon-Fri 09:00-18:00",
      timezone: "Europe/Madrid",
      holidays: "ES",
    });
    expect(sla.routing.fallback).toEqual({ queue: "Inbound triage", ownerId: "80010" });
    expect(sla.followUp).toMatchObject({
      firstTouch: { minutes: 30 },
      remindAt: [0.5, 1],
      escalateTo: "manager",
    });
    expect(sla.vocabulary).toEqual({
      attract: "prospecting",
      convert: "identify solutions",
      close: "evaluate solutions",
      extra: {},
    });
    expect(sla.recycle).toEqual({
      cooldown: { text: "30d", minutes: 43200 },
      requalifyOn: "new_evidence",
      stage: "nurture",
    });
  });

  it("comments and key order do not change the hash; a threshold does", () => {
    const text = readFileSync(fixture("valid-minimal.yaml"), "utf8");
    const base = parseSla(text).hash;
    expect(
      parseSla(
        `# a new comment\n${text.replace("  name: Minimal\n  version: 1\n", "  version: 1\n  name: Minimal\n")}`,
      ).hash,
    ).toBe(base);
    expect(parseSla(text.replace('engagement: ">= 40"', 'engagement: ">= 41"')).hash).not.toBe(base);
  });
});
