import { startTestRuntime, type TestRuntime } from "../helpers/runtime";

/**
 * Events parked before intake said in Handoff's words what changed (the payload then held only HubSpot's
 * `propertyName`/`changeSource`/`sourceId` or the Salesforce record), as they were stored then.
 */
const OLD_HUBSPOT_STATUS = {
  connectionId: "hs-old",
  crm: "hubspot",
  eventKey: "hs:2718281:2001:77:51:hs_lead_status:1767225600000",
  kind: "property_changed",
  objectType: "contact",
  objectId: "51",
  occurredAt: "2026-01-01T00:00:00.000Z",
  propertyName: "hs_lead_status",
  propertyValue: "UNQUALIFIED",
  changeSource: "CRM_UI",
  raw: {
    eventId: 77,
    subscriptionId: 2001,
    portalId: 2718281,
    occurredAt: 1767225600000,
    subscriptionType: "contact.propertyChange",
    objectId: 51,
    propertyName: "hs_lead_status",
    propertyValue: "UNQUALIFIED",
    changeSource: "CRM_UI",
    sourceId: "userId:80002",
  },
};
const OLD_HUBSPOT_ECHO = {
  ...OLD_HUBSPOT_STATUS,
  eventKey: "hs:2718281:2001:78:51:handoff_fit_score:1767225600000",
  propertyName: "handoff_fit_score",
  propertyValue: "40",
  changeSource: "INTEGRATION",
  raw: {
    ...OLD_HUBSPOT_STATUS.raw,
    eventId: 78,
    propertyName: "handoff_fit_score",
    changeSource: "INTEGRATION",
  },
};
const OLD_SALESFORCE = {
  connectionId: "sf-old",
  crm: "salesforce",
  eventKey: "sf:04l5g000001AbcdAAC",
  kind: "property_changed",
  objectType: "lead",
  objectId: "00Q5g000002XyzaEAC",
  occurredAt: "2026-01-01T00:00:00.000Z",
  raw: {
    notificationId: "04l5g000001AbcdAAC",
    sObjectType: "Lead",
    fields: {
      Id: "00Q5g000002XyzaEAC",
      Status: "Working - Contacted",
      LastModifiedById: "0055g00000AbCdEAAV",
    },
  },
};

describe("events stored before intake spoke Handoff's words", () => {
  let rt: TestRuntime;
  beforeAll(async () => {
    rt = await startTestRuntime({ worker: false });
    await rt.connections.upsert({ id: "hs-old", crm: "hubspot", externalId: "2718281", name: "Old" });
    await rt.connections.upsert({
      id: "sf-old",
      crm: "salesforce",
      externalId: "00D5g000004bE2xEAE",
      name: "Old",
    });
    for (const [event, status] of [
      [OLD_HUBSPOT_STATUS, "parked"],
      [OLD_HUBSPOT_ECHO, "pending"],
      [OLD_SALESFORCE, "parked"],
    ] as const) {
      await rt.pool.query(
        `INSERT INTO events (connection_id, event_key, kind, object_type, object_id, occurred_at, payload, status,
                             parked_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, CASE WHEN $8 = 'parked' THEN now() END)`,
        [
          event.connectionId,
          event.eventKey,
          event.kind,
          event.objectType,
          event.objectId,
          event.occurredAt,
          JSON.stringify(event),
          status,
        ],
      );
    }
  });
  afterAll(async () => {
    await rt.stop();
    await rt.db.close();
  });

  it("when a parked HubSpot lead-status change from before is read for replay, then it says a person changed the status and who", async () => {
    expect(await rt.events.get("hs-old", OLD_HUBSPOT_STATUS.eventKey)).toMatchObject({
      changed: ["status"],
      changedBy: "person",
      actorId: "80002",
      propertyValue: "UNQUALIFIED",
    });
    const [parked] = await rt.events.listParked("hs-old");
    expect(parked).toMatchObject({ changed: ["status"], changedBy: "person", actorId: "80002" });
  });

  it("when a parked Salesforce notification from before is read, then its acting user is the record's last modifier", async () => {
    expect(await rt.events.get("sf-old", OLD_SALESFORCE.eventKey)).toMatchObject({
      changed: [],
      actorId: "0055g00000AbCdEAAV",
    });
  });

  it("when an echo of Handoff's own write from before is fanned out, then it settles without a job", async () => {
    expect(
      await rt.events.fanOut([
        { connectionIds: ["hs-old"], eventKeys: [OLD_HUBSPOT_ECHO.eventKey], objectIds: ["51"] },
      ]),
    ).toEqual({ settled: 1, queued: 0 });
  });
});
