import { SalesforceConnector } from "../../../src/sandbox/connector/salesforce-connector";
import { HUBSPOT_DEMO_OWNERS } from "../../../src/sandbox/hubspot/seed";
import {
  createHubSpotSandboxState,
  setWithHistory,
  type HubSpotRecord,
} from "../../../src/sandbox/hubspot/state";
import { createRecord, objectOrThrow, prepareUpdate } from "../../../src/sandbox/salesforce/records";
import { SALESFORCE_DEMO_USERS } from "../../../src/sandbox/salesforce/seed";
import { createSalesforceSandboxState, SALESFORCE_SANDBOX_DEMO } from "../../../src/sandbox/salesforce/state";

const START = Date.parse("2026-11-18T09:00:00.000Z");

function setup(options: { inclusion?: (c: HubSpotRecord) => boolean } = {}) {
  let clock = START;
  const hubspot = createHubSpotSandboxState({ now: () => clock });
  const salesforce = createSalesforceSandboxState({ now: () => clock });
  const connector = new SalesforceConnector({ hubspot, salesforce, formSyncDelayMs: 40_000, ...options });
  const contacts = hubspot.objects.get("contacts")!;
  // The seeded portal's contacts sync too (as every contact does without an inclusion list): done before each test.
  connector.watch();
  clock += 15 * 60_000;
  connector.runDue();
  const addContact = (id: string, properties: Record<string, string | null>, submitted = true) => {
    const at = new Date(clock).toISOString();
    contacts.set(id, {
      id,
      properties: {
        email: `${id}@rhein-cloud.example`,
        firstname: "Jonas",
        lastname: `Lang ${id}`,
        company: "Rhein Cloud AG",
        jobtitle: "VP Sales",
        numemployees: "240",
        country: "DE",
        ...(submitted ? { recent_conversion_date: String(clock) } : {}),
        ...properties,
      },
      createdAt: at,
      updatedAt: at,
      archived: false,
    });
  };
  return {
    hubspot,
    salesforce,
    connector,
    contacts,
    addContact,
    advance: (ms: number) => (clock += ms),
    leads: () => salesforce.records.get("Lead")!,
  };
}

describe("the sandbox's HubSpot–Salesforce connector", () => {
  it("when a contact submits a form, then its Salesforce lead appears only after the sync delay, made by the integration user with the mapped fields, and the contact carries its id", () => {
    const s = setup();
    s.addContact("990001", {});
    expect(s.connector.runDue()).toEqual([]);
    s.advance(39_000);
    expect(s.connector.runDue()).toEqual([]);
    s.advance(1_000);
    const [outcome] = s.connector.runDue();
    expect(outcome).toMatchObject({ contactId: "990001", result: "created" });
    const lead = s.leads().get(outcome!.recordId!)!;
    expect(lead).toMatchObject({
      Email: "990001@rhein-cloud.example",
      LastName: "Lang 990001",
      Company: "Rhein Cloud AG",
      Title: "VP Sales",
      NumberOfEmployees: 240,
      Country: "DE",
      CreatedById: s.connector.integrationUserId,
      // No HubSpot owner: the org's lead assignment rule decides.
      OwnerId: SALESFORCE_SANDBOX_DEMO.inboundTriageQueueId,
    });
    expect(s.contacts.get("990001")!.properties.salesforceleadid).toBe(lead.Id);
    expect(s.contacts.get("990001")!.history?.salesforceleadid?.[0]?.sourceType).toBe("SALESFORCE");
  });

  it("when a Salesforce lead with the same e-mail exists, then the contact syncs to it instead of creating another", () => {
    const s = setup();
    const existing = createRecord(
      s.salesforce,
      objectOrThrow(s.salesforce, "Lead"),
      { LastName: "Lang", Company: "Rhein Cloud AG", Email: "990002@rhein-cloud.example" },
      { autoAssignOff: true, userId: SALESFORCE_DEMO_USERS.maria },
    );
    const before = s.leads().size;
    s.addContact("990002", {});
    s.connector.watch();
    s.advance(40_000);
    expect(s.connector.runDue()).toEqual([{ contactId: "990002", result: "matched", recordId: existing }]);
    expect(s.leads().size).toBe(before);
    expect(s.contacts.get("990002")!.properties.salesforceleadid).toBe(existing);
  });

  it("when the contact's HubSpot owner is an active Salesforce user with the same name and e-mail, then the new lead is theirs", () => {
    const s = setup();
    s.addContact("990003", { hubspot_owner_id: HUBSPOT_DEMO_OWNERS.emma });
    s.connector.watch();
    s.advance(40_000);
    const [outcome] = s.connector.runDue();
    expect(s.leads().get(outcome!.recordId!)!.OwnerId).toBe(SALESFORCE_DEMO_USERS.emma);
  });

  it("when a contact has no e-mail, is outside the inclusion list or lacks a field Salesforce requires, then it does not sync, and the required field shows as its sync error", () => {
    const s = setup({ inclusion: (c) => c.properties.lifecyclestage !== "subscriber" });
    const before = s.leads().size;
    s.addContact("990004", { email: null });
    s.addContact("990005", { lifecyclestage: "subscriber" });
    s.addContact("990006", { company: null });
    s.connector.watch();
    s.advance(40_000);
    const outcomes = s.connector.runDue();
    expect(outcomes.map((o) => [o.contactId, o.result])).toEqual([
      ["990004", "skipped"],
      ["990005", "skipped"],
      ["990006", "error"],
    ]);
    expect(s.connector.syncErrors.get("990006")).toBe(
      "REQUIRED_FIELD_MISSING: Required fields are missing: [Company]",
    );
    expect(s.leads().size).toBe(before);
    expect(s.contacts.get("990006")!.properties.salesforceleadid).toBeUndefined();
  });

  it("when the owner changes on one side, then the connector's check carries it to the other, the more recent change winning", () => {
    const s = setup();
    s.addContact("990007", {});
    s.connector.watch();
    s.advance(40_000);
    const [outcome] = s.connector.runDue();
    const leadId = outcome!.recordId!;
    const contact = s.contacts.get("990007")!;

    // A rep takes the lead in Salesforce: at the check, the HubSpot contact follows (source SALESFORCE).
    s.advance(60_000);
    prepareUpdate(
      s.salesforce,
      objectOrThrow(s.salesforce, "Lead"),
      leadId,
      { OwnerId: SALESFORCE_DEMO_USERS.anna },
      {
        autoAssignOff: true,
        userId: SALESFORCE_DEMO_USERS.anna,
      },
    ).commit();
    s.advance(15 * 60_000);
    s.connector.runDue();
    expect(contact.properties.hubspot_owner_id).toBe(HUBSPOT_DEMO_OWNERS.anna);
    expect(contact.history?.hubspot_owner_id?.[0]?.sourceType).toBe("SALESFORCE");

    // Then someone changes the owner in HubSpot: that newer value goes to Salesforce, written by the integration user.
    s.advance(60_000);
    setWithHistory(
      contact,
      "hubspot_owner_id",
      HUBSPOT_DEMO_OWNERS.ben,
      new Date(START + 40 * 60_000).toISOString(),
      "CRM_UI",
    );
    s.advance(15 * 60_000);
    s.connector.runDue();
    expect(s.leads().get(leadId)).toMatchObject({
      OwnerId: SALESFORCE_DEMO_USERS.ben,
      LastModifiedById: s.connector.integrationUserId,
    });
  });
});
