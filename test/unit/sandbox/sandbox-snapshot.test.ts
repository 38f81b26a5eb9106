import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createHubSpotSandboxState } from "../../../src/sandbox/hubspot/state";
import { HubSpotTrafficGenerator } from "../../../src/sandbox/hubspot/traffic";
import { loadSandboxSnapshot, saveSandboxSnapshot } from "../../../src/sandbox/sandbox-snapshot";
import { createSalesforceSandboxState } from "../../../src/sandbox/salesforce/state";
import { createSalesforceTrafficGenerator } from "../../../src/sandbox/salesforce/traffic";

describe("the sandbox's records across restarts", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "handoff-sandbox-snapshot-"));
    chmodSync(dir, 0o755);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function session() {
    const hubspot = createHubSpotSandboxState();
    const salesforce = createSalesforceSandboxState();
    const contacts = new HubSpotTrafficGenerator({ state: hubspot, targetUrl: "http://127.0.0.1:1/none" });
    const leads = createSalesforceTrafficGenerator(salesforce, {
      webhookUrl: "http://127.0.0.1:1/none",
      instanceUrl: "http://127.0.0.1:1/salesforce",
    });
    return { hubspot, salesforce, contacts, leads };
  }

  it("when a session's records are saved and the next session loads them, then its contacts, form submissions and Leads are there and new records get new ids", () => {
    const file = path.join(dir, "sandbox.json");
    const first = session();
    const contactId = first.contacts.createContact({ jobtitle: "VP Sales" });
    first.contacts.submitForm(contactId, "contactMe");
    const leadId = first.leads.createLead({ Title: "CTO" });
    saveSandboxSnapshot(file, first.hubspot, first.salesforce);

    const next = session();
    expect(next.hubspot.objects.get("contacts")?.has(contactId)).toBe(false);
    expect(loadSandboxSnapshot(file, next.hubspot, next.salesforce)).toBe(true);
    expect(next.hubspot.objects.get("contacts")?.get(contactId)?.properties.jobtitle).toBe("VP Sales");
    const submissions = [...next.hubspot.forms.values()].flatMap((f) => f.submissions);
    expect(submissions.some((s) => s.contactId === contactId)).toBe(true);
    expect(next.salesforce.records.get("Lead")?.get(leadId)?.Title).toBe("CTO");
    expect(next.contacts.createContact()).not.toBe(contactId);
    expect(next.leads.createLead()).not.toBe(leadId);
  });

  it("when there is no snapshot, or one of another portal, then the sandbox stays as seeded", () => {
    const file = path.join(dir, "sandbox.json");
    const fresh = session();
    const seeded = fresh.hubspot.objects.get("contacts")?.size;
    expect(loadSandboxSnapshot(file, fresh.hubspot, fresh.salesforce)).toBe(false);
    const other = createHubSpotSandboxState({ portalId: 1234 });
    saveSandboxSnapshot(file, other, fresh.salesforce);
    expect(loadSandboxSnapshot(file, fresh.hubspot, fresh.salesforce)).toBe(false);
    writeFileSync(file, JSON.stringify({ version: 0 }));
    expect(loadSandboxSnapshot(file, fresh.hubspot, fresh.salesforce)).toBe(false);
    expect(fresh.hubspot.objects.get("contacts")?.size).toBe(seeded);
  });
});
