import { buildHandoffCard, formatMinutes, rejectReasonLabel } from "../../../src/domain/handoff-card";
import { aHandoffCard, aHandoffCardInput, CARD_NOW } from "../../fixtures/handoff-card";

const inMinutes = (m: number) => new Date(CARD_NOW.getTime() + m * 60_000);

describe("buildHandoffCard", () => {
  it("when a lead is handed over after a form, then the card says who, why now and what they did", () => {
    const card = aHandoffCard();

    expect(card.who).toEqual({
      name: "Zoë Müller",
      role: "VP Sales",
      company: "Acme GmbH",
      headline: "VP Sales at Acme GmbH",
      location: "Berlin, DE",
      recordUrl: "https://app.hubspot.com/contacts/9876543/record/0-1/501",
    });
    expect(card.whyNow).toEqual({
      kind: "activity",
      headline: "Submitted form “contact-me” on /contact",
      occurredAt: "2026-11-23T09:55:00.000Z",
      ago: "5 min ago",
    });
    expect(card.lastConversion).toMatchObject({
      kind: "form_submission",
      label: "contact-me",
      isTrigger: true,
    });
    expect(card.formSubmitted).toMatchObject({ name: "contact-me", ago: "5 min ago" });
    expect(card.formSubmitted?.fields).toHaveLength(2);
    expect(card.stage).toEqual({ key: "mql", label: "MQL (marketing qualified)" });
    expect(card.owner).toEqual({
      id: "80001",
      name: "Anna Schmidt",
      email: "anna@seller.example",
      reasons: [
        "territory DACH (country DE)",
        "pool dach: next by weighted round robin",
        "Anna is within working hours",
      ],
    });
  });

  it("shows the five newest content views, newest first, and nothing else", () => {
    const card = aHandoffCard();

    expect(card.recentViews.map((v) => v.label)).toEqual([
      "Contact us",
      "Enterprise pricing",
      "Pricing",
      "Customer stories",
      "The SLA playbook",
    ]);
    expect(card.recentViews[0]).toEqual({
      kind: "page_view",
      label: "Contact us",
      url: "/contact",
      occurredAt: "2026-11-23T09:52:00.000Z",
      ago: "8 min ago",
    });
  });

  it("explains the score point by point, fit first, biggest movers first, with bars relative to the largest", () => {
    const { score } = aHandoffCard();

    expect(score.total).toBe(137);
    expect(score.fit).toEqual({
      points: 75,
      min: 0,
      max: 100,
      percent: 75,
      threshold: 50,
      thresholdPercent: 50,
      meetsThreshold: true,
    });
    expect(score.engagement).toMatchObject({ points: 62, percent: 62, meetsThreshold: true });
    expect(score.reasons.map((r) => r.label)).toEqual([
      "+25 employees 250 ≥ 100",
      "+20 job title matches 'VP*'",
      "+20 industry is software",
      "+10 country is DE",
      "+50 submitted contact-me",
      "+20 2 views of /pricing*",
      "-7.6 viewed /careers",
    ]);
    expect(score.reasons.find((r) => r.rule === "engagement[1]")?.barPercent).toBe(100);
    expect(score.reasons.find((r) => r.rule === "fit[0]")?.barPercent).toBe(50);
    expect(score.reasons.find((r) => r.rule === "engagement[5]")?.barPercent).toBe(15);
  });

  it("counts the follow-up down, and says due soon in the last quarter and overdue after the deadline", () => {
    expect(aHandoffCard().followUp).toMatchObject({
      minutesLeft: 25,
      totalMinutes: 30,
      percentLeft: 83,
      status: "on_track",
      countdown: "due in 25 min",
      businessHours: true,
    });
    expect(aHandoffCard({}, inMinutes(20)).followUp).toMatchObject({ minutesLeft: 5, status: "due_soon" });
    expect(aHandoffCard({}, inMinutes(97)).followUp).toMatchObject({
      minutesLeft: -72,
      percentLeft: 0,
      status: "overdue",
      countdown: "1 h 12 min overdue",
    });
  });

  it("when the rep has touched the lead, then the clock stops and says whether it was in time", () => {
    const card = aHandoffCard(
      {
        cadence: {
          calls: { done: 1, required: 3 },
          emails: { done: 0, required: 3 },
          windowEndsAt: inMinutes(14 * 1440).toISOString(),
          firstTouchAt: inMinutes(10).toISOString(),
        },
      },
      inMinutes(60),
    );
    expect(card.followUp).toMatchObject({ status: "done", countdown: "touched in time" });
    expect(card.cadence).toMatchObject({
      status: "in_progress",
      summary: "1/3 calls, 0/3 e-mails (window ends in 13 d 23 h)",
    });
  });

  it("when the cadence window passed without all touches, then the cadence is behind", () => {
    const card = aHandoffCard({
      cadence: {
        calls: { done: 3, required: 3 },
        emails: { done: 1, required: 3 },
        windowEndsAt: inMinutes(-60).toISOString(),
      },
    });
    expect(card.cadence?.status).toBe("behind");
    expect(card.cadence?.summary).toBe("3/3 calls, 1/3 e-mails (window ended 1 h ago)");
  });

  it("offers the SLA's reject reasons in words, and shows a recorded decision", () => {
    expect(aHandoffCard().feedback).toEqual({
      status: "pending",
      rejectReasons: [
        { value: "not_icp", label: "Not in our ICP" },
        { value: "no_budget", label: "No budget" },
        { value: "wrong_contact", label: "Wrong contact" },
        { value: "duplicate", label: "Duplicate" },
        { value: "student_or_job_seeker", label: "Student or job seeker" },
      ],
    });
    const rejected = aHandoffCard({
      feedback: { decision: "reject", reason: "no_budget", at: CARD_NOW.toISOString() },
    });
    expect(rejected.feedback).toMatchObject({
      status: "rejected",
      reason: "no_budget",
      reasonLabel: "No budget",
    });
    expect(rejectReasonLabel("already-a-customer")).toBe("Already a customer");
  });

  it("when the lead crossed the thresholds without a form, then why-now says so and no form is shown", () => {
    const input = aHandoffCardInput({ trigger: { kind: "threshold", occurredAt: CARD_NOW.toISOString() } });
    delete input.formSubmitted;
    const card = buildHandoffCard(input, CARD_NOW);

    expect(card.whyNow).toMatchObject({
      kind: "threshold",
      headline: "Reached the MQL minimums for fit and engagement",
    });
    expect(card.formSubmitted).toBeNull();
    expect(card.lastConversion).toMatchObject({ label: "contact-me", isTrigger: false });
  });

  it("when the lead has no name, activity or owner yet, then the card still renders with honest gaps", () => {
    const card = buildHandoffCard(
      {
        ...aHandoffCardInput(),
        lead: { id: "777", properties: {} },
        activities: [],
        owner: null,
        routingReasons: [],
        followUp: null,
        trigger: { kind: "manual", occurredAt: CARD_NOW.toISOString() },
        score: { fit: 0, engagement: 0, total: 0, reasons: [] },
      },
      CARD_NOW,
    );
    expect(card.who).toMatchObject({ name: "Lead 777", headline: "" });
    expect(card.recentViews).toEqual([]);
    expect(card.lastConversion).toBeNull();
    expect(card.owner).toBeNull();
    expect(card.followUp).toBeNull();
    expect(card.whyNow.ago).toBe("just now");
  });

  it("does not read the clock: the same input and now give the same card", () => {
    expect(aHandoffCard()).toEqual(aHandoffCard());
    expect(aHandoffCard().generatedAt).toBe(CARD_NOW.toISOString());
  });
});

describe("formatMinutes", () => {
  it.each([
    [0, "0 min"],
    [59, "59 min"],
    [60, "1 h"],
    [61, "1 h 1 min"],
    [-90, "1 h 30 min"],
    [1440, "1 d"],
    [1500, "1 d 1 h"],
  ])("%d minutes read as %s", (minutes, text) => {
    expect(formatMinutes(minutes)).toBe(text);
  });
});
