import type { ConnectionStore, NewConnection, OAuthTokens } from "../ports/connections";
import { HUBSPOT_SANDBOX_DEMO } from "../sandbox/hubspot/state";
import { SALESFORCE_SANDBOX_DEMO } from "../sandbox/salesforce/state";
import type { Clock } from "../ports/clock";

/** Fixed demo identities (DESIGN §7), shared by docs, tests and tools. */
export const DEMO = {
  hubspot: {
    connectionId: "hubspot-9876543",
    portalId: String(HUBSPOT_SANDBOX_DEMO.portalId),
    appId: String(HUBSPOT_SANDBOX_DEMO.appId),
    accessToken: HUBSPOT_SANDBOX_DEMO.accessToken,
    refreshToken: HUBSPOT_SANDBOX_DEMO.refreshToken,
  },
  salesforce: {
    connectionId: "salesforce-00D5g000004bE2xEAE",
    organizationId: SALESFORCE_SANDBOX_DEMO.orgId,
    accessToken: SALESFORCE_SANDBOX_DEMO.accessToken,
    refreshToken: SALESFORCE_SANDBOX_DEMO.refreshToken,
    webhookToken: "demo-outbound-token",
  },
};

/** One demo portal or org and its sandbox session, as an installed connection. */
export async function seedDemoConnection(
  connections: ConnectionStore,
  connection: NewConnection,
  tokens: Required<OAuthTokens>,
): Promise<void> {
  await connections.upsert(connection);
  await connections.saveTokens(connection.id, tokens);
}

/** Seeds the demo HubSpot portal and Salesforce org of the embedded default, pointing at the sandbox. */
export async function seedDemoConnections(
  connections: ConnectionStore,
  options: { sandboxUrl: string; now: Clock },
): Promise<void> {
  const at = options.now().getTime();
  await seedDemoConnection(
    connections,
    {
      id: DEMO.hubspot.connectionId,
      crm: "hubspot",
      externalId: DEMO.hubspot.portalId,
      name: "Demo HubSpot portal",
      instanceUrl: `${options.sandboxUrl}/hubspot`,
    },
    {
      accessToken: DEMO.hubspot.accessToken,
      refreshToken: DEMO.hubspot.refreshToken,
      expiresAt: new Date(at + 6 * 3600_000),
    },
  );
  await seedDemoConnection(
    connections,
    {
      id: DEMO.salesforce.connectionId,
      crm: "salesforce",
      externalId: DEMO.salesforce.organizationId,
      name: "Demo Salesforce org",
      instanceUrl: `${options.sandboxUrl}/salesforce`,
      webhookToken: DEMO.salesforce.webhookToken,
    },
    {
      accessToken: DEMO.salesforce.accessToken,
      refreshToken: DEMO.salesforce.refreshToken,
      expiresAt: new Date(at + 2 * 3600_000),
    },
  );
}
