import {
  parseEmployees,
  toHubSpotProperties,
  toIso,
  toLead,
  toOwner,
} from "../../../src/adapters/hubspot/hubspot-mapper";

describe("hubspot-mapper", () => {
  it("when a contact comes in as strings, then the lead is typed and CRM names stay behind", () => {
    const lead = toLead({
      id: "501",
      properties: {
        email: "Lukas.Meyer@Bauwerk.DE",
        firstname: "Lukas",
        jobtitle: " Head of Operations ",
        numemployees: "850",
        annualrevenue: "12000000",
        country: "DE",
        zip: "80331",
        lifecyclestage: "marketingqualifiedlead",
        hs_lead_status: "NEW",
        hubspot_owner_id: "80001",
        createdate: "1767225600000",
        hs_analytics_source: "PAID_SEARCH",
        hs_analytics_source_data_1: "google",
        hs_analytics_source_data_2: "q4-iberia-search",
        recent_conversion_event_name: "Contact me",
        recent_conversion_date: "2026-11-20T10:00:00Z",
        handoff_score: "105",
        hs_is_unworked: "true",
        website: "",
      },
    });
    expect(lead).toMatchObject({
      id: "501",
      email: "lukas.meyer@bauwerk.de",
      jobTitle: "Head of Operations",
      employees: 850,
      annualRevenue: 12_000_000,
      postalCode: "80331",
      stage: "mql",
      crmStage: "marketingqualifiedlead",
      ownerId: "80001",
      createdAt: "2026-01-01T00:00:00.000Z",
      utm: { source: "google", medium: "paid_search", campaign: "q4-iberia-search" },
    });
    expect(lead.properties).toEqual({
      handoff_score: 105,
      hs_is_unworked: true,
      website: null,
      recent_conversion: "Contact me",
      recent_conversion_at: "2026-11-20T10:00:00.000Z",
    });
    expect(lead.lastName).toBeUndefined();
    expect("lastName" in lead).toBe(false);
  });

  it("reads company sizes written as numbers, thousands, HubSpot's old ranges and open ranges", () => {
    expect(parseEmployees("1,200")).toBe(1200);
    expect(parseEmployees("100-500")).toBe(100);
    expect(parseEmployees("1000+")).toBe(1000);
    expect(parseEmployees("")).toBeUndefined();
    expect(parseEmployees("many")).toBeUndefined();
  });

  it("reads datetimes as ISO strings or epoch milliseconds", () => {
    expect(toIso("1767225600000")).toBe("2026-01-01T00:00:00.000Z");
    expect(toIso("2026-01-01T01:00:00+01:00")).toBe("2026-01-01T00:00:00.000Z");
    expect(toIso("not a date")).toBeUndefined();
  });

  it("when an update is written, then only present fields become HubSpot strings and nurture goes back to lead", () => {
    expect(
      toHubSpotProperties({
        leadId: "1",
        totalScore: 72,
        stage: "nurture",
        followUpDueAt: "2026-11-23T10:00:00Z",
      }),
    ).toEqual({
      handoff_score: "72",
      lifecyclestage: "lead",
      handoff_follow_up_due: "2026-11-23T10:00:00Z",
    });
  });

  it("when an owner was deactivated, then it is listed but not active; a queue is a queue", () => {
    expect(toOwner({ id: "80006", userId: null, archived: true, type: "PERSON" })).toMatchObject({
      active: false,
      kind: "person",
    });
    expect(toOwner({ id: "80010", userId: null, archived: false, type: "QUEUE" })).toMatchObject({
      active: true,
      kind: "queue",
    });
  });
});
