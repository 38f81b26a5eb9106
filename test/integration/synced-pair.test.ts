import request from "supertest";
import { recordFeedback } from "../../src/app/record-feedback";
import type { HandoffProduct } from "../../src/composition/compose";
import { DEMO } from "../../src/composition/seed-demo";
import type { LeadStore } from "../../src/ports/leads";
import { SalesforceConnector } from "../../src/sandbox/connector/salesforce-connector";
import { HUBSPOT_DEMO_OWNERS } from "../../src/sandbox/hubspot/seed";
import { setWithHistory } from "../../src/sandbox/hubspot/state";
import { HubSpotTrafficGenerator } from "../../src/sandbox/hubspot/traffic";
import { SALESFORCE_DEMO_USERS } from "../../src/sandbox/salesforce/seed";
import { SALESFORCE_SANDBOX_DEMO } from "../../src/sandbox/salesforce/state";
import {
  DEFAULT_OUTBOUND_FIELDS,
  type SalesforceTrafficGenerator,
} from "../../src/sandbox/salesforce/traffic";
import { type SandboxServer } from "../../src/sandbox/server";
import { waitFor } from "../helpers/capture-servers";
import { sendHubSpot, startDemoStack, type DemoStack } from "../helpers/demo-stack";
import { TEST_ADMIN_TOKEN, TEST_SECRET, type TestRuntime } from "../helpers/runtime";
import { addQualifyingContact, formSubmittedEvent } from "../helpers/sandbox-leads";
import { hubSpotHeaders } from "../helpers/sign";

// Wednesday 2026-11-18 10:00 in Berlin: the DACH reps are at work.
const START = new Date("2026-11-18T09:00:00.000Z").getTime();
const MARKETING = DEMO.hubspot.connectionId;
const SALES = DEMO.salesforce.connectionId;
const PORTAL = Number(DEMO.hubspot.portalId);
const DACH_REPS: string[] = [SALESFORCE_DEMO_USERS.anna, SALESFORCE_DEMO_USERS.ben];

describe("synced pair: HubSpot for marketing, Salesforce for sales, joined by HubSpot's Salesforce connector (end to end)", () => {
  let clock = START;
  let sandbox: SandboxServer;
  let rt: TestRuntime;
  let leads: LeadStore;
  let composed: HandoffProduct;
  let connector: SalesforceConnector;
  let hubspotTraffic: HubSpotTrafficGenerator;
  let salesforceTraffic: SalesforceTrafficGenerator;
  let eventId = 7_100_000;

  const admin = () => ({ authorization: `Bearer ${TEST_ADMIN_TOKEN}` });
  const send = (events: unknown[]) => sendHubSpot(rt, events);
  const eventsOf = async (connectionId: string, objectId: string) =>
    (
      await rt.pool.query<{
        event_key: string;
        status: string;
        last_error: { code: string; message: string } | null;
      }>(
        "SELECT event_key, status, last_error FROM events WHERE connection_id = $1 AND object_id = $2 ORDER BY received_at",
        [connectionId, objectId],
      )
    ).rows;

  let stack: DemoStack;

  beforeAll(async () => {
    stack = await startDemoStack({
      now: () => new Date(clock),
      sandbox: { hubspot: { now: () => clock }, salesforce: { now: () => clock } },
      salesforce: true,
      // No cap on attempts: an unsynced contact's event waits for the connector as long as the pair says.
      runtime: { retry: { baseDelayMs: 500 } },
    });
    ({ sandbox, rt, leads } = stack);
    composed = rt.product!;
    hubspotTraffic = new HubSpotTrafficGenerator({
      state: sandbox.hubspot,
      targetUrl: `${rt.url}/webhooks/hubspot`,
      signedUrl: `${rt.publicUrl}/webhooks/hubspot`,
      clientSecret: TEST_SECRET,
    });
    // The org's Flow sends who wrote last with the lead: the pair tells the connector's writes by it.
    salesforceTraffic = stack.salesforceTraffic([...DEFAULT_OUTBOUND_FIELDS, "LastModifiedById"]);
    connector = new SalesforceConnector({
      hubspot: sandbox.hubspot,
      salesforce: sandbox.salesforce,
      hubspotTraffic,
      salesforceTraffic,
      formSyncDelayMs: 45_000,
    });
  });

  afterAll(async () => {
    await hubspotTraffic.stop();
    await stack.stop();
  });

  it("when an admin links the two connections, then only a HubSpot marketing side and a Salesforce sales side of this install are accepted, and the pair is listed", async () => {
    const link = (body: object) =>
      request(rt.url!).post("/admin/api/connection-links").set(admin()).send(body);
    const integrationUserId = connector.integrationUserId;

    const unknown = await link({
      marketingConnectionId: "hubspot-1",
      salesConnectionId: SALES,
      integrationUserId,
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error: "unknown_connection", message: "no connection hubspot-1" });

    const swapped = await link({
      marketingConnectionId: SALES,
      salesConnectionId: MARKETING,
      integrationUserId,
    });
    expect(swapped.status).toBe(400);
    expect(swapped.body).toMatchObject({ error: "invalid_link" });
    expect(swapped.body.message).toContain("the marketing side of a synced pair is HubSpot");

    const badUser = await link({
      marketingConnectionId: MARKETING,
      salesConnectionId: SALES,
      integrationUserId: "HubSpot user",
    });
    expect(badUser.status).toBe(400);
    expect(badUser.body.hint).toContain("005");

    const missing = await link({ marketingConnectionId: MARKETING });
    expect(missing.status).toBe(400);
    expect(missing.body.issues.map((i: { path: string }) => i.path)).toEqual(
      expect.arrayContaining(["salesConnectionId", "integrationUserId"]),
    );

    const ok = await link({ marketingConnectionId: MARKETING, salesConnectionId: SALES, integrationUserId });
    expect(ok.status).toBe(201);

    const listed = await request(rt.url!).get("/admin/api/connection-links").set(admin());
    expect(listed.status).toBe(200);
    expect(listed.body.links).toEqual([
      expect.objectContaining({
        marketing: { id: MARKETING, crm: "hubspot", name: "Demo HubSpot portal" },
        sales: { id: SALES, crm: "salesforce", name: "Demo Salesforce org" },
        integrationUserId,
      }),
    ]);
    const unauthenticated = await request(rt.url!).get("/admin/api/connection-links");
    expect(unauthenticated.status).toBe(401);
  });

  it("synced pair: when a synced contact submits the HubSpot form, then one handoff is routed in Salesforce with its task on the Salesforce lead, the card shows in both CRMs, feedback is recorded, the connector's echo of an old owner is ignored and nothing is written as owner in HubSpot", async () => {
    const contactId = "996001";
    addQualifyingContact(sandbox, contactId, clock);
    expect((await send([formSubmittedEvent(PORTAL, contactId, ++eventId, clock - 30_000)])).status).toBe(200);

    // The connector has not synced the contact yet: the event waits, with the reason.
    const waiting = await waitFor(async () => {
      const [e] = await eventsOf(MARKETING, contactId);
      return e?.last_error?.code === "contact_not_synced" ? e : undefined;
    });
    expect(waiting.status).not.toBe("parked");
    expect(waiting.last_error!.message).toContain("waiting for HubSpot's Salesforce connector");

    // Not before its delay: a form submission syncs within the minute, not at once.
    expect(connector.runDue()).toEqual([]);
    clock += 45_000;
    const [synced] = connector.runDue().filter((o) => o.contactId === contactId);
    expect(synced).toMatchObject({ contactId, result: "created" });
    const leadId = synced!.recordId!;
    const lead = sandbox.salesforce.records.get("Lead")!.get(leadId)!;
    expect(lead).toMatchObject({
      Email: `lead${contactId}@kraus-software0.example`,
      Company: "Kraus Software 0 GmbH",
      CreatedById: connector.integrationUserId,
      OwnerId: SALESFORCE_SANDBOX_DEMO.inboundTriageQueueId,
    });
    expect(sandbox.hubspot.objects.get("contacts")!.get(contactId)!.properties.salesforceleadid).toBe(leadId);
    await salesforceTraffic.flush();

    // The retried HubSpot event finds the synced lead: one handoff, in Salesforce.
    const handoff = await waitFor(async () => {
      const h = await leads.latestHandoff(SALES, leadId);
      return h?.taskId ? h : undefined;
    });
    expect(DACH_REPS).toContain(handoff.ownerId);
    expect(handoff.method).toBe("round_robin");
    // Scored by the one SLA with HubSpot's engagement: the "Contact me" form is the trigger.
    expect(handoff.cardInput.trigger).toMatchObject({ kind: "activity" });
    expect(JSON.stringify(handoff.score.reasons)).toContain("contact-me");
    expect(await leads.latestHandoff(MARKETING, contactId)).toBeNull();
    const handoffs = await rt.pool.query("SELECT connection_id FROM handoffs WHERE lead_id = ANY($1)", [
      [leadId, contactId],
    ]);
    expect(handoffs.rows).toEqual([{ connection_id: SALES }]);

    // Owner and task in Salesforce.
    expect(lead.OwnerId).toBe(handoff.ownerId);
    const task = sandbox.salesforce.records.get("Task")!.get(handoff.taskId!)!;
    expect(task).toMatchObject({ WhoId: leadId, OwnerId: handoff.ownerId });

    // The card in HubSpot, on the contact: the Salesforce owner and a link to the Salesforce lead.
    const cardBody = JSON.stringify({ objectId: Number(contactId), objectTypeId: "0-1", portalId: PORTAL });
    const hubspotCard = await request(rt.url!)
      .post(`/cards/hubspot/handoff?portalId=${PORTAL}`)
      .set(
        hubSpotHeaders(
          TEST_SECRET,
          `${rt.publicUrl}/cards/hubspot/handoff?portalId=${PORTAL}`,
          cardBody,
          clock,
        ),
      )
      .send(cardBody);
    expect(hubspotCard.status).toBe(200);
    const hubspotText = JSON.stringify(hubspotCard.body);
    expect(hubspotText).toContain(`${sandbox.salesforceInstanceUrl}/lightning/r/Lead/${leadId}/view`);
    expect(hubspotText).toContain(handoff.ownerId === SALESFORCE_DEMO_USERS.anna ? "Anna Berg" : "Ben Vogel");
    expect(hubspotText).toContain("Sales works this lead in Salesforce");
    // … and the same handoff's card in Salesforce.
    const salesforceCard = await request(rt.url!).get(`/cards/preview/${SALES}/${leadId}`);
    expect(salesforceCard.status).toBe(200);
    expect(salesforceCard.text).toContain(
      handoff.ownerId === SALESFORCE_DEMO_USERS.anna ? "Anna Berg" : "Ben Vogel",
    );

    // The connector's check carries the Salesforce owner to HubSpot; its webhook is no news for the pair.
    clock += 15 * 60_000;
    connector.runDue();
    const contact = sandbox.hubspot.objects.get("contacts")!.get(contactId)!;
    const hubspotOwnerOf = (userId: string) =>
      userId === SALESFORCE_DEMO_USERS.anna ? HUBSPOT_DEMO_OWNERS.anna : HUBSPOT_DEMO_OWNERS.ben;
    expect(contact.properties.hubspot_owner_id).toBe(hubspotOwnerOf(handoff.ownerId!));
    await hubspotTraffic.flush();
    await waitFor(async () => {
      const settled = await eventsOf(MARKETING, contactId);
      return (
        settled.length === 2 && settled.every((e) => e.status !== "pending" && e.status !== "processing")
      );
    });
    expect((await eventsOf(MARKETING, contactId)).map((e) => e.status)).toEqual(["processed", "ignored"]);

    // Marketing's HubSpot rotation had given the contact to Emma; that change is newer, so at the next check the
    // connector carries that old owner back onto the Salesforce lead as its integration user.
    setWithHistory(
      contact,
      "hubspot_owner_id",
      HUBSPOT_DEMO_OWNERS.emma,
      new Date(clock + 60_000).toISOString(),
      "AUTOMATION_PLATFORM",
    );
    clock += 15 * 60_000;
    connector.runDue();
    expect(lead).toMatchObject({
      OwnerId: SALESFORCE_DEMO_USERS.emma,
      LastModifiedById: connector.integrationUserId,
    });
    await salesforceTraffic.flush();
    await waitFor(() =>
      rt.logger.entries.find(
        (e) =>
          e.message === "owner carried back by HubSpot's Salesforce connector: not a reassignment" &&
          (e.fields as Record<string, unknown>).leadId === leadId,
      ),
    );
    // Not a reassignment: the handoff, its owner and the owner's open slot stay, also through the reconcile.
    await composed.reconcile(SALES);
    const after = await leads.latestHandoff(SALES, leadId);
    expect(after).toMatchObject({ id: handoff.id, status: "open", ownerId: handoff.ownerId });
    const slot = await rt.pool.query(
      "SELECT released_at FROM lead_assignments WHERE connection_id = $1 AND lead_id = $2",
      [SALES, leadId],
    );
    expect(slot.rows).toEqual([{ released_at: null }]);
    // Handoff did not fight the connector: the lead keeps what the connector wrote.
    expect(lead).toMatchObject({
      OwnerId: SALESFORCE_DEMO_USERS.emma,
      LastModifiedById: connector.integrationUserId,
    });

    // Sales' feedback, from the Salesforce card, by the rep the handoff gave the lead to.
    await recordFeedback(composed.feedbackDeps, {
      connectionId: SALES,
      leadId,
      decision: "accept",
      source: "salesforce_card",
      actor: { kind: "crm_user", id: handoff.ownerId! },
    });
    expect(await leads.latestHandoff(SALES, leadId)).toMatchObject({ id: handoff.id, status: "accepted" });
    const accepted = await request(rt.url!)
      .post(`/cards/hubspot/handoff?portalId=${PORTAL}`)
      .set(
        hubSpotHeaders(
          TEST_SECRET,
          `${rt.publicUrl}/cards/hubspot/handoff?portalId=${PORTAL}`,
          cardBody,
          clock,
        ),
      )
      .send(cardBody);
    expect(JSON.stringify(accepted.body)).toContain("accepted");

    // Nothing was written as owner in HubSpot by Handoff: every owner value there came from the connector or
    // marketing's own automation, and Handoff wrote none of its fields on the contact.
    const sources = (contact.history?.hubspot_owner_id ?? []).map((v) => v.sourceType);
    expect(sources).toEqual(["AUTOMATION_PLATFORM", "SALESFORCE"]);
    expect(Object.keys(contact.properties).filter((k) => k.startsWith("handoff_"))).toEqual([]);
    expect(sandbox.hubspot.stats.recordsUpdated).toBe(0);
  });

  it("when the connector cannot sync a contact (Salesforce refuses a lead without a company), then its event waits with the reason and is parked where the admin sees it", async () => {
    const contactId = "996002";
    addQualifyingContact(sandbox, contactId, clock, 2);
    sandbox.hubspot.objects.get("contacts")!.get(contactId)!.properties.company = null;
    expect((await send([formSubmittedEvent(PORTAL, contactId, ++eventId, clock - 30_000)])).status).toBe(200);

    connector.watch();
    clock += 45_000;
    const [outcome] = connector.runDue().filter((o) => o.contactId === contactId);
    expect(outcome).toMatchObject({ result: "error" });
    expect(connector.syncErrors.get(contactId)).toContain("REQUIRED_FIELD_MISSING");
    await waitFor(async () => {
      const [e] = await eventsOf(MARKETING, contactId);
      return e?.last_error?.code === "contact_not_synced" ? e : undefined;
    });

    // An hour on, still unsynced: parked, with what to fix.
    clock += 61 * 60_000;
    const parked = await waitFor(async () => {
      const r = await request(rt.url!).get(`/admin/api/parked?connectionId=${MARKETING}`).set(admin());
      return (
        r.body.parked as { objectId: string; error: { code: string; message: string; hint: string } }[]
      ).find((p) => p.objectId === contactId);
    }, 30_000);
    expect(parked.error.code).toBe("contact_not_synced");
    expect(parked.error.message).toContain("did not sync it");
    expect(parked.error.hint).toContain("Salesforce Sync card");
  });
});
