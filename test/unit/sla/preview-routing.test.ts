import type { Activity, Lead } from "../../../src/domain/lead";
import { loadSlaFile } from "../../../src/sla/load-sla";
import { previewLeads, previewSteps } from "../../../src/sla/preview";
import { registerRoutingPreview } from "../../../src/sla/preview-routing";

const AT = "2026-11-18T09:00:00.000Z"; // Wednesday 10:00 in Berlin

function qualifying(id: string, country: string, postalCode: string): { lead: Lead; activities: Activity[] } {
  return {
    lead: {
      id,
      email: `lead${id}@example-${id}.com`,
      firstName: "Lena",
      lastName: "Kraus",
      company: `Company ${id}`,
      jobTitle: "VP Sales",
      employees: 450,
      industry: "software",
      country,
      postalCode,
      stage: "lead",
      properties: {},
    },
    activities: [{ kind: "form_submission", name: "Contact me", occurredAt: "2026-11-18T08:55:00.000Z" }],
  };
}

describe("handoff preview: the routing column", () => {
  it("when sample leads qualify, then each gets the routing decision in file order, with fairness carried over", async () => {
    registerRoutingPreview();
    const { sla } = await loadSlaFile("config/sla.default.yaml");
    const inputs = [1, 2, 3].map((n) => ({ line: n, history: [], ...qualifying(String(n), "DE", "10115") }));
    inputs.push({ line: 4, history: [], ...qualifying("4", "ES", "28013") });
    const rows = await previewLeads(inputs, sla, AT, { steps: previewSteps() });
    const routing = rows.map(
      (r) => r.extra.routing?.data as { ownerId: string; pool: string; method: string },
    );
    expect(rows.every((r) => r.decision.handoff)).toBe(true);
    expect(routing.slice(0, 3).map((r) => r.pool)).toEqual(["dach", "dach", "dach"]);
    // anna has weight 2, ben 1: three DACH leads go 2:1.
    const owners = routing
      .slice(0, 3)
      .map((r) => r.ownerId)
      .sort();
    expect(owners).toEqual(["80001", "80001", "80002"]);
    expect(routing[3]).toMatchObject({ pool: "iberia", method: "round_robin" });
    expect(rows[3]!.extra.routing!.lines[0]).toMatch(/iberia|Iberia/);
    // A strong fit's "contact me" gets the default SLA's contact_me tier.
    expect(rows[0]!.extra.routing!.lines).toContain(
      "follow-up tier contact_me: first touch within 30m (business hours)",
    );
    expect(rows[0]!.extra.routing!.data).toMatchObject({ followUpTier: "contact_me" });
  });
});
