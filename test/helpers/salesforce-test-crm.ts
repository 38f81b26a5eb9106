import { createMemorySalesforceTokenStore } from "../../src/adapters/salesforce/memory-token-store";
import {
  createSalesforceCrm,
  type SalesforceCrm,
  type SalesforceCrmOptions,
} from "../../src/adapters/salesforce/salesforce-crm";
import { createSalesforceSession } from "../../src/adapters/salesforce/salesforce-oauth";
import { systemClock } from "../../src/composition/system-clock";
import { SALESFORCE_SANDBOX_DEMO } from "../../src/sandbox/salesforce/state";
import { silent } from "./silent-logger";

export interface SalesforceTestCrmOptions extends Partial<
  Omit<SalesforceCrmOptions, "connectionId" | "session">
> {
  instanceUrl: string;
  /** Where tokens are refreshed. @default instanceUrl (the sandbox answers both) */
  loginUrl?: string;
  /** @default "org" */
  connectionId?: string;
  /** @default the demo org's tokens */
  tokens?: { accessToken: string; refreshToken: string };
}

/**
 * The Salesforce adapter as the tests build it: the demo org's OAuth client and tokens in a memory token store
 * (returned, so a test can look at or change the stored tokens), a silent logger and the system clock by default.
 * @example const { crm } = salesforceTestCrm({ instanceUrl: sandbox.instanceUrl, coalesceWindowMs: 5 });
 */
export function salesforceTestCrm(options: SalesforceTestCrmOptions): {
  crm: SalesforceCrm;
  store: ReturnType<typeof createMemorySalesforceTokenStore>;
} {
  const { instanceUrl, loginUrl = instanceUrl, connectionId = "org", tokens, ...adapterOptions } = options;
  const store = createMemorySalesforceTokenStore({
    [connectionId]: {
      accessToken: tokens?.accessToken ?? SALESFORCE_SANDBOX_DEMO.accessToken,
      refreshToken: tokens?.refreshToken ?? SALESFORCE_SANDBOX_DEMO.refreshToken,
      instanceUrl,
    },
  });
  const session = createSalesforceSession({
    connectionId,
    store,
    config: {
      clientId: SALESFORCE_SANDBOX_DEMO.clientId,
      clientSecret: SALESFORCE_SANDBOX_DEMO.clientSecret,
      redirectUri: "https://handoff.example/oauth/salesforce/callback",
      loginUrl,
    },
  });
  const crm = createSalesforceCrm({
    logger: silent,
    now: systemClock,
    ...adapterOptions,
    connectionId,
    session,
  });
  return { crm, store };
}
