import { HubSpotTrafficGenerator } from "../hubspot/traffic";
import { createSalesforceTrafficGenerator, DEFAULT_OUTBOUND_FIELDS } from "../salesforce/traffic";
import { startSandbox, type SandboxServer } from "../server";
import { SalesforceConnector } from "./salesforce-connector";

/** The synced pair's demo portal and org: a HubSpot portal for marketing, a Salesforce org for sales. */
export const PAIR_SANDBOX = {
  portalId: 7654321,
  orgId: "00D5g000007PaIrEAK",
} as const;

export interface PairDemoOptions {
  /** The pair's own sandbox port (a second portal and org beside the main demo's). */
  port: number;
  /** Where the app takes webhooks, e.g. `http://127.0.0.1:3000`. */
  appUrl: string;
  /** The app's PUBLIC_URL, which HubSpot signs. */
  publicUrl: string;
  hubspotSecret: string;
  /** Path of the sales connection's outbound-message endpoint: `/webhooks/salesforce/:connectionId/:token`. */
  salesforceWebhookPath: string;
  /** @default 30000 */
  formSyncDelayMs?: number;
}

export interface PairDemo {
  sandbox: SandboxServer;
  connector: SalesforceConnector;
  stop(): Promise<void>;
}

/**
 * The third demo of the embedded default: marketers and visitors in a HubSpot portal, HubSpot's Salesforce
 * connector syncing its contacts into a Salesforce org after its delay, and that org's Flow telling the app about
 * the leads (with who wrote them, so the connector's owner syncs are told apart).
 */
export async function startPairDemo(options: PairDemoOptions): Promise<PairDemo> {
  const sandbox = await startSandbox({
    port: options.port,
    hubspot: { portalId: PAIR_SANDBOX.portalId },
    salesforce: { orgId: PAIR_SANDBOX.orgId },
  });
  const hubspotTraffic = new HubSpotTrafficGenerator({
    state: sandbox.hubspot,
    targetUrl: `${options.appUrl}/webhooks/hubspot`,
    signedUrl: `${options.publicUrl}/webhooks/hubspot`,
    clientSecret: options.hubspotSecret,
    actionsPerMinute: 6,
  });
  const salesforceTraffic = createSalesforceTrafficGenerator(sandbox.salesforce, {
    webhookUrl: `${options.appUrl}${options.salesforceWebhookPath}`,
    instanceUrl: sandbox.salesforceInstanceUrl,
    fields: [...DEFAULT_OUTBOUND_FIELDS, "LastModifiedById"],
  });
  const connector = new SalesforceConnector({
    hubspot: sandbox.hubspot,
    salesforce: sandbox.salesforce,
    hubspotTraffic,
    salesforceTraffic,
    ...(options.formSyncDelayMs === undefined ? {} : { formSyncDelayMs: options.formSyncDelayMs }),
  });
  hubspotTraffic.start();
  connector.start();
  return {
    sandbox,
    connector,
    stop: async () => {
      connector.stop();
      await hubspotTraffic.stop();
      await salesforceTraffic.stop();
      await sandbox.close();
    },
  };
}
