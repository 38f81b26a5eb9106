import {
  channelsByWeek,
  eligibleMinutes,
  followUpCompliance,
  funnelLabels,
  percentile,
  poolFairness,
  salesFeedback,
  type HandoffFact,
} from "../../../src/domain/reports";
import { demoRules } from "../../helpers/routing-builders";

function aHandoff(overrides: Partial<HandoffFact> = {}): HandoffFact {
  return {
    id: "h1",
    repKey: "anna",
    startedAt: "2026-11-16T10:00:00.000Z",
    dueAt: "2026-11-16T10:30:00.000Z",
    firstTouchAt: null,
    status: "open",
    rejectReason: null,
    score: { total: 80, reasons: [] },
    source: {},
    ...overrides,
  };
}

const NOW = new Date("2026-11-23T12:00:00.000Z");

describe("follow-up compliance", () => {
  const touchedAfter = (minutes: number, repKey = "anna") =>
    aHandoff({
      repKey,
      firstTouchAt: new Date(Date.parse("2026-11-16T10:00:00.000Z") + minutes * 60_000).toISOString(),
    });

  it("when reps touch leads after 10, 20, 40 and 90 minutes on a 30-minute clock, then p50/p90 and breaches by rep follow", () => {
    const report = followUpCompliance(
      [touchedAfter(10), touchedAfter(20), touchedAfter(40, "ben"), touchedAfter(90, "ben")],
      NOW,
    );
    expect(report).toMatchObject({
      handoffs: 4,
      touched: 4,
      breaches: 2,
      onTimeRate: 0.5,
      p50Minutes: 20,
      p90Minutes: 90,
    });
    expect(report.byRep).toEqual([
      { repKey: "ben", handoffs: 2, touched: 2, breaches: 2, p50Minutes: 40, p90Minutes: 90 },
      { repKey: "anna", handoffs: 2, touched: 2, breaches: 0, p50Minutes: 10, p90Minutes: 20 },
    ]);
  });

  it("when a queue owns some leads and nobody takes their task, then the rows say how many have no task and why", () => {
    const reason = "no task: a queue owns the lead";
    const report = followUpCompliance(
      [aHandoff({ repKey: null, noTask: reason }), aHandoff({ repKey: null, noTask: reason }), aHandoff()],
      NOW,
    );
    expect(report.noTask).toEqual({ count: 2, reason });
    expect(report.byRep.find((r) => r.repKey === "(fallback)")?.noTask).toEqual({ count: 2, reason });
    expect(report.byRep.find((r) => r.repKey === "anna")).not.toHaveProperty("noTask");
  });

  it("when a lead is untouched past its deadline it is a breach, and one still inside its deadline is not yet judged", () => {
    const report = followUpCompliance(
      [aHandoff(), aHandoff({ startedAt: "2026-11-23T11:50:00.000Z", dueAt: "2026-11-23T12:20:00.000Z" })],
      NOW,
    );
    expect(report).toMatchObject({ handoffs: 2, touched: 0, breaches: 1, onTimeRate: 0, p50Minutes: null });
  });

  it("when handoffs have different follow-up tiers, then compliance is split by tier, each against its own deadline", () => {
    // A 30-minute contact-me tier and a one-day content tier; handoffs from before tiers count as default.
    const hot = (minutes: number | null) =>
      aHandoff({
        tier: "contact_me",
        firstTouchAt:
          minutes === null
            ? null
            : new Date(Date.parse("2026-11-16T10:00:00.000Z") + minutes * 60_000).toISOString(),
      });
    const content = (minutes: number) =>
      aHandoff({
        tier: "content_mql",
        dueAt: "2026-11-17T10:00:00.000Z",
        firstTouchAt: new Date(Date.parse("2026-11-16T10:00:00.000Z") + minutes * 60_000).toISOString(),
      });
    const report = followUpCompliance(
      [hot(10), hot(45), hot(null), content(300), content(1500), aHandoff()],
      NOW,
    );
    expect(report.byTier).toEqual([
      {
        tier: "contact_me",
        handoffs: 3,
        touched: 2,
        breaches: 2,
        onTimeRate: 0.333,
        p50Minutes: 10,
        p90Minutes: 45,
      },
      {
        tier: "content_mql",
        handoffs: 2,
        touched: 2,
        breaches: 1,
        onTimeRate: 0.5,
        p50Minutes: 300,
        p90Minutes: 1500,
      },
      {
        tier: "default",
        handoffs: 1,
        touched: 0,
        breaches: 1,
        onTimeRate: 0,
        p50Minutes: null,
        p90Minutes: null,
      },
    ]);
    expect(report).toMatchObject({ handoffs: 6, breaches: 4 });
  });

  it("percentiles are nearest-rank", () => {
    expect(percentile([5, 1, 3, 2, 4], 50)).toBe(3);
    expect(percentile([], 90)).toBeNull();
  });
});

describe("sales feedback and per-rule precision", () => {
  const reasons = (...rules: string[]) => ({
    total: 80,
    reasons: [
      ...rules.map((rule) => ({ rule, axis: "fit", points: 10 })),
      { rule: "free-mail", axis: "fit", points: -5 },
    ],
  });

  it("when leads scored by 'vp-title' are mostly rejected as not_icp, then that rule shows low precision and why", () => {
    const report = salesFeedback([
      aHandoff({ status: "accepted", score: reasons("pricing-page") }),
      aHandoff({ status: "rejected", rejectReason: "not_icp", score: reasons("vp-title", "pricing-page") }),
      aHandoff({ status: "rejected", rejectReason: "not_icp", score: reasons("vp-title") }),
      aHandoff({ status: "rejected", rejectReason: "no_budget", score: reasons("vp-title") }),
      aHandoff({ status: "open", score: reasons("vp-title") }),
    ]);
    expect(report).toMatchObject({ handoffs: 5, accepted: 1, rejected: 3, pending: 1, acceptanceRate: 0.25 });
    expect(report.rejectReasons).toEqual([
      { reason: "not_icp", count: 2 },
      { reason: "no_budget", count: 1 },
    ]);
    expect(report.rules).toEqual([
      {
        rule: "vp-title",
        axis: "fit",
        mqls: 4,
        accepted: 0,
        rejected: 3,
        precision: 0,
        rejectReasons: [
          { reason: "not_icp", count: 2 },
          { reason: "no_budget", count: 1 },
        ],
      },
      {
        rule: "pricing-page",
        axis: "fit",
        mqls: 2,
        accepted: 1,
        rejected: 1,
        precision: 0.5,
        rejectReasons: [{ reason: "not_icp", count: 1 }],
      },
    ]);
  });
});

describe("channels per week", () => {
  it("when a webinar campaign brings 3 leads and 2 qualify, then its week shows a 2/3 qualified rate", () => {
    const webinar = { source: "linkedin", medium: "paid", campaign: "webinar-q4" };
    const rows = channelsByWeek(
      [
        { leadId: "1", at: "2026-11-16T09:00:00Z", source: webinar, handoff: "accepted" },
        { leadId: "2", at: "2026-11-17T09:00:00Z", source: webinar, handoff: "rejected" },
        { leadId: "3", at: "2026-11-18T09:00:00Z", source: webinar, handoff: null },
        { leadId: "3", at: "2026-11-19T09:00:00Z", source: webinar, handoff: null },
        { leadId: "4", at: "2026-11-23T09:00:00Z", source: {}, handoff: null },
      ],
      "Europe/Berlin",
    );
    expect(rows).toEqual([
      {
        week: "2026-W47",
        source: "linkedin",
        medium: "paid",
        campaign: "webinar-q4",
        leads: 3,
        qualified: 2,
        qualifiedRate: 0.667,
        accepted: 1,
        rejected: 1,
        acceptanceRate: 0.5,
      },
      {
        week: "2026-W48",
        source: "(none)",
        medium: "(none)",
        campaign: "(none)",
        leads: 1,
        qualified: 0,
        qualifiedRate: 0,
        accepted: 0,
        rejected: 0,
        acceptanceRate: null,
      },
    ]);
  });
});

describe("fairness per pool", () => {
  const rules = demoRules();
  const from = new Date("2026-11-16T00:00:00Z");
  const to = new Date("2026-11-21T00:00:00Z"); // Monday to Friday

  it("a rep working Mon-Fri 09:00-18:00 is eligible 45 hours in a week, less the days they were away", () => {
    const anna = rules.reps.anna!;
    expect(eligibleMinutes(anna, [], [], from, to)).toBe(45 * 60);
    const away = [{ repKey: "anna", from: "2026-11-18T00:00:00Z", to: "2026-11-19T00:00:00Z" }];
    expect(eligibleMinutes(anna, away, [], from, to)).toBe(36 * 60);
    expect(eligibleMinutes(anna, [], ["2026-11-20"], from, to)).toBe(36 * 60);
  });

  it("when anna (weight 2) and ben (weight 1) got 5 leads each, then anna is under her 2/3 share and ben over his", () => {
    const handoffs = [
      ...Array.from({ length: 5 }, () => aHandoff({ repKey: "anna", score: { total: 60, reasons: [] } })),
      ...Array.from({ length: 5 }, () => aHandoff({ repKey: "ben", score: { total: 90, reasons: [] } })),
    ];
    const dach = poolFairness({
      pools: rules.pools,
      reps: rules.reps,
      handoffs,
      absences: [],
      from,
      to,
    }).find((p) => p.pool === "dach");
    expect(dach).toEqual({
      pool: "dach",
      assigned: 10,
      reps: [
        {
          repKey: "anna",
          weight: 2,
          eligibleHours: 45,
          expectedShare: 0.667,
          assigned: 5,
          actualShare: 0.5,
          averageScore: 60,
          scoreShare: 0.4,
          countDeviation: -0.167,
          scoreDeviation: -0.267,
        },
        {
          repKey: "ben",
          weight: 1,
          eligibleHours: 45,
          expectedShare: 0.333,
          assigned: 5,
          actualShare: 0.5,
          averageScore: 90,
          scoreShare: 0.6,
          countDeviation: 0.167,
          scoreDeviation: 0.267,
        },
      ],
    });
  });
});

describe("funnel vocabulary", () => {
  it("shows marketing's stage next to sales' word for it", () => {
    const labels = funnelLabels({
      attract: "prospecting",
      convert: "identify solutions",
      close: "evaluate",
      extra: { mql: "sales-ready lead" },
    });
    expect(labels.stages.mql).toBe("MQL / sales-ready lead");
    expect(labels.stages.sql).toBe("SQL");
    expect(labels.attract).toBe("attract / prospecting");
  });
});
