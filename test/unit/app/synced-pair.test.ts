import { cachedLinks } from "../../../src/adapters/cached-connection-links";
import { hubSpotSalesforceConnector } from "../../../src/adapters/hubspot/hubspot-salesforce-connector";
import { takeForSyncedPair, type SyncedPairDeps } from "../../../src/app/synced-pair";
import { SyncedPairCrm } from "../../../src/app/synced-pair-crm";
import type { Lead } from "../../../src/domain/lead";
import { fixedClock } from "../../../src/ports/clock";
import type { ConnectionLink, ConnectionLinkStore, SyncedRecord } from "../../../src/ports/connection-links";
import type { StoredEvent } from "../../../src/ports/events";
import { MemoryCrm } from "../../helpers/memory/memory-crm";
import { MemoryEventStore } from "../../helpers/memory/memory-event-store";
import { MemoryLeadStore } from "../../helpers/memory/memory-lead-store";
import { silent as silentLogger } from "../../helpers/silent-logger";

const NOW = "2026-11-18T09:00:00.000Z";
const clock = fixedClock(NOW);
const LINK: ConnectionLink = {
  marketingConnectionId: "hs-1",
  salesConnectionId: "sf-1",
  integrationUserId: "005000000000099AAA",
  linkedBy: "admin",
  linkedAt: NOW,
};

/** Pairs and synced records in memory, counting how often the pairs are listed. */
function memoryLinks(links: ConnectionLink[] = [LINK]) {
  const records: SyncedRecord[] = [];
  const store: ConnectionLinkStore & { listed: number; records: SyncedRecord[] } = {
    listed: 0,
    records,
    link: async (l, at) => {
      const saved = { ...l, linkedAt: at.toISOString() };
      links.push(saved);
      return saved;
    },
    unlink: async (id) =>
      links.splice(
        links.findIndex((l) => l.marketingConnectionId === id),
        1,
      ).length > 0,
    list: async () => {
      store.listed += 1;
      return [...links];
    },
    ofConnection: async (id) =>
      links.find((l) => l.marketingConnectionId === id || l.salesConnectionId === id) ?? null,
    rememberSynced: async (r) => void records.push(r),
    contactOf: async (c, id) =>
      records.find((r) => r.salesConnectionId === c && r.salesLeadId === id) ?? null,
    salesLeadOf: async (c, id) =>
      records.find((r) => r.marketingConnectionId === c && r.contactId === id) ?? null,
    forgetContact: async () => undefined,
  };
  return store;
}

function contact(id: string, properties: Lead["properties"]): Lead {
  return { id, email: `${id}@example.test`, properties };
}

function hubspotEvent(over: Partial<StoredEvent> = {}): StoredEvent {
  return {
    connectionId: "hs-1",
    crm: "hubspot",
    eventKey: "hs:1:25:100",
    kind: "form_submitted",
    objectType: "contact",
    objectId: "501",
    occurredAt: "2026-11-18T08:59:00.000Z",
    changeSource: "FORM",
    changed: [],
    changedBy: "integration",
    raw: {},
    status: "processing",
    attempts: 1,
    lastError: null,
    receivedAt: NOW,
    parkedAt: null,
    ...over,
  };
}

function harness() {
  const hubspot = new MemoryCrm("hubspot");
  const events = new MemoryEventStore(clock);
  const leads = new MemoryLeadStore(clock);
  const links = memoryLinks();
  const handled: StoredEvent[] = [];
  const deps: SyncedPairDeps = {
    links,
    connector: hubSpotSalesforceConnector,
    crmFor: async () => hubspot,
    events,
    leads,
    now: clock,
  };
  // As the lead-event handler does: the pair first, then the pipeline (here: recorded) for what it leaves.
  const handle = async (event: StoredEvent, log: typeof silentLogger) => {
    const link = await links.ofConnection(event.connectionId);
    const taken = link ? await takeForSyncedPair(deps, link, event, log) : "pipeline";
    if (taken !== "pipeline") return taken;
    handled.push(event);
    return "processed";
  };
  return { hubspot, events, leads, links, handled, handle };
}

describe("a synced pair's events", () => {
  it("when a synced contact submits a form, then one event of its Salesforce lead is stored on the sales connection, once, and the HubSpot pipeline does not run", async () => {
    const h = harness();
    h.hubspot.leads.set("501", contact("501", { salesforceleadid: "00Q000000000001AAA" }));

    await expect(h.handle(hubspotEvent(), silentLogger)).resolves.toBe("processed");
    await expect(h.handle(hubspotEvent(), silentLogger)).resolves.toBe("processed");

    const passed = await h.events.get("sf-1", "pair:hs:1:25:100");
    expect(passed).toMatchObject({
      crm: "salesforce",
      kind: "form_submitted",
      objectType: "lead",
      objectId: "00Q000000000001AAA",
      occurredAt: "2026-11-18T08:59:00.000Z",
    });
    expect((await h.events.counts("sf-1")).pending).toBe(1);
    expect(h.handled).toEqual([]);
    expect(h.links.records[0]).toMatchObject({ contactId: "501", salesLeadId: "00Q000000000001AAA" });
  });

  it("when the contact is not synced yet, then the event fails retryably with the reason; an hour after the change it is no longer retried", async () => {
    const h = harness();
    h.hubspot.leads.set("501", contact("501", {}));
    await expect(h.handle(hubspotEvent(), silentLogger)).rejects.toMatchObject({
      code: "contact_not_synced",
      retryable: true,
    });
    await expect(
      h.handle(hubspotEvent({ occurredAt: "2026-11-18T07:59:00.000Z" }), silentLogger),
    ).rejects.toMatchObject({ code: "contact_not_synced", retryable: false });
  });

  it("when the contact is synced to a Salesforce contact, or HubSpot reports an owner or status change, then nothing is passed on", async () => {
    const h = harness();
    h.hubspot.leads.set("501", contact("501", { salesforcecontactid: "003000000000001AAA" }));
    await expect(h.handle(hubspotEvent(), silentLogger)).resolves.toBe("ignored");
    h.hubspot.leads.set("501", contact("501", { salesforceleadid: "00Q000000000001AAA" }));
    for (const [propertyName, field] of [
      ["hubspot_owner_id", "owner"],
      ["hs_lead_status", "status"],
      ["lifecyclestage", "stage"],
    ] as const) {
      await expect(
        h.handle(
          hubspotEvent({
            kind: "property_changed",
            propertyName,
            changed: [field],
            eventKey: `k-${propertyName}`,
          }),
          silentLogger,
        ),
      ).resolves.toBe("ignored");
    }
    expect(await h.events.counts("sf-1")).toEqual({});
  });

  it("when the connector writes another owner onto a handed-over Salesforce lead, then it is not handled as news; a person's write is", async () => {
    const h = harness();
    const handoff = await h.leads.createHandoff({
      id: "d-1",
      connectionId: "sf-1",
      leadId: "00Q000000000001AAA",
      eventKey: "pair:hs:1:25:100",
      ownerId: "005000000000001AAA",
      repKey: "anna",
      method: "round_robin",
      startedAt: NOW,
      dueAt: NOW,
      slaHash: "sha256:x",
      score: { fit: 0, engagement: 0, total: 0, reasons: [] },
      source: { leadSource: null },
      cardInput: {} as never,
    });
    const salesEvent = (by: string): StoredEvent =>
      hubspotEvent({
        connectionId: "sf-1",
        crm: "salesforce",
        eventKey: `sf:${by}`,
        kind: "property_changed",
        objectType: "lead",
        objectId: handoff.leadId,
        raw: { fields: { OwnerId: "005000000000005AAA", LastModifiedById: by } },
      });
    // The 15-character form of the integration user's id is the same user.
    await expect(h.handle(salesEvent("005000000000099"), silentLogger)).resolves.toBe("ignored");
    await expect(h.handle(salesEvent("005000000000007AAA"), silentLogger)).resolves.toBe("processed");
    expect(h.handled.map((e) => e.eventKey)).toEqual(["sf:005000000000007AAA"]);
  });
});

describe("the sales side's CRM in a synced pair", () => {
  it("when activities are read for a synced lead, then the HubSpot contact's come with Salesforce's, and every write goes to Salesforce", async () => {
    const hubspot = new MemoryCrm("hubspot");
    const salesforce = new MemoryCrm("salesforce");
    hubspot.activities.set("501", [
      { kind: "form_submission", occurredAt: "2026-11-18T08:59:00.000Z", name: "Contact me" },
    ]);
    salesforce.activities.set("00Q1", [{ kind: "email_open", occurredAt: "2026-11-18T08:00:00.000Z" }]);
    const crm = new SyncedPairCrm(salesforce, hubspot, async (id) => (id === "00Q1" ? "501" : null));

    expect((await crm.getRecentActivities("00Q1", 10)).map((a) => a.kind)).toEqual([
      "form_submission",
      "email_open",
    ]);
    expect(await crm.getRecentActivities("00Q2", 10)).toEqual([]);
    await crm.updateLeads([{ leadId: "00Q1", ownerId: "005000000000001AAA" }]);
    await crm.createTask({
      leadId: "00Q1",
      ownerId: "005000000000001AAA",
      subject: "Call",
      body: "",
      dueAt: NOW,
      decisionId: "d-1",
    });
    expect(salesforce.updates).toHaveLength(1);
    expect(salesforce.tasks).toHaveLength(1);
    expect(hubspot.updates).toEqual([]);
    expect(hubspot.tasks).toEqual([]);
  });
});

describe("pairs kept in memory", () => {
  it("when pairs are asked for repeatedly, then they are listed once per interval, and at once again after a link", async () => {
    const store = memoryLinks();
    let elapsed = 0;
    const links = cachedLinks(store, 5_000, () => elapsed);
    await links.ofConnection("hs-1");
    await links.ofConnection("sf-1");
    expect(store.listed).toBe(1);
    await links.link({ ...LINK, marketingConnectionId: "hs-2", salesConnectionId: "sf-2" }, new Date(NOW));
    expect(await links.ofConnection("hs-2")).toMatchObject({ salesConnectionId: "sf-2" });
    expect(store.listed).toBe(2);
    elapsed = 6_000;
    await links.ofConnection("hs-1");
    expect(store.listed).toBe(3);
  });
});
