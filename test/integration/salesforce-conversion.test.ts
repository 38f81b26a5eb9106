import request from "supertest";
import { PostgresAssignmentStore } from "../../src/adapters/postgres/assignment-store";
import type { LeadStore } from "../../src/ports/leads";
import { reconcileOpenLeads } from "../../src/app/reconcile-open-leads";
import { DEMO } from "../../src/composition/seed-demo";
import { SALESFORCE_DEMO_USERS } from "../../src/sandbox/salesforce/seed";
import { type SalesforceTrafficGenerator } from "../../src/sandbox/salesforce/traffic";
import { type SandboxServer } from "../../src/sandbox/server";
import { waitFor } from "../helpers/capture-servers";
import { dachWebLead } from "../helpers/sandbox-leads";
import { startDemoStack, type DemoStack } from "../helpers/demo-stack";
import { TEST_ADMIN_TOKEN, type TestRuntime } from "../helpers/runtime";

// Wednesday 2026-11-18 10:00 in Madrid and Berlin.
const NOW = new Date("2026-11-18T09:00:00.000Z");
const CONNECTION = DEMO.salesforce.connectionId;
let now = NOW;

describe("a handed-over Salesforce lead that sales converted (end to end against the sandbox)", () => {
  let sandbox: SandboxServer;
  let rt: TestRuntime;
  let leads: LeadStore;
  let traffic: SalesforceTrafficGenerator;
  let serial = 0;

  let stack: DemoStack;

  beforeAll(async () => {
    stack = await startDemoStack({
      now: () => now,
      sandbox: { salesforce: { now: () => NOW.getTime() - 60_000 } },
      salesforce: true,
      capture: true,
      notifySlack: [CONNECTION],
    });
    ({ sandbox, rt, leads } = stack);
    traffic = stack.salesforceTraffic();
  });

  afterAll(() => stack.stop());

  /** A VP at a DACH software company submits the web-to-lead form; returns the lead and its open handoff. */
  async function handedOverLead() {
    serial += 1;
    const leadId = traffic.createLead(
      dachWebLead({ LastName: `Lang${serial}`, Email: `jonas.lang${serial}@rhein-cloud.de` }),
    );
    await traffic.flush();
    const handoff = await waitFor(async () => {
      const h = await leads.latestHandoff(CONNECTION, leadId);
      return h?.taskId ? h : undefined;
    });
    expect(handoff.status).toBe("open");
    return { leadId, handoff };
  }

  async function openSlot(leadId: string) {
    const r = await rt.pool.query<{ released_at: Date | null; release_reason: string | null }>(
      "SELECT released_at, release_reason FROM lead_assignments WHERE connection_id = $1 AND lead_id = $2",
      [CONNECTION, leadId],
    );
    return r.rows[0];
  }

  async function scheduledTimers(handoffId: string): Promise<number> {
    const r = await rt.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM follow_up_steps WHERE handoff_id = $1 AND status = 'scheduled' AND kind <> 'cadence'",
      [handoffId],
    );
    return r.rows[0]!.n;
  }

  it("when the rep converts the lead and the Flow reports it, then the handoff closes as accepted, the slot is freed, the clock stops, the report counts the conversion and nothing is written to the converted lead", async () => {
    const { leadId, handoff } = await handedOverLead();
    await waitFor(async () => ((await scheduledTimers(handoff.id)) > 0 ? true : undefined));
    expect((await openSlot(leadId))?.released_at).toBeNull();
    const owner = handoff.ownerId!.startsWith("005") ? handoff.ownerId! : SALESFORCE_DEMO_USERS.anna;

    const result = traffic.convertLead({ leadId, ownerId: owner, by: owner });
    await traffic.flush();

    const closed = await waitFor(async () => {
      const h = await leads.latestHandoff(CONNECTION, leadId);
      return h?.status === "accepted" ? h : undefined;
    });
    expect(closed.id).toBe(handoff.id);
    expect(await openSlot(leadId)).toMatchObject({ release_reason: "converted" });
    expect(await scheduledTimers(handoff.id)).toBe(0);
    const conversion = await leads.conversion(CONNECTION, leadId);
    expect(conversion).toMatchObject({
      handoffId: handoff.id,
      contactId: result.contactId,
      accountId: result.accountId,
      opportunityId: result.opportunityId,
      convertedOwnerId: owner,
    });
    expect(conversion?.ownerChanged).toBe(owner !== handoff.ownerId);
    const history = await waitFor(async () => {
      const h = await leads.history(CONNECTION, leadId);
      return h.some((e) => e.type === "accepted") ? h : undefined;
    });
    expect(history.filter((h) => h.type === "accepted")).toHaveLength(1);

    // Handoff wrote nothing after the conversion (Salesforce would refuse it with CANNOT_UPDATE_CONVERTED_LEAD),
    // so nothing was parked.
    const parked = await rt.pool.query(
      "SELECT count(*)::int AS n FROM events WHERE connection_id = $1 AND status = 'parked'",
      [CONNECTION],
    );
    expect(parked.rows[0].n).toBe(0);

    now = new Date(NOW.getTime() + 60_000);
    const report = await request(rt.url!)
      .get(`/admin/api/reports/feedback?connectionId=${CONNECTION}&since=30d`)
      .set("authorization", `Bearer ${TEST_ADMIN_TOKEN}`);
    expect(report.status).toBe(200);
    expect(report.body).toMatchObject({ converted: 1, convertedWithOpportunity: 1 });
  });

  it("when the conversion gives the new records to another rep, then it is recorded as converted to another owner", async () => {
    const { leadId, handoff } = await handedOverLead();
    const other =
      handoff.ownerId === SALESFORCE_DEMO_USERS.carla
        ? SALESFORCE_DEMO_USERS.diego
        : SALESFORCE_DEMO_USERS.carla;

    traffic.convertLead({
      leadId,
      ownerId: other,
      doNotCreateOpportunity: true,
      by: SALESFORCE_DEMO_USERS.maria,
    });
    await traffic.flush();

    const conversion = await waitFor(() => leads.conversion(CONNECTION, leadId).then((c) => c ?? undefined));
    expect(conversion).toMatchObject({
      handoffOwnerId: handoff.ownerId,
      convertedOwnerId: other,
      ownerChanged: true,
      opportunityId: null,
    });
    await waitFor(async () =>
      (await leads.latestHandoff(CONNECTION, leadId))?.status === "accepted" ? true : undefined,
    );
    await waitFor(() =>
      rt.logger.entries.find(
        (e) =>
          e.message === "lead converted" &&
          (e.fields as Record<string, unknown>).leadId === leadId &&
          (e.fields as Record<string, unknown>).ownerChanged === true &&
          (e.fields as Record<string, unknown>).convertedOwnerId === other,
      ),
    );
  });

  it("when the org's Flow does not run on conversion, then the scheduled reconcile finds the converted lead and closes its handoff the same way", async () => {
    const { leadId, handoff } = await handedOverLead();
    const owner = handoff.ownerId!.startsWith("005") ? handoff.ownerId! : SALESFORCE_DEMO_USERS.anna;
    traffic.convertLead({ leadId, ownerId: owner, by: owner }, { notify: false });

    const result = await reconcileOpenLeads(
      {
        assignments: new PostgresAssignmentStore({ pool: rt.pool }),
        crmFor: rt.product!.deps.crmFor,
        slaFor: rt.product!.deps.slaFor,
        logger: rt.logger,
        now: () => NOW,
        recordConversion: rt.product!.deps.recordConversion!,
      },
      CONNECTION,
    );

    expect(result.released).toContainEqual(expect.objectContaining({ leadId, reason: "converted" }));
    expect((await leads.latestHandoff(CONNECTION, leadId))?.status).toBe("accepted");
    expect(await scheduledTimers(handoff.id)).toBe(0);
    expect(await leads.conversion(CONNECTION, leadId)).toMatchObject({ handoffId: handoff.id });
  });

  it("when the converted Contact later shows up, then it is known as the converted person and not handed over again", async () => {
    const { leadId } = await handedOverLead();
    const converted = traffic.convertLead({
      leadId,
      ownerId: SALESFORCE_DEMO_USERS.anna,
      by: SALESFORCE_DEMO_USERS.anna,
    });
    await traffic.flush();
    await waitFor(() => leads.conversion(CONNECTION, leadId).then((c) => c ?? undefined));

    // The same person fills in the form again: web-to-lead makes a new Lead with the converted Contact's e-mail.
    const contact = sandbox.salesforce.records.get("Contact")?.get(converted.contactId);
    const again = traffic.createLead(
      dachWebLead({ LastName: String(contact?.LastName), Email: String(contact?.Email) }),
    );
    await traffic.flush();
    await waitFor(async () => {
      const r = await rt.pool.query(
        "SELECT status FROM events WHERE connection_id = $1 AND object_id = $2 AND status IN ('processed', 'ignored', 'parked')",
        [CONNECTION, again],
      );
      return r.rowCount ? true : undefined;
    });
    expect(await leads.latestHandoff(CONNECTION, again)).toBeNull();
    expect(rt.logger.entries).toContainEqual(
      expect.objectContaining({
        message: "same person as a converted contact: not handed over again",
        fields: expect.objectContaining({ leadId: again, convertedLeadId: leadId }),
      }),
    );
  });
});
