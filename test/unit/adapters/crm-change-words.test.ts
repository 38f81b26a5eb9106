import type { LeadEvent } from "../../../src/domain/lead";
import { inProductWords } from "../../../src/adapters/postgres/event-store";
import { hubSpotChange, normaliseHubSpotEvent } from "../../../src/adapters/hubspot/hubspot-delivery";
import { salesforceChange } from "../../../src/adapters/salesforce/salesforce-change";

/** What the event store reads a stored event as. */
const recordOf = (event: LeadEvent) => inProductWords(event).record;

const NOW = Date.parse("2026-01-01T00:05:00Z");

describe("CRM changes in Handoff's words", () => {
  it("when a person sets a HubSpot lead status, then the event says status, person and the user id", () => {
    expect(
      hubSpotChange({ propertyName: "hs_lead_status", changeSource: "CRM_UI", sourceId: "userId:80002" }),
    ).toEqual({ changed: ["status"], changedBy: "person", actorId: "80002" });
    expect(hubSpotChange({ propertyName: "lifecyclestage", changeSource: "MOBILE_IOS" })).toEqual({
      changed: ["stage"],
      changedBy: "person",
    });
    expect(hubSpotChange({ propertyName: "hubspot_owner_id", changeSource: "WORKFLOWS" })).toEqual({
      changed: ["owner"],
      changedBy: "integration",
    });
  });

  it("when HubSpot echoes Handoff's own property or an import changes a lead, then it is Handoff's write or bulk work", () => {
    expect(hubSpotChange({ propertyName: "handoff_fit_score", changeSource: "INTEGRATION" })).toEqual({
      changed: [],
      changedBy: "handoff",
    });
    expect(hubSpotChange({ propertyName: "jobtitle", changeSource: "IMPORT" })).toEqual({
      changed: [],
      changedBy: "integration",
      bulk: true,
    });
    expect(hubSpotChange({ propertyName: "hs_pipeline_stage" })).toEqual({ changed: ["record_stage"] });
  });

  it("when a Salesforce Lead's Status is named, then it is both its stage and its status; the actor is its last modifier", () => {
    expect(
      salesforceChange({ propertyName: "Status", fields: { LastModifiedById: "0055g00000AbCdEAAV" } }),
    ).toEqual({ changed: ["stage", "status"], actorId: "0055g00000AbCdEAAV" });
    expect(salesforceChange({ fields: { Id: "00Q" } })).toEqual({ changed: [] });
  });

  it("when a delivery is normalised at intake, then the stored event carries the same words an old stored event is read in", () => {
    const sent = {
      eventId: 100,
      subscriptionId: 2001,
      portalId: 9876543,
      appId: 424242,
      occurredAt: NOW - 60_000,
      subscriptionType: "contact.propertyChange",
      attemptNumber: 0,
      objectId: 51,
      propertyName: "lifecyclestage",
      propertyValue: "marketingqualifiedlead",
      changeSource: "CRM_UI",
      sourceId: "userId:123",
    };
    const today = normaliseHubSpotEvent(sent, "hs", NOW)!;
    expect(today).toMatchObject({ changed: ["stage"], changedBy: "person", actorId: "123" });
    const { changed: _c, changedBy: _b, actorId: _a, ...storedBefore } = today;
    expect(inProductWords(storedBefore)).toEqual(today);
  });

  it("when a HubSpot Lead record or a Salesforce contact changes, then the event says what the record is, also for an event stored before it did", () => {
    const leadRecord = normaliseHubSpotEvent(
      {
        eventId: 101,
        subscriptionId: 2002,
        portalId: 9876543,
        appId: 424242,
        occurredAt: NOW - 60_000,
        subscriptionType: "object.propertyChange",
        objectTypeId: "0-136",
        attemptNumber: 0,
        objectId: 77,
        propertyName: "hs_pipeline_stage",
        propertyValue: "qualified-stage-id",
        changeSource: "CRM_UI",
        sourceId: "userId:123",
      },
      "hs",
      NOW,
    )!;
    expect(leadRecord).toMatchObject({
      objectType: "lead",
      record: "lead_record",
      changed: ["record_stage"],
    });
    const contact = normaliseHubSpotEvent(
      {
        eventId: 102,
        subscriptionId: 2001,
        portalId: 9876543,
        occurredAt: NOW - 60_000,
        subscriptionType: "contact.creation",
        objectId: 51,
      },
      "hs",
      NOW,
    )!;
    expect(contact.record).toBe("person");

    const { record: _r, ...storedBefore } = leadRecord;
    expect(recordOf(storedBefore)).toBe("lead_record");
    const salesforceContact = {
      connectionId: "sf",
      crm: "salesforce" as const,
      eventKey: "sf:04l5g000001AbcdAAC",
      kind: "property_changed" as const,
      objectType: "contact" as const,
      objectId: "0035g000002XyzaEAC",
      occurredAt: "2026-01-01T00:00:00.000Z",
      changed: [],
      raw: {},
    };
    expect(recordOf(salesforceContact)).toBe("sales_contact");
    expect(recordOf({ ...salesforceContact, objectType: "lead" })).toBe("person");
    expect(recordOf({ ...salesforceContact, objectType: "company" })).toBeUndefined();
  });
});
