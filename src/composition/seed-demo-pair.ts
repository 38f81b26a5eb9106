import { PostgresConnectionLinkStore } from "../adapters/postgres/connection-link-store";
import type { ConnectionStore } from "../ports/connections";
import type { Clock } from "../ports/clock";
import { CONNECTOR_INTEGRATION_USER_ID } from "../sandbox/connector/salesforce-connector";
import { PAIR_SANDBOX } from "../sandbox/connector/pair-demo";
import { HUBSPOT_SANDBOX_DEMO } from "../sandbox/hubspot/state";
import { SALESFORCE_SANDBOX_DEMO } from "../sandbox/salesforce/state";
import type { Pool } from "pg";
import { seedDemoConnection } from "./seed-demo";

/** The synced pair of the embedded default: fixed ids, as the other demos have. */
export const DEMO_PAIR = {
  marketing: { connectionId: `hubspot-${PAIR_SANDBOX.portalId}`, portalId: String(PAIR_SANDBOX.portalId) },
  sales: {
    connectionId: `salesforce-${PAIR_SANDBOX.orgId}`,
    organizationId: PAIR_SANDBOX.orgId,
    webhookToken: "demo-pair-outbound-token",
  },
} as const;

/**
 * Seeds the pair's HubSpot portal and Salesforce org (in their own sandbox at `sandboxUrl`) and links them. The
 * sandbox's demo sessions never expire, so their stored expiry is far off: the app never refreshes them against
 * the main demo's login endpoint.
 */
export async function seedDemoPair(
  connections: ConnectionStore,
  pool: Pool,
  options: { sandboxUrl: string; now: Clock },
): Promise<void> {
  const far = new Date(options.now().getTime() + 365 * 86_400_000);
  await seedDemoConnection(
    connections,
    {
      id: DEMO_PAIR.marketing.connectionId,
      crm: "hubspot",
      externalId: DEMO_PAIR.marketing.portalId,
      name: "Demo pair: HubSpot (marketing)",
      instanceUrl: `${options.sandboxUrl}/hubspot`,
    },
    {
      accessToken: HUBSPOT_SANDBOX_DEMO.accessToken,
      refreshToken: HUBSPOT_SANDBOX_DEMO.refreshToken,
      expiresAt: far,
    },
  );
  await seedDemoConnection(
    connections,
    {
      id: DEMO_PAIR.sales.connectionId,
      crm: "salesforce",
      externalId: DEMO_PAIR.sales.organizationId,
      name: "Demo pair: Salesforce (sales)",
      instanceUrl: `${options.sandboxUrl}/salesforce`,
      webhookToken: DEMO_PAIR.sales.webhookToken,
    },
    {
      accessToken: SALESFORCE_SANDBOX_DEMO.accessToken,
      refreshToken: SALESFORCE_SANDBOX_DEMO.refreshToken,
      expiresAt: far,
    },
  );
  await new PostgresConnectionLinkStore(pool).link(
    {
      marketingConnectionId: DEMO_PAIR.marketing.connectionId,
      salesConnectionId: DEMO_PAIR.sales.connectionId,
      integrationUserId: CONNECTOR_INTEGRATION_USER_ID,
      linkedBy: "demo",
    },
    options.now(),
  );
}
