import type { Stage } from "../../../src/domain/lead";
import { nextStage, qualifyLead, type LifecycleEvent } from "../../../src/domain/lifecycle";
import type { ScoreBreakdown } from "../../../src/domain/scoring";
import { aLead, anActivity, anSla, engagementRule, fitRule } from "../sla/builders";

const NOW = "2026-11-23T12:00:00.000Z";
const sla = anSla({ mqlFit: 50, mqlEngagement: 40, triggerMinFit: 30 });

function aScore(overrides: Partial<ScoreBreakdown> = {}): ScoreBreakdown {
  const fit = overrides.fit ?? 60;
  const engagement = overrides.engagement ?? 45;
  return {
    fit,
    engagement,
    total: fit + engagement,
    reasons: [],
    missingFields: [],
    triggers: [],
    at: NOW,
    ...overrides,
  };
}

describe("nextStage: thresholds", () => {
  it.each<[number, number, Stage]>([
    [50, 40, "mql"],
    [49.9, 40, "lead"],
    [50, 39.9, "lead"],
    [100, 100, "mql"],
  ])("fit %d and engagement %d → %s (minimums are inclusive)", (fit, engagement, stage) => {
    expect(nextStage("lead", aScore({ fit, engagement }), [], sla, NOW).stage).toBe(stage);
  });

  it("when a lead qualifies, then it is promoted and handed off with the reason", () => {
    expect(nextStage("lead", aScore(), [], sla, NOW)).toEqual({
      from: "lead",
      stage: "mql",
      changed: true,
      action: "promote",
      handoff: true,
      reason: "MQL: fit 60 ≥ 50 and engagement 45 ≥ 40",
      qualifiedBy: { kind: "thresholds", met: ["fit 60 ≥ 50", "engagement 45 ≥ 40"] },
    });
  });

  it("when it does not qualify, then the reason says what is missing", () => {
    expect(nextStage("lead", aScore({ fit: 30, engagement: 10 }), [], sla, NOW)).toMatchObject({
      stage: "lead",
      action: "keep",
      handoff: false,
      reason: "not an MQL yet: fit 30 (needs 50), engagement 10 (needs 40)",
    });
  });

  it("when a handoff trigger fires for a fitting lead, then it is handed off whatever the engagement", () => {
    const score = aScore({
      fit: 30,
      engagement: 5,
      triggers: [
        {
          rule: "contact-me",
          evidence: "submitted form contact-me on 2026-11-22",
          at: "2026-11-22T09:00:00Z",
        },
      ],
    });
    expect(nextStage("lead", score, [], sla, NOW)).toMatchObject({
      stage: "mql",
      handoff: true,
      reason: "MQL: handoff trigger contact-me: submitted form contact-me on 2026-11-22 (fit 30 ≥ 30)",
      qualifiedBy: { kind: "trigger", rule: "contact-me", at: "2026-11-22T09:00:00Z" },
    });
  });

  it("when a handoff trigger fires for a lead that does not fit, then nothing happens", () => {
    const score = aScore({ fit: 29, engagement: 5, triggers: [{ rule: "c", evidence: "e", at: NOW }] });
    expect(nextStage("lead", score, [], sla, NOW).stage).toBe("lead");
  });
});

describe("nextStage: held for missing fields", () => {
  it("when a qualifying lead lacks required fields, then it is held with what it waits for", () => {
    expect(nextStage("lead", aScore({ missingFields: ["jobtitle", "country"] }), [], sla, NOW)).toMatchObject(
      {
        stage: "lead",
        changed: false,
        action: "hold",
        handoff: false,
        waitingFor: ["jobtitle", "country"],
        reason: "waiting for: jobtitle, country (qualifies: fit 60 ≥ 50 and engagement 45 ≥ 40)",
      },
    );
  });
});

describe("nextStage: forward only", () => {
  it.each<Stage>(["mql", "sql"])("when a %s's score drops, then it keeps its stage and says so", (stage) => {
    const decision = nextStage(
      stage,
      aScore({ fit: 10, engagement: 0 }),
      [{ type: "stage_set", stage, at: "2026-11-01T00:00:00Z", by: "handoff" }],
      sla,
      NOW,
    );
    expect(decision).toMatchObject({ stage, changed: false, action: "keep" });
    expect(decision.reason).toMatch(/stages never move backwards/);
  });

  it.each<Stage>(["opportunity", "customer"])("%s belongs to the CRM", (stage) => {
    expect(nextStage(stage, aScore(), [], sla, NOW)).toMatchObject({
      stage,
      changed: false,
      reason: expect.stringMatching(/CRM owns/),
    });
  });

  it("when sales accepts an MQL, then it becomes SQL", () => {
    const history: LifecycleEvent[] = [
      { type: "stage_set", stage: "mql", at: "2026-11-20T00:00:00Z", by: "handoff" },
      { type: "accepted", at: "2026-11-21T00:00:00Z", by: "80001" },
    ];
    expect(nextStage("mql", aScore(), history, sla, NOW)).toMatchObject({
      stage: "sql",
      action: "accept",
      handoff: false,
    });
  });
});

describe("nextStage: recycle and cooldown", () => {
  const rejectedAt = "2026-11-10T00:00:00.000Z";
  const history: LifecycleEvent[] = [
    { type: "stage_set", stage: "mql", at: "2026-11-09T00:00:00Z", by: "handoff" },
    { type: "rejected", at: rejectedAt, reason: "no_budget", by: "80002" },
  ];

  it("when sales rejects an MQL, then it goes to nurture with the reason and the cooldown", () => {
    expect(nextStage("mql", aScore(), history, sla, NOW)).toEqual({
      from: "mql",
      stage: "nurture",
      changed: true,
      action: "recycle",
      handoff: false,
      reason: "rejected by sales (no_budget) on 2026-11-10: back to nurture until 2026-12-10",
      cooldownUntil: "2026-12-10T00:00:00.000Z",
    });
  });

  const recycled: LifecycleEvent[] = [
    ...history,
    { type: "stage_set", stage: "nurture", at: rejectedAt, by: "handoff" },
  ];

  it("when a recycled lead still qualifies during the cooldown, then it stays in nurture", () => {
    expect(
      nextStage("nurture", aScore({ latestEvidenceAt: "2026-11-20T00:00:00Z" }), recycled, sla, NOW),
    ).toMatchObject({
      stage: "nurture",
      reason: "in cooldown after rejection (no_budget) until 2026-12-10",
    });
  });

  it("one instant before the cooldown ends it still waits; at the end it may requalify", () => {
    const score = aScore({ latestEvidenceAt: "2026-11-20T00:00:00Z" });
    expect(nextStage("nurture", score, recycled, sla, "2026-12-09T23:59:59.999Z").stage).toBe("nurture");
    expect(nextStage("nurture", score, recycled, sla, "2026-12-10T00:00:00.000Z").stage).toBe("mql");
  });

  it("after the cooldown, the same old evidence does not requalify it", () => {
    const score = aScore({ latestEvidenceAt: "2026-11-05T00:00:00Z" });
    expect(nextStage("nurture", score, recycled, sla, "2026-12-15T00:00:00Z")).toMatchObject({
      stage: "nurture",
      reason: "rejected (no_budget) on 2026-11-10: requalifies only on new activity since then",
    });
  });

  it("with requalify_on: score, the score alone requalifies it after the cooldown", () => {
    const lenient = anSla({ recycle: { ...sla.recycle, requalifyOn: "score" } });
    expect(
      nextStage(
        "nurture",
        aScore({ latestEvidenceAt: "2026-11-05T00:00:00Z" }),
        recycled,
        lenient,
        "2026-12-15T00:00:00Z",
      ).stage,
    ).toBe("mql");
  });
});

describe("nextStage: manual changes in the CRM", () => {
  it("when a person set the stage back to lead, then Handoff respects it until new activity", () => {
    const history: LifecycleEvent[] = [
      { type: "stage_set", stage: "mql", at: "2026-11-10T00:00:00Z", by: "handoff" },
      { type: "stage_set", stage: "lead", at: "2026-11-12T00:00:00Z", by: "person", actor: "80001" },
    ];
    expect(
      nextStage("lead", aScore({ latestEvidenceAt: "2026-11-11T00:00:00Z" }), history, sla, NOW),
    ).toMatchObject({
      stage: "lead",
      action: "keep",
      manual: { stage: "lead", at: "2026-11-12T00:00:00Z", actor: "80001" },
      reason: "set to lead by a person in the CRM on 2026-11-12: promoted only on new activity",
    });
    expect(
      nextStage("lead", aScore({ latestEvidenceAt: "2026-11-13T00:00:00Z" }), history, sla, NOW),
    ).toMatchObject({
      stage: "mql",
      handoff: true,
    });
  });

  it("when the CRM shows a stage Handoff never set, then it is kept and reported as a manual change", () => {
    const history: LifecycleEvent[] = [
      { type: "stage_set", stage: "mql", at: "2026-11-10T00:00:00Z", by: "handoff" },
    ];
    expect(nextStage("sql", aScore({ fit: 0 }), history, sla, NOW)).toMatchObject({
      stage: "sql",
      changed: false,
      manual: { stage: "sql" },
    });
  });
});

describe("qualifyLead", () => {
  it("scores and stages in one call", () => {
    const rules = anSla({
      fit: [fitRule({ when: { jobtitle: "VP*" }, points: 60 })],
      engagement: [engagementRule({ on: "page_view", url: "/pricing", points: 20 })],
    });
    const { score, decision } = qualifyLead(aLead(), [anActivity(), anActivity()], [], rules, NOW);
    expect(score).toMatchObject({ fit: 60, engagement: 40, total: 100 });
    expect(decision).toMatchObject({ from: "lead", stage: "mql", handoff: true });
  });
});

describe("nextStage: a stage moved back in the CRM without a record", () => {
  const history: LifecycleEvent[] = [
    { type: "stage_set", stage: "mql", at: "2026-11-10T00:00:00Z", by: "handoff" },
  ];

  it("when the CRM shows lead after Handoff set MQL, then it is not handed over again on old evidence", () => {
    expect(
      nextStage("lead", aScore({ latestEvidenceAt: "2026-11-09T00:00:00Z" }), history, sla, NOW),
    ).toMatchObject({
      stage: "lead",
      handoff: false,
      manual: { stage: "lead" },
      reason: "set to lead by a person in the CRM after 2026-11-10: promoted only on new activity",
    });
  });

  it("new activity after that requalifies it", () => {
    expect(
      nextStage("lead", aScore({ latestEvidenceAt: "2026-11-11T00:00:00Z" }), history, sla, NOW),
    ).toMatchObject({
      stage: "mql",
      handoff: true,
    });
  });
});
