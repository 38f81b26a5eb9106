import { followUpDeadline } from "../../../src/domain/follow-up";
import { planFollowUp } from "../../../src/domain/follow-up-plan";
import { chooseFollowUpTier, followUpTerms, tierFacts } from "../../../src/domain/follow-up-tier";
import type { FollowUp, FollowUpTier } from "../../../src/domain/sla";
import { demoRules } from "../../helpers/routing-builders";
import { aLead, anSla } from "../sla/builders";

const minutes = (text: string, n: number) => ({ text, minutes: n });

function tiered(): FollowUp {
  const base = anSla().followUp;
  const hot: FollowUpTier = {
    tier: "hot",
    when: { trigger: ["contact-me", "demo-request"], fit: ">= 60" },
    firstTouch: minutes("30m", 30),
    max: minutes("4h", 240),
    businessHours: true,
    remindAt: [0.5, 1],
    escalateTo: "maria",
    reassignAfter: minutes("2h", 120),
  };
  const content: FollowUpTier = {
    tier: "content",
    when: { trigger: "thresholds" },
    firstTouch: minutes("1d", 540),
    nextTouch: minutes("2d", 1080),
    max: minutes("3d", 4320),
    businessHours: true,
    remindAt: [1],
    escalateTo: "manager",
    reassignAfter: minutes("2d", 2880),
  };
  return { ...base, tiers: [hot, content] };
}

const facts = (over: Partial<Parameters<typeof chooseFollowUpTier>[1]> = {}) => ({
  trigger: "thresholds",
  fit: 70,
  engagement: 45,
  score: 115,
  ...over,
});

describe("follow-up tiers", () => {
  it("when a strong fit asks to be contacted, then the fast tier applies and says why", () => {
    const chosen = chooseFollowUpTier(tiered(), facts({ trigger: "contact-me" }));
    expect(chosen.terms).toMatchObject({ tier: "hot", firstTouch: { minutes: 30 }, escalateTo: "maria" });
    expect(chosen.evidence).toEqual([
      'trigger "contact-me" matches any of contact-me, demo-request',
      'fit 70 matches ">= 60"',
    ]);
  });

  it("when a contact-me comes from a weak fit, then the next tier whose conditions hold applies instead", () => {
    const weak = chooseFollowUpTier(tiered(), facts({ trigger: "contact-me", fit: 45 }));
    // Not "hot" (fit below 60), not "content" (a trigger, not thresholds): the default terms.
    expect(weak.terms).toMatchObject({
      tier: "default",
      firstTouch: { minutes: 30 },
      max: { minutes: 1440 },
    });
    expect(weak.evidence).toEqual([]);
  });

  it("when a lead qualified on content (thresholds), then the slow tier applies with its next touch", () => {
    const chosen = chooseFollowUpTier(tiered(), facts());
    expect(chosen.terms).toMatchObject({
      tier: "content",
      firstTouch: { text: "1d" },
      nextTouch: { text: "2d" },
    });
  });

  it("when the SLA has no tiers, then every lead gets the top-level terms as the default tier", () => {
    const { tiers: _none, ...plain } = tiered();
    expect(chooseFollowUpTier(plain, facts({ trigger: "contact-me" })).terms).toEqual({
      tier: "default",
      firstTouch: plain.firstTouch,
      max: plain.max,
      businessHours: true,
      remindAt: [0.5, 1],
      escalateTo: "manager",
      reassignAfter: plain.reassignAfter,
    });
  });

  it("when a tier names a territory, then the lead's territory is read from the routing rules even for an existing owner", () => {
    const rules = demoRules();
    const f = tierFacts(
      { kind: "thresholds", met: [] },
      { fit: 60, engagement: 40, total: 100 },
      {},
      aLead({ country: "DE" }),
      rules,
    );
    expect(f).toMatchObject({ trigger: "thresholds", territory: "DACH", pool: "dach", score: 100 });
    const dach = {
      ...tiered(),
      tiers: [{ ...tiered().tiers![0]!, tier: "dach", when: { territory: "DACH" } }],
    };
    expect(chooseFollowUpTier(dach, f).terms.tier).toBe("dach");
  });

  it("when a timer asks for a tier the SLA no longer has, then the default terms apply", () => {
    expect(followUpTerms(tiered(), "content").firstTouch.text).toBe("1d");
    expect(followUpTerms(tiered(), "gone").tier).toBe("default");
    expect(followUpTerms(tiered(), undefined).tier).toBe("default");
  });

  it("when the fast and the slow tier start the same minute, then their deadlines and reminders differ by tier", () => {
    const calendar = { hours: "Mon-Fri 09:00-18:00", timeZone: "Europe/Berlin", holidays: [] };
    // Wednesday 10:00 Berlin.
    const startedAt = "2026-11-18T09:00:00.000Z";
    const plan = (tier: string) => {
      const terms = followUpTerms(tiered(), tier);
      const dueAt = followUpDeadline(startedAt, {
        minutes: terms.firstTouch.minutes,
        maxMinutes: terms.max.minutes,
        calendar,
      });
      return planFollowUp({ startedAt, dueAt, calendar, followUp: { ...terms, cadence: tiered().cadence } });
    };
    const hot = plan("hot").filter((s) => s.kind !== "cadence");
    expect(hot.map((s) => [s.key, s.at])).toEqual([
      ["reminder-1", "2026-11-18T09:15:00.000Z"],
      ["reminder-2", "2026-11-18T09:30:00.000Z"],
      ["escalation", "2026-11-18T09:30:00.000Z"],
      ["reassignment", "2026-11-18T11:30:00.000Z"],
    ]);
    const content = plan("content").filter((s) => s.kind !== "cadence");
    // 540 business minutes from Wednesday 10:00 Berlin: Thursday 10:00.
    expect(content.map((s) => [s.key, s.at])).toEqual([
      ["reminder-1", "2026-11-19T09:00:00.000Z"],
      ["escalation", "2026-11-19T09:00:00.000Z"],
      // Two days of wall-clock after Thursday is Saturday: moved to Monday 09:00 Berlin.
      ["reassignment", "2026-11-23T08:00:00.000Z"],
    ]);
  });
});
