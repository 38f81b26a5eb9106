import request from "supertest";
import { PostgresLeadStore } from "../../src/adapters/postgres/lead-store";
import type { HandoffSettings } from "../../src/composition/compose";
import { DEMO, seedDemoConnections } from "../../src/composition/seed-demo";
import { systemClock } from "../../src/composition/system-clock";
import type { LeadStore } from "../../src/ports/leads";
import { SALESFORCE_SANDBOX_DEMO } from "../../src/sandbox/salesforce/state";
import {
  createSalesforceTrafficGenerator,
  type SalesforceTrafficGenerator,
} from "../../src/sandbox/salesforce/traffic";
import { startSandbox, type SandboxOptions, type SandboxServer } from "../../src/sandbox/server";
import { startCaptureServers, type Captured } from "./capture-servers";
import {
  startTestRuntime,
  TEST_ADMIN_TOKEN,
  TEST_KEY,
  TEST_SECRET,
  type TestRuntime,
  type TestRuntimeOptions,
} from "./runtime";
import { hubSpotHeaders } from "./sign";

export interface DemoStackOptions {
  /** The product's clock (the day the leads are handled on). */
  now: () => Date;
  /** The sandbox CRMs' options (tier, edition, their clocks). */
  sandbox?: Omit<SandboxOptions, "port">;
  /** Connect the demo Salesforce org's OAuth client too (HubSpot only when false). @default false */
  salesforce?: boolean;
  /** Start the Slack and SMTP capture servers; Slack messages of `notifySlack` connections go there. */
  capture?: boolean;
  /** Connections whose Slack messages go to the capture server (needs `capture`). */
  notifySlack?: string[];
  /** More runtime options (retry policy, an existing database). */
  runtime?: Omit<TestRuntimeOptions, "product">;
}

/** The product's settings in the embedded demo against the sandbox, as a test runs it. */
export function demoProduct(
  sandbox: SandboxServer,
  now: () => Date,
  options: { salesforce?: boolean } = {},
): HandoffSettings {
  return {
    publicUrl: "https://handoff.test",
    adminToken: TEST_ADMIN_TOKEN,
    encryptionKey: TEST_KEY,
    embedded: true,
    hubspot: { clientId: "demo-client-id", clientSecrets: [TEST_SECRET], apiBase: undefined },
    salesforce: {
      clientId: options.salesforce ? SALESFORCE_SANDBOX_DEMO.clientId : undefined,
      clientSecret: options.salesforce ? SALESFORCE_SANDBOX_DEMO.clientSecret : undefined,
      loginUrl: sandbox.salesforceInstanceUrl,
    },
    now,
  };
}

export interface DemoStack {
  sandbox: SandboxServer;
  rt: TestRuntime;
  leads: LeadStore;
  /** Present when started with `capture`. */
  captured: Captured | undefined;
  /** POSTs HubSpot deliveries to the webhook, signed as HubSpot signs them. */
  sendHubSpot(events: unknown[]): request.Test;
  /** A generator of the demo org's outbound messages to this runtime's webhook. */
  salesforceTraffic(fields?: string[]): SalesforceTrafficGenerator;
  /** Stops the runtime, drops its database, closes the sandbox and the capture servers. */
  stop(): Promise<void>;
}

/**
 * The whole product (HTTP, workers, a fresh database) against a sandbox HubSpot portal and Salesforce org, with
 * the demo connections seeded: what the end-to-end tests start in their `beforeAll`.
 * @example const stack = await startDemoStack({ now: () => NOW, salesforce: true, capture: true });
 */
export async function startDemoStack(options: DemoStackOptions): Promise<DemoStack> {
  const sandbox = await startSandbox({ port: 0, ...options.sandbox });
  const captured = options.capture ? await startCaptureServers() : undefined;
  const rt = await startTestRuntime({
    ...options.runtime,
    product: demoProduct(sandbox, options.now, { salesforce: options.salesforce ?? false }),
  });
  await seedDemoConnections(rt.connections, { sandboxUrl: sandbox.url, now: systemClock });
  for (const connectionId of options.notifySlack ?? []) {
    if (!captured) throw new Error("notifySlack needs capture: true");
    await rt.connections.saveNotificationSettings(connectionId, { slack: { webhookUrl: captured.slackUrl } });
  }
  return {
    sandbox,
    rt,
    leads: new PostgresLeadStore(rt.pool),
    captured,
    sendHubSpot: (events) => sendHubSpot(rt, events),
    salesforceTraffic: (fields) =>
      createSalesforceTrafficGenerator(sandbox.salesforce, {
        webhookUrl: `${rt.url}/webhooks/salesforce/${DEMO.salesforce.connectionId}/${DEMO.salesforce.webhookToken}`,
        instanceUrl: sandbox.salesforceInstanceUrl,
        ...(fields ? { fields } : {}),
      }),
    stop: async () => {
      await rt.stop();
      await rt.db.close();
      await sandbox.close();
      await captured?.close();
    },
  };
}

/**
 * POSTs HubSpot deliveries to a runtime's webhook, signed with the test app's secret for its public URL, at
 * `signedAt` (default: now; pass the runtime's fixed clock when it has one).
 */
export function sendHubSpot(rt: TestRuntime, events: unknown[], signedAt?: number): request.Test {
  const body = JSON.stringify(events);
  return request(rt.url!)
    .post("/webhooks/hubspot")
    .set(hubSpotHeaders(TEST_SECRET, `${rt.publicUrl}/webhooks/hubspot`, body, signedAt))
    .send(body);
}
