import request from "supertest";
import type { LeadStore } from "../../src/ports/leads";
import { DEMO } from "../../src/composition/seed-demo";
import { HUBSPOT_DEMO_COMPANIES } from "../../src/sandbox/hubspot/seed";
import { associate, type HubSpotSandboxOptions } from "../../src/sandbox/hubspot/state";
import { type SandboxServer } from "../../src/sandbox/server";
import { waitFor } from "../helpers/capture-servers";
import { startDemoStack, type DemoStack } from "../helpers/demo-stack";
import { TEST_SECRET, type TestRuntime } from "../helpers/runtime";
import { addQualifyingContact, formSubmittedEvent } from "../helpers/sandbox-leads";
import { hubSpotHeaders } from "../helpers/sign";

// Wednesday 2026-11-18 10:00 in Berlin: Anna and Ben are at work.
const NOW = new Date("2026-11-18T09:00:00.000Z");
const CONNECTION = DEMO.hubspot.connectionId;
const PORTAL = Number(DEMO.hubspot.portalId);
const COMPANY = HUBSPOT_DEMO_COMPANIES[0]!.id;

/** The real app against a HubSpot sandbox portal of the given kind. */
function harness(hubspot: HubSpotSandboxOptions) {
  const h = {} as {
    stack: DemoStack;
    sandbox: SandboxServer;
    rt: TestRuntime;
    leads: LeadStore;
    eventId: number;
  };
  beforeAll(async () => {
    h.stack = await startDemoStack({ now: () => NOW, sandbox: { hubspot } });
    Object.assign(h, { sandbox: h.stack.sandbox, rt: h.stack.rt, leads: h.stack.leads, eventId: 9000 });
  });
  afterAll(() => h.stack.stop());
  return h;
}

type Harness = ReturnType<typeof harness>;

function send(h: Harness, events: unknown[]) {
  return h.stack.sendHubSpot(events);
}

/** A qualifying contact of Bauwerk submits "Contact me"; resolves with its handoff once the task is made. */
async function handOver(h: Harness, contactId: string) {
  addQualifyingContact(h.sandbox, contactId, NOW.getTime());
  const hs = h.sandbox.hubspot;
  associate(hs, { type: "contacts", id: contactId }, { type: "companies", id: COMPANY }, 279);
  associate(hs, { type: "companies", id: COMPANY }, { type: "contacts", id: contactId }, 280);
  expect(
    (await send(h, [formSubmittedEvent(PORTAL, contactId, ++h.eventId, NOW.getTime() - 30_000)])).status,
  ).toBe(200);
  return waitFor(async () => {
    const handoff = await h.leads.latestHandoff(CONNECTION, contactId);
    return handoff?.taskId ? handoff : undefined;
  });
}

/** The delivery HubSpot sends when someone changes a property of a Lead record (object type 0-136). */
function leadRecordChange(h: Harness, recordId: string, propertyName: string, value: string, userId: number) {
  return {
    eventId: ++h.eventId,
    subscriptionId: 31,
    portalId: PORTAL,
    appId: 424242,
    occurredAt: NOW.getTime() + 60_000,
    subscriptionType: "object.propertyChange",
    objectTypeId: "0-136",
    attemptNumber: 0,
    objectId: Number(recordId),
    propertyName,
    propertyValue: value,
    changeSource: "CRM_UI",
    sourceId: `userId:${userId}`,
  };
}

describe("HubSpot's Leads object (Sales Hub Professional with Leads set up and the leads scopes granted, end to end)", () => {
  const h = harness({ tier: "professional", leadsObject: true });

  const leadRecordOf = async (handoffId: string) =>
    waitFor(async () => {
      const r = await h.rt.pool.query<{ record_id: string; created: boolean }>(
        "SELECT record_id, created FROM crm_lead_records WHERE connection_id = $1 AND handoff_id = $2",
        [CONNECTION, handoffId],
      );
      return r.rows[0];
    });
  const userIdOf = (ownerId: string) => h.sandbox.hubspot.owners.find((o) => o.id === ownerId)!.userId!;

  it("when a contact is handed over, then a Lead record owned by the routed rep is created with the contact and its company and Handoff's fields, and the card opens on it", async () => {
    const handoff = await handOver(h, "995001");
    const link = await leadRecordOf(handoff.id);
    expect(link.created).toBe(true);
    const record = h.sandbox.hubspot.objects.get("leads")!.get(link.record_id)!;
    expect(record.properties).toMatchObject({
      hs_lead_name: "Lena Kraus 995001",
      hubspot_owner_id: handoff.ownerId,
      hs_pipeline_stage: "new-stage-id",
      handoff_decision_id: handoff.id,
      handoff_score: String(handoff.score.total),
    });
    const links = h.sandbox.hubspot.associations.get(`leads/${link.record_id}`) ?? [];
    expect(links).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ toType: "contacts", toId: "995001", typeId: 578 }),
        expect.objectContaining({ toType: "companies", toId: COMPANY, typeId: 580 }),
      ]),
    );

    // The card on the Lead record is the contact's handoff card.
    const body = JSON.stringify({
      objectId: Number(link.record_id),
      objectTypeId: "0-136",
      portalId: PORTAL,
    });
    const card = await request(h.rt.url!)
      .post(`/cards/hubspot/handoff?portalId=${PORTAL}`)
      .set(
        hubSpotHeaders(
          TEST_SECRET,
          `${h.rt.publicUrl}/cards/hubspot/handoff?portalId=${PORTAL}`,
          body,
          NOW.getTime(),
        ),
      )
      .send(body);
    expect(card.status).toBe(200);
    expect(JSON.stringify(card.body)).toContain("Lena Kraus 995001");
  });

  it("when the contact already has an open Lead, then the handoff reuses it (new owner, Handoff's fields) instead of making a second", async () => {
    const contactId = "995002";
    addQualifyingContact(h.sandbox, contactId, NOW.getTime());
    const hs = h.sandbox.hubspot;
    const existing = "7770001";
    hs.objects.get("leads")!.set(existing, {
      id: existing,
      properties: {
        hs_lead_name: "Old lead",
        hs_pipeline: "lead-pipeline-id",
        hs_pipeline_stage: "new-stage-id",
      },
      createdAt: NOW.toISOString(),
      updatedAt: NOW.toISOString(),
      archived: false,
    });
    associate(hs, { type: "leads", id: existing }, { type: "contacts", id: contactId }, 578);
    associate(hs, { type: "contacts", id: contactId }, { type: "leads", id: existing }, 579);
    const leadsBefore = hs.objects.get("leads")!.size;

    const handoff = await handOver(h, contactId);
    const link = await leadRecordOf(handoff.id);
    expect(link).toEqual({ record_id: existing, created: false });
    expect(hs.objects.get("leads")!.size).toBe(leadsBefore);
    expect(hs.objects.get("leads")!.get(existing)!.properties).toMatchObject({
      hubspot_owner_id: handoff.ownerId,
      handoff_decision_id: handoff.id,
    });
  });

  it("when the rep moves the Lead to Attempting, then it is the first touch; Qualified is sales' acceptance", async () => {
    const handoff = await handOver(h, "995003");
    const { record_id } = await leadRecordOf(handoff.id);
    const record = h.sandbox.hubspot.objects.get("leads")!.get(record_id)!;
    const rep = userIdOf(handoff.ownerId!);

    record.properties.hs_pipeline_stage = "attempting-stage-id";
    await send(h, [leadRecordChange(h, record_id, "hs_pipeline_stage", "attempting-stage-id", rep)]);
    const touched = await waitFor(async () => {
      const x = await h.leads.latestHandoff(CONNECTION, "995003");
      return x?.firstTouchAt ? x : undefined;
    });
    expect(touched.status).toBe("open");

    record.properties.hs_pipeline_stage = "qualified-stage-id";
    await send(h, [leadRecordChange(h, record_id, "hs_pipeline_stage", "qualified-stage-id", rep)]);
    const accepted = await waitFor(async () => {
      const x = await h.leads.latestHandoff(CONNECTION, "995003");
      return x?.status === "accepted" ? x : undefined;
    });
    expect(accepted.id).toBe(handoff.id);
  });

  it("when the rep disqualifies the Lead with a reason, then the handoff is rejected with the SLA reason it maps to", async () => {
    const handoff = await handOver(h, "995004");
    const { record_id } = await leadRecordOf(handoff.id);
    const record = h.sandbox.hubspot.objects.get("leads")!.get(record_id)!;
    record.properties.hs_pipeline_stage = "unqualified-stage-id";
    record.properties.hs_lead_disqualification_reason = "NOT_A_GOOD_FIT";

    await send(h, [
      leadRecordChange(h, record_id, "hs_pipeline_stage", "unqualified-stage-id", userIdOf(handoff.ownerId!)),
    ]);
    const rejected = await waitFor(async () => {
      const x = await h.leads.latestHandoff(CONNECTION, "995004");
      return x?.status === "rejected" ? x : undefined;
    });
    expect(rejected.rejectReason).toBe("not_icp");
  });
});

describe.each([
  ["a Starter portal (no Leads object)", { tier: "starter", leadsObject: true }],
  [
    "a Professional portal whose installer did not grant the leads scopes",
    { tier: "professional", leadsObject: true, grantLeadsScopes: false },
  ],
] as const)("without HubSpot's Leads object: %s", (_name, options) => {
  const h = harness(options);

  it("when a contact is handed over, then today's contact flow runs and no Lead record is made", async () => {
    const handoff = await handOver(h, "996001");
    expect(handoff.ownerId).toMatch(/^800/);
    const links = await h.rt.pool.query("SELECT 1 FROM crm_lead_records WHERE connection_id = $1", [
      CONNECTION,
    ]);
    expect(links.rowCount).toBe(0);
    expect(h.sandbox.hubspot.objects.get("leads")!.size).toBe(0);
    const parked = await h.rt.pool.query("SELECT count(*)::int AS n FROM events WHERE status = 'parked'");
    expect(parked.rows[0].n).toBe(0);
  });
});
