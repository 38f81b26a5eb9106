import request from "supertest";
import type { LeadStore } from "../../src/ports/leads";
import type { SalesforceTrafficGenerator } from "../../src/sandbox/salesforce/traffic";
import type { SandboxServer } from "../../src/sandbox/server";
import { DEMO } from "../../src/composition/seed-demo";
import { waitFor, type Captured } from "../helpers/capture-servers";
import { dachWebLead } from "../helpers/sandbox-leads";
import { startDemoStack, type DemoStack } from "../helpers/demo-stack";
import type { TestRuntime } from "../helpers/runtime";
import { SALESFORCE_SANDBOX_DEMO } from "../../src/sandbox/salesforce/state";

// Wednesday 2026-11-18 10:00 in Madrid and Berlin.
const NOW = new Date("2026-11-18T09:00:00.000Z");
const CONNECTION = DEMO.salesforce.connectionId;

// The matrix: every edition with outbound messages hands over (Professional Edition has none and is polled:
// salesforce-professional-poll.test.ts).
describe.each(["enterprise", "unlimited"] as const)(
  "a web-to-lead form becomes a handoff (Salesforce %s, outbound message, end to end against the sandbox)",
  (edition) => {
    let sandbox: SandboxServer;
    let rt: TestRuntime;
    let captured: Captured;
    let leads: LeadStore;

    let stack: DemoStack;

    beforeAll(async () => {
      // The org's clock stands a minute before the decision, so the web-to-lead submission is fresh evidence.
      stack = await startDemoStack({
        now: () => NOW,
        sandbox: { salesforce: { edition, now: () => NOW.getTime() - 60_000 } },
        salesforce: true,
        capture: true,
        notifySlack: [CONNECTION],
      });
      ({ sandbox, rt, leads } = stack);
      captured = stack.captured!;
    });

    // One generator for the file: its notification ids are unique only within it (Salesforce dedupes on them).
    let traffic: SalesforceTrafficGenerator | undefined;
    const trafficGenerator = () => (traffic ??= stack.salesforceTraffic());

    afterAll(() => stack.stop());

    it("when the Flow sends the new Lead, then it is scored, owned, tasked, announced and carded; a redelivery changes nothing", async () => {
      const traffic = trafficGenerator();
      const leadId = traffic.createLead(dachWebLead());
      const [result] = await traffic.flush();
      expect(result).toMatchObject({ acked: true });

      const handoff = await waitFor(async () => {
        const h = await leads.latestHandoff(CONNECTION, leadId);
        return h?.taskId ? h : undefined;
      });
      expect(handoff.ownerId).toMatch(/^005|^00G/);
      const lead = sandbox.salesforce.records.get("Lead")?.get(leadId) as Record<string, unknown> | undefined;
      expect(lead?.OwnerId).toBe(handoff.ownerId);
      expect(lead?.Handoff_Fit_Score__c).toBe(handoff.score.fit);
      await waitFor(() => captured.slack.length === 1);

      const card = await request(rt.url!).get(`/cards/preview/${CONNECTION}/${leadId}`);
      expect(card.status).toBe(200);
      expect(card.text).toContain("Jonas Lang");

      // Salesforce delivers "usually once but sometimes more than once": the same notification again.
      traffic.notify(leadId);
      await traffic.flush();
      await new Promise((r) => setTimeout(r, 1000));
      const handoffs = await rt.pool.query("SELECT count(*)::int AS n FROM handoffs WHERE lead_id = $1", [
        leadId,
      ]);
      expect(handoffs.rows[0].n).toBe(1);
      expect(captured.slack).toHaveLength(1);
    });

    it("when a lead falls back to the queue, then the queue owns the lead, its task goes to the SLA's task owner (a queue cannot own a Task), and nothing parks", async () => {
      const traffic = trafficGenerator();
      // Brazil is in no territory: the fallback queue "Inbound triage" gets the lead.
      const leadId = traffic.createLead({
        FirstName: "Rafael",
        LastName: "Costa",
        Company: "Paulista Software SA",
        Email: "rafael.costa@paulista-software.example",
        Title: "VP Sales",
        NumberOfEmployees: 600,
        Industry: "Software",
        Country: "Brazil",
        CountryCode: "BR",
        PostalCode: "01310",
        LeadSource: "Web",
      });
      await traffic.flush();
      const handoff = await waitFor(async () => {
        const h = await leads.latestHandoff(CONNECTION, leadId);
        return h?.taskId ? h : undefined;
      });
      expect(handoff.ownerId).toBe(SALESFORCE_SANDBOX_DEMO.inboundTriageQueueId);
      const lead = sandbox.salesforce.records.get("Lead")?.get(leadId) as Record<string, unknown>;
      expect(lead.OwnerId).toBe(SALESFORCE_SANDBOX_DEMO.inboundTriageQueueId);
      const task = sandbox.salesforce.records.get("Task")?.get(handoff.taskId!) as Record<string, unknown>;
      expect(task.OwnerId).toBe("0055g0000080007AAA"); // maria, routing.fallback.task_owner
      const card = await request(rt.url!).get(`/cards/preview/${CONNECTION}/${leadId}`);
      expect(card.text).toContain("its follow-up task went to Maria Lopez");
      const parked = await rt.pool.query("SELECT count(*)::int AS n FROM events WHERE status = 'parked'");
      expect(parked.rows[0].n).toBe(0);
    });
  },
);
