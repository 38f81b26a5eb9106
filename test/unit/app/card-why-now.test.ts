import { defaultTerms } from "../../../src/domain/follow-up-tier";
import { buildCardInput, type LeadContext, type Routed } from "../../../src/app/pipeline-steps";
import { buildHandoffCard } from "../../../src/domain/handoff-card";
import type { Activity, Lead } from "../../../src/domain/lead";
import { qualifyLead } from "../../../src/domain/lifecycle";
import type { CrmPort } from "../../../src/ports/crm";
import { loadSlaFile } from "../../../src/sla/load-sla";

// The card's "why now" is the rule that handed the lead over, read from the stage decision, never a guess by time.
const NOW = new Date("2026-11-23T10:00:00.000Z");
const FORM_AT = "2026-11-23T09:55:00.000Z";

const lead: Lead = {
  id: "501",
  email: "zoe@acme.example",
  firstName: "Zoë",
  lastName: "Müller",
  company: "Acme GmbH",
  jobTitle: "VP Sales",
  industry: "software",
  employees: 850,
  country: "DE",
  properties: {},
};

async function cardFor(activities: Activity[], l: Lead = lead) {
  const sla = await loadSlaFile("config/sla.default.yaml");
  const q = qualifyLead(l, activities, [], sla.sla, NOW);
  expect(q.decision.handoff).toBe(true);
  const ctx: LeadContext = {
    connectionId: "hs-1",
    crm: { crm: "hubspot" } as CrmPort,
    sla: { sla: sla.sla, hash: sla.hash },
    lead: l,
    activities,
    history: [],
    owners: [],
    recordUrl: undefined,
    gaps: [],
  };
  const routed: Routed = {
    decisionId: "d-1",
    decision: { method: "round_robin", reason: "pool dach", steps: [], candidates: [], counts: false },
    replayed: false,
    startedAt: NOW.toISOString(),
    dueAt: new Date(NOW.getTime() + 30 * 60_000).toISOString(),
    calendar: undefined,
    followUp: { terms: defaultTerms(sla.sla.followUp), evidence: [] },
  };
  const input = buildCardInput(ctx, q, routed);
  return { input, card: buildHandoffCard(input, NOW) };
}

describe("the card's why now", () => {
  it("when a contact-me form and a page view happen at the same instant, then why now is the form that fired the rule", async () => {
    const { input, card } = await cardFor([
      { kind: "page_view", occurredAt: FORM_AT, url: "/contact", title: "Contact us" },
      { kind: "form_submission", occurredAt: FORM_AT, name: "Contact me", url: "/contact", id: "f-1" },
    ]);
    expect(input.trigger).toMatchObject({ kind: "activity", rule: "contact-me", activity: { id: "f-1" } });
    expect(card.whyNow.headline).toBe("Submitted form “Contact me” on /contact");
  });

  it("when the thresholds handed the lead over, then why now says which minimums were met, with the values", async () => {
    const views = [0, 1, 2].map((i): Activity => ({
      kind: "page_view",
      occurredAt: new Date(NOW.getTime() - (i + 1) * 3_600_000).toISOString(),
      url: "/pricing",
    }));
    const webinar: Activity = { kind: "webinar_attended", occurredAt: FORM_AT, name: "SLA 101" };
    const { input, card } = await cardFor([...views, webinar]);
    expect(input.trigger).toMatchObject({ kind: "threshold" });
    expect(card.whyNow.headline).toMatch(
      /^Reached the MQL minimums: fit [\d.]+ ≥ 50, engagement [\d.]+ ≥ 40$/,
    );
  });

  it("when scoring wrote the points into the evidence, then each line of the breakdown says its points once", async () => {
    const { card } = await cardFor([
      { kind: "form_submission", occurredAt: FORM_AT, name: "Contact me", url: "/contact" },
      // Ten days old: the pricing view has decayed.
      {
        kind: "page_view",
        occurredAt: new Date(NOW.getTime() - 10 * 86_400_000).toISOString(),
        url: "/pricing",
      },
    ]);
    const labels = card.score.reasons.map((r) => r.label);
    for (const label of labels) expect(label).not.toMatch(/^[+-]\d+(\.\d+)? [+-]\d/);
    expect(labels).toContainEqual(expect.stringMatching(/^\+25 .*850/));
    expect(labels).toContainEqual(expect.stringMatching(/^\+7\.9 viewed \/pricing .*\(\+10 before decay\)$/));
  });
});
