import fc from "fast-check";
import type { Activity } from "../../../src/domain/lead";
import { decayFactor, scoreLead } from "../../../src/domain/scoring";
import { aLead, anActivity, anSla, engagementRule, fitRule } from "../sla/builders";

const NOW = "2026-11-23T12:00:00.000Z";
const daysAgo = (days: number): string => new Date(Date.parse(NOW) - days * 86_400_000).toISOString();

describe("scoreLead: fit", () => {
  const sla = anSla({
    fit: [
      fitRule({ id: "size", when: { employees: ">= 100" }, points: 25 }),
      fitRule({ id: "small", when: { employees: "< 100" }, points: -100, reason: "under 100 employees" }),
      fitRule({ id: "title", when: { jobtitle: ["VP*", "Head of*"] }, points: 20 }),
      fitRule({ id: "industry", when: { industry: ["software", "fintech"] }, points: 20 }),
      fitRule({ id: "seniority", when: { seniority: "executive" }, points: 5 }),
      fitRule({ id: "territory", when: { country: "ES", postal_code: "28*" }, points: 10 }),
      fitRule({ id: "revenue", when: { annual_revenue: ">= 10M" }, points: 5 }),
      fitRule({ id: "model", when: { business_model: "B2B" }, points: 5 }),
      fitRule({ id: "crm-property", when: { "property:plan": "enterprise" }, points: 5 }),
    ],
  });

  it("when a lead matches rules, then each one adds its points with the evidence", () => {
    const score = scoreLead(
      aLead({
        seniority: "Executive",
        annualRevenue: 20_000_000,
        businessModel: "b2b",
        properties: { plan: "Enterprise" },
      }),
      [],
      sla,
      NOW,
    );
    expect(score.fit).toBe(95);
    expect(score.reasons.map((r) => r.rule)).toEqual([
      "size",
      "title",
      "industry",
      "seniority",
      "territory",
      "revenue",
      "model",
      "crm-property",
    ]);
    expect(score.reasons[1]).toEqual({
      rule: "title",
      axis: "fit",
      points: 20,
      evidence: '+20 jobtitle "VP Sales" matches any of VP*, Head of*',
    });
  });

  it("when a rule has negative points, then they take away and its reason is shown", () => {
    const score = scoreLead(aLead({ employees: 40 }), [], sla, NOW);
    expect(score.reasons).toContainEqual({
      rule: "small",
      axis: "fit",
      points: -100,
      evidence: "-100 under 100 employees",
    });
    expect(score.fit).toBe(0); // 20 + 20 + 10 - 100, floored at the cap
    expect(score.reasons).toContainEqual(expect.objectContaining({ rule: "caps", axis: "fit", points: 50 }));
  });

  it("when rules sum above the cap, then fit is capped and a reason says by how much", () => {
    const capped = anSla({ ...sla, caps: { fit: { min: 0, max: 50 }, engagement: { min: 0, max: 100 } } });
    const score = scoreLead(aLead(), [], capped, NOW);
    expect(score.fit).toBe(50);
    expect(score.reasons.at(-1)).toMatchObject({
      rule: "caps",
      points: -25,
      evidence: "fit is capped at 50 (rules gave 75)",
    });
  });
});

describe("scoreLead: engagement rule kinds", () => {
  const rules = [
    engagementRule({ id: "pricing", on: "page_view", url: "/pricing*", points: 10 }),
    engagementRule({
      id: "contact",
      on: "form_submission",
      form: "contact-me",
      points: 50,
      trigger: "handoff",
    }),
    engagementRule({ id: "download", on: "content_download", points: 15 }),
    engagementRule({ id: "webinar", on: "webinar_attended", name: "*pipeline*", points: 20 }),
    engagementRule({ id: "open", on: "email_open", points: 1 }),
    engagementRule({ id: "click", on: "email_click", points: 3 }),
    engagementRule({ id: "contact-me", on: "contact_me", points: 40 }),
    engagementRule({ id: "demo", on: "demo_request", points: 45 }),
    engagementRule({ id: "chat", on: "chat", points: 5 }),
    engagementRule({ id: "careers", on: "page_view", url: "/careers*", points: -20 }),
  ];
  const sla = anSla({
    engagement: rules,
    caps: { fit: { min: 0, max: 100 }, engagement: { min: -100, max: 500 } },
  });

  it.each<[string, Partial<Activity>, string, number]>([
    [
      "pricing",
      { kind: "page_view", url: "https://acme.io/pricing?plan=pro" },
      "+10 viewed /pricing on 2026-11-20",
      10,
    ],
    [
      "contact",
      { kind: "form_submission", name: "contact-me", url: "/contact" },
      "+50 submitted form contact-me on 2026-11-20",
      50,
    ],
    [
      "download",
      { kind: "content_download", name: "ROI guide" },
      "+15 downloaded ROI guide on 2026-11-20",
      15,
    ],
    [
      "webinar",
      { kind: "webinar_attended", name: "Pipeline Q4" },
      "+20 attended webinar Pipeline Q4 on 2026-11-20",
      20,
    ],
    [
      "open",
      { kind: "email_open", name: "Nov newsletter" },
      "+1 opened e-mail Nov newsletter on 2026-11-20",
      1,
    ],
    [
      "click",
      { kind: "email_click", name: "Nov newsletter" },
      "+3 clicked in e-mail Nov newsletter on 2026-11-20",
      3,
    ],
    ["contact-me", { kind: "contact_me" }, "+40 asked to be contacted on 2026-11-20", 40],
    [
      "demo",
      { kind: "demo_request", name: "demo form" },
      "+45 requested a demo (demo form) on 2026-11-20",
      45,
    ],
    ["chat", { kind: "chat" }, "+5 chatted on 2026-11-20", 5],
    ["careers", { kind: "page_view", url: "/careers/sales" }, "-20 viewed /careers/sales on 2026-11-20", -20],
  ])("rule %s scores its activity", (rule, activity, evidence, points) => {
    const score = scoreLead(aLead(), [anActivity(activity)], sla, "2026-11-20T12:00:00Z");
    expect(score.reasons).toEqual([
      { rule, axis: "engagement", points, evidence, at: "2026-11-20T10:00:00.000Z" },
    ]);
    expect(score.engagement).toBe(points);
  });

  it("when the filters do not match, then the activity scores nothing", () => {
    const score = scoreLead(
      aLead(),
      [
        anActivity({ kind: "page_view", url: "/blog" }),
        anActivity({ kind: "form_submission", name: "newsletter" }),
        anActivity({ kind: "webinar_attended", name: "Hiring 101" }),
      ],
      sla,
      NOW,
    );
    expect(score.reasons).toEqual([]);
  });

  it("when a handoff-trigger activity is found, then it is listed as a trigger", () => {
    const score = scoreLead(aLead(), [anActivity({ kind: "form_submission", name: "contact-me" })], sla, NOW);
    expect(score.triggers).toEqual([
      {
        rule: "contact",
        evidence: "submitted form contact-me on 2026-11-20",
        at: "2026-11-20T10:00:00.000Z",
      },
    ]);
  });

  it("when an activity is after `now`, then it is not counted (previews as of a date)", () => {
    expect(
      scoreLead(aLead(), [anActivity({ occurredAt: "2026-12-01T00:00:00Z" })], sla, NOW).engagement,
    ).toBe(0);
  });
});

describe("scoreLead: per-rule max, windows and caps", () => {
  it("when a rule's activities pass its max, then the rule counts only up to max", () => {
    const sla = anSla({
      engagement: [engagementRule({ id: "pricing", on: "page_view", url: "/pricing", points: 10, max: 30 })],
    });
    const views = [1, 2, 3, 4, 5].map((d) => anActivity({ occurredAt: daysAgo(d) }));
    const score = scoreLead(aLead(), views, sla, NOW);
    expect(score.engagement).toBe(30);
    expect(score.reasons.at(-1)).toMatchObject({
      rule: "pricing",
      points: -20,
      evidence: "pricing counts at most +30 (5 activities gave +50)",
    });
  });

  it("when a negative rule has max, then it takes away at most max", () => {
    const sla = anSla({
      engagement: [
        engagementRule({ on: "page_view", url: "/pricing", points: 10 }),
        engagementRule({ id: "careers", on: "page_view", url: "/careers", points: -20, max: 30 }),
      ],
    });
    const acts = [
      anActivity(),
      anActivity(),
      anActivity(),
      anActivity(),
      ...[1, 2, 3].map(() => anActivity({ url: "/careers" })),
    ];
    expect(scoreLead(aLead(), acts, sla, NOW).engagement).toBe(10);
  });

  it("when an activity is outside the rule's window, then it is ignored; at the boundary it counts", () => {
    const sla = anSla({
      engagement: [
        engagementRule({ on: "email_click", points: 3, within: { text: "30d", minutes: 30 * 1440 } }),
      ],
    });
    const at30 = scoreLead(aLead(), [anActivity({ kind: "email_click", occurredAt: daysAgo(30) })], sla, NOW);
    const at31 = scoreLead(
      aLead(),
      [anActivity({ kind: "email_click", occurredAt: daysAgo(30.01) })],
      sla,
      NOW,
    );
    expect(at30.engagement).toBe(3);
    expect(at31.engagement).toBe(0);
  });

  it("when engagement exceeds its cap, then it is capped at the axis max", () => {
    const sla = anSla({ engagement: [engagementRule({ on: "demo_request", points: 80 })] });
    const score = scoreLead(
      aLead(),
      [anActivity({ kind: "demo_request" }), anActivity({ kind: "demo_request" })],
      sla,
      NOW,
    );
    expect(score.engagement).toBe(100);
    expect(score.total).toBe(100);
  });
});

describe("decay", () => {
  const halfLife = anSla({
    decay: { kind: "half_life", halfLifeDays: 30 },
    engagement: [engagementRule({ on: "page_view", url: "/pricing", points: 20 })],
  });

  it.each([
    [0, 20],
    [15, 14.1],
    [30, 10],
    [60, 5],
    [90, 2.5],
    [365, 0],
  ])("half-life 30 days: 20 points %i days ago count %d", (age, expected) => {
    const score = scoreLead(aLead(), [anActivity({ occurredAt: daysAgo(age) })], halfLife, NOW);
    expect(score.engagement).toBe(expected);
  });

  it("when points decay, then the reason says from what to what and why", () => {
    const score = scoreLead(aLead(), [anActivity({ occurredAt: daysAgo(30) })], halfLife, NOW);
    expect(score.reasons[0]).toMatchObject({
      points: 10,
      evidence: "+20 viewed /pricing on 2026-10-24",
      decay: "20 → 10 after 30 days (half-life 30 days)",
    });
  });

  it("step decay keeps the share of the last step reached", () => {
    const step = {
      kind: "step" as const,
      steps: [
        { afterDays: 30, keep: 0.5 },
        { afterDays: 90, keep: 0 },
      ],
    };
    expect([0, 29.9, 30, 89, 90, 200].map((d) => decayFactor(step, d))).toEqual([1, 1, 0.5, 0.5, 0, 0]);
  });

  it("negative points do not fade", () => {
    const sla = anSla({
      decay: { kind: "half_life", halfLifeDays: 30 },
      caps: { fit: { min: 0, max: 100 }, engagement: { min: -100, max: 100 } },
      engagement: [engagementRule({ on: "page_view", url: "/careers", points: -20 })],
    });
    expect(
      scoreLead(aLead(), [anActivity({ url: "/careers", occurredAt: daysAgo(90) })], sla, NOW).engagement,
    ).toBe(-20);
  });
});

describe("missing required fields", () => {
  it("lists required fields the lead lacks, by their SLA names", () => {
    const sla = anSla({ requiredFields: ["email", "jobtitle", "country", "property:budget"] });
    const { jobTitle: _t, country: _c, ...rest } = aLead();
    expect(scoreLead({ ...rest, properties: { budget: "" } }, [], sla, NOW).missingFields).toEqual([
      "jobtitle",
      "country",
      "property:budget",
    ]);
  });
});

describe("properties", () => {
  const sla = anSla({
    decay: { kind: "half_life", halfLifeDays: 30 },
    fit: [
      fitRule({ when: { employees: ">= 100" }, points: 30 }),
      fitRule({ when: { country: "ES" }, points: 10 }),
    ],
    engagement: [
      engagementRule({ on: "page_view", url: "/pricing*", points: 10, max: 40 }),
      engagementRule({ on: "content_download", points: 15 }),
      engagementRule({ on: "webinar_attended", points: 20, within: { text: "60d", minutes: 60 * 1440 } }),
      engagementRule({ on: "page_view", url: "/careers*", points: -20 }),
    ],
  });
  const positiveActivity = fc.record({
    kind: fc.constantFrom("page_view", "content_download", "webinar_attended") as fc.Arbitrary<
      Activity["kind"]
    >,
    occurredAt: fc
      .integer({ min: 0, max: 400 * 24 })
      .map((h) => new Date(Date.parse(NOW) - h * 3_600_000).toISOString()),
    url: fc.constantFrom("/pricing", "/pricing/pro", "/blog"),
  });
  const anyActivity = fc.oneof(
    positiveActivity,
    positiveActivity.map((a) => ({ ...a, kind: "page_view" as const, url: "/careers" })),
  );
  const lead = fc.record({
    employees: fc.integer({ min: 1, max: 5000 }),
    country: fc.constantFrom("ES", "DE"),
  });

  it("scoring is deterministic", () => {
    fc.assert(
      fc.property(lead, fc.array(anyActivity, { maxLength: 20 }), (l, acts) => {
        expect(scoreLead(aLead(l), acts, sla, NOW)).toEqual(scoreLead(aLead(l), [...acts], sla, NOW));
      }),
    );
  });

  it("adding a positive-points activity never lowers the score", () => {
    fc.assert(
      fc.property(lead, fc.array(anyActivity, { maxLength: 20 }), positiveActivity, (l, acts, extra) => {
        const before = scoreLead(aLead(l), acts, sla, NOW);
        const after = scoreLead(aLead(l), [...acts, extra], sla, NOW);
        expect(after.total).toBeGreaterThanOrEqual(before.total);
        expect(after.engagement).toBeGreaterThanOrEqual(before.engagement);
      }),
    );
  });

  it("decay never raises the score: the same activities score no more later", () => {
    fc.assert(
      fc.property(
        lead,
        fc.array(anyActivity, { maxLength: 20 }),
        fc.integer({ min: 0, max: 200 }),
        (l, acts, laterDays) => {
          const later = new Date(Date.parse(NOW) + laterDays * 86_400_000).toISOString();
          expect(scoreLead(aLead(l), acts, sla, later).total).toBeLessThanOrEqual(
            scoreLead(aLead(l), acts, sla, NOW).total,
          );
        },
      ),
    );
  });
});

describe("handoff trigger freshness", () => {
  const sla = anSla({
    engagement: [engagementRule({ id: "contact", on: "contact_me", points: 50, trigger: "handoff" })],
  });
  const fresh = { ...sla, qualify: { ...sla.qualify, triggerWithin: { text: "14d", minutes: 14 * 1440 } } };

  it("when a trigger activity is older than trigger_within, then it still scores but no longer triggers", () => {
    const at14 = scoreLead(
      aLead(),
      [anActivity({ kind: "contact_me", occurredAt: daysAgo(14) })],
      fresh,
      NOW,
    );
    const at15 = scoreLead(
      aLead(),
      [anActivity({ kind: "contact_me", occurredAt: daysAgo(15) })],
      fresh,
      NOW,
    );
    expect(at14.triggers).toHaveLength(1);
    expect(at15.triggers).toEqual([]);
    expect(at15.engagement).toBe(50);
  });
});
