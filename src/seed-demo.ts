import type { ConnectionsRepo } from "./adapters/postgres/connections-repo";

/** Fixed demo identities (DESIGN §7), shared by docs, tests and tools. */
export const DEMO = {
  hubspot: {
    connectionId: "hubspot-9876543",
    portalId: "9876543",
    appId: "424242",
    accessToken: "demo-hubspot-token",
  },
  salesforce: {
    connectionId: "salesforce-00D5g000004bE2xEAE",
    organizationId: "00D5g000004bE2xEAE",
    accessToken: "demo-salesforce-token",
    webhookToken: "demo-outbound-token",
  },
} as const;

/** Seeds the demo HubSpot portal and Salesforce org of the embedded default, pointing at the sandbox. */
export async function seedDemoConnections(
  connections: ConnectionsRepo,
  options: { sandboxUrl: string },
): Promise<void> {
  await connections.upsert({
    id: DEMO.hubspot.connectionId,
    crm: "hubspot",
    externalId: DEMO.hubspot.portalId,
    name: "Demo HubSpot portal",
    instanceUrl: `${options.sandboxUrl}/hubspot`,
  });
  await connections.saveTokens(DEMO.hubspot.connectionId, {
    accessToken: DEMO.hubspot.accessToken,
    refreshToken: "demo-hubspot-refresh",
    expiresAt: new Date(Date.now() + 6 * 3600_000),
  });
  await connections.upsert({
    id: DEMO.salesforce.connectionId,
    crm: "salesforce",
    externalId: DEMO.salesforce.organizationId,
    name: "Demo Salesforce org",
    instanceUrl: `${options.sandboxUrl}/salesforce`,
    webhookToken: DEMO.salesforce.webhookToken,
  });
  await connections.saveTokens(DEMO.salesforce.connectionId, {
    accessToken: DEMO.salesforce.accessToken,
    refreshToken: "demo-salesforce-refresh",
    expiresAt: new Date(Date.now() + 2 * 3600_000),
  });
}
