import request from "supertest";
import { PostgresLeadStore } from "../../src/adapters/postgres/lead-store";
import type { LeadStore } from "../../src/ports/leads";
import { createSalesforceTrafficGenerator } from "../../src/sandbox/salesforce/traffic";
import { SALESFORCE_SANDBOX_DEMO } from "../../src/sandbox/salesforce/state";
import { startSandbox, type SandboxServer } from "../../src/sandbox/server";
import { DEMO, seedDemoConnections } from "../../src/composition/seed-demo";
import { startCaptureServers, waitFor, type Captured } from "../helpers/capture-servers";
import {
  startTestRuntime,
  TEST_ADMIN_TOKEN,
  TEST_KEY,
  TEST_SECRET,
  type TestRuntime,
} from "../helpers/runtime";
import { systemClock } from "../../src/composition/system-clock";

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

    beforeAll(async () => {
      // The org's clock stands a minute before the decision, so the web-to-lead submission is fresh evidence.
      sandbox = await startSandbox({ port: 0, salesforce: { edition, now: () => NOW.getTime() - 60_000 } });
      captured = await startCaptureServers();
      rt = await startTestRuntime({
        product: {
          publicUrl: "https://handoff.test",
          adminToken: TEST_ADMIN_TOKEN,
          encryptionKey: TEST_KEY,
          embedded: true,
          hubspot: { clientId: "demo-client-id", clientSecrets: [TEST_SECRET], apiBase: undefined },
          salesforce: {
            clientId: SALESFORCE_SANDBOX_DEMO.clientId,
            clientSecret: SALESFORCE_SANDBOX_DEMO.clientSecret,
            loginUrl: sandbox.salesforceInstanceUrl,
          },
          now: () => NOW,
        },
      });
      leads = new PostgresLeadStore(rt.pool);
      await seedDemoConnections(rt.connections, { sandboxUrl: sandbox.url, now: systemClock });
      await rt.connections.saveNotificationSettings(CONNECTION, {
        slack: { webhookUrl: captured.slackUrl },
      });
    });

    // One generator for the file: its notification ids are unique only within it (Salesforce dedupes on them).
    let traffic: ReturnType<typeof createSalesforceTrafficGenerator> | undefined;
    const trafficGenerator = () =>
      (traffic ??= createSalesforceTrafficGenerator(sandbox.salesforce, {
        webhookUrl: `${rt.url}/webhooks/salesforce/${CONNECTION}/${DEMO.salesforce.webhookToken}`,
        instanceUrl: sandbox.salesforceInstanceUrl,
      }));

    afterAll(async () => {
      await rt.stop();
      await rt.db.close();
      await sandbox.close();
      await captured.close();
    });

    it("when the Flow sends the new Lead, then it is scored, owned, tasked, announced and carded; a redelivery changes nothing", async () => {
      const traffic = trafficGenerator();
      const leadId = traffic.createLead({
        FirstName: "Jonas",
        LastName: "Lang",
        Company: "Rhein Cloud AG",
        Email: "jonas.lang@rhein-cloud.de",
        Title: "VP Sales",
        NumberOfEmployees: 240,
        Industry: "Software",
        Country: "Germany",
        CountryCode: "DE",
        PostalCode: "50667",
        LeadSource: "Web",
      });
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
