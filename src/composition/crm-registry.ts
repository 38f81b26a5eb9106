import { HubSpotCrm } from "../adapters/hubspot/hubspot-crm";
import { HUBSPOT_REQUIRED_SCOPES, HubSpotTokenProvider } from "../adapters/hubspot/hubspot-oauth";
import { HUBSPOT_OAUTH_BUDGET, RateBudgetRegistry } from "../adapters/rate-budget";
import type { RateWindowStore } from "../adapters/rate-window";
import { createSalesforceCrm } from "../adapters/salesforce/salesforce-crm";
import { createSalesforceSession } from "../adapters/salesforce/salesforce-oauth";
import { NotFoundError } from "../domain/errors";
import type { Clock } from "../ports/clock";
import type { ConnectionStore } from "../ports/connections";
import type { CrmPort } from "../ports/crm";
import type { Logger } from "../ports/logger";

export interface CrmRegistryOptions {
  connections: ConnectionStore;
  logger: Logger;
  now: Clock;
  publicUrl: string;
  hubspot: { clientId: string | undefined; clientSecret: string | undefined; apiBase: string | undefined };
  salesforce: { clientId: string | undefined; clientSecret: string | undefined; loginUrl: string };
  /** Where the per-connection rate windows live: PostgreSQL shares them across processes. @default memory */
  rateWindows?: RateWindowStore;
  /**
   * The clock the rate windows count on. The demo history replays weeks of a portal's past in seconds on the
   * sandbox's clock, so its budget counts on that clock too. @default the monotonic clock
   */
  rateClock?: () => number;
  /** How a rate window is waited for on `rateClock` (the demo history moves its clock on). @default setTimeout */
  rateWait?: (ms: number, then: () => void) => NodeJS.Timeout;
  /**
   * How long a CRM read or write waits to share a batch call. The demo history runs one event at a time, so
   * nobody would join: 0. @default the adapter's (HubSpot 10 ms, Salesforce 20 ms)
   */
  coalesceWindowMs?: number;
}

export interface CrmRegistry {
  crmFor(connectionId: string): Promise<CrmPort>;
  recordUrl(connectionId: string, leadId: string): string | undefined;
  close(): void;
}

/**
 * One adapter per connection, created on first use and kept for the process: the adapter holds the
 * connection's rate budget and batch coalescer, which only work if everyone in the process shares them.
 * Tokens come from the connections table (decrypted on load, saved encrypted after every refresh).
 */
export function createCrmRegistry(options: CrmRegistryOptions): CrmRegistry {
  const { connections, logger } = options;
  const budgets = new RateBudgetRegistry(options.rateWindows, options.rateClock, options.rateWait);
  const coalesce =
    options.coalesceWindowMs === undefined ? {} : { coalesceWindowMs: options.coalesceWindowMs };
  const adapters = new Map<string, Promise<CrmPort>>();
  const portals = new Map<string, { crm: string; externalId: string; instanceUrl: string | null }>();

  async function build(connectionId: string): Promise<CrmPort> {
    const connection = await connections.get(connectionId);
    if (!connection || connection.status !== "active") {
      throw new NotFoundError(
        `connection ${connectionId} is not installed`,
        "Install the app again for this CRM.",
      );
    }
    portals.set(connectionId, connection);
    const log = logger.child({ connectionId, crm: connection.crm });
    if (connection.crm === "hubspot") {
      const apiBase = connection.instanceUrl ?? options.hubspot.apiBase ?? "https://api.hubapi.com";
      const access = new HubSpotTokenProvider({
        connectionId,
        config: {
          clientId: options.hubspot.clientId ?? "",
          clientSecret: options.hubspot.clientSecret ?? "",
          redirectUri: `${options.publicUrl}/oauth/hubspot/callback`,
          scopes: HUBSPOT_REQUIRED_SCOPES,
          apiBaseUrl: apiBase,
        },
        store: {
          load: async (id) => {
            const t = await connections.getTokens(id);
            return t
              ? {
                  accessToken: t.accessToken,
                  refreshToken: t.refreshToken ?? "",
                  expiresAt: t.expiresAt ?? new Date(0),
                }
              : undefined;
          },
          save: (id, t) => connections.saveTokens(id, t),
        },
        now: options.now,
      });
      return new HubSpotCrm({
        connectionId,
        access,
        basePath: apiBase,
        budget: budgets.forConnection(connectionId, () => HUBSPOT_OAUTH_BUDGET),
        logger: log,
        now: options.now,
        ...coalesce,
      });
    }
    const instanceUrl = connection.instanceUrl ?? "";
    const session = createSalesforceSession({
      connectionId,
      config: {
        clientId: options.salesforce.clientId ?? "",
        clientSecret: options.salesforce.clientSecret ?? "",
        redirectUri: `${options.publicUrl}/oauth/salesforce/callback`,
        loginUrl: connection.settings.loginUrl
          ? String(connection.settings.loginUrl)
          : options.salesforce.loginUrl,
      },
      store: {
        load: async (id) => {
          const t = await connections.getTokens(id);
          return t
            ? {
                accessToken: t.accessToken,
                ...(t.refreshToken ? { refreshToken: t.refreshToken } : {}),
                instanceUrl,
              }
            : null;
        },
        save: (id, t) =>
          connections.saveTokens(id, {
            accessToken: t.accessToken,
            ...(t.refreshToken ? { refreshToken: t.refreshToken } : {}),
          }),
      },
    });
    // The adapter keeps its own daily guard from Sforce-Limit-Info; the shared queue bounds concurrency.
    return createSalesforceCrm({
      connectionId,
      session,
      logger: log,
      budget: budgets.forConnection(connectionId, () => ({ concurrency: 10 })),
      now: options.now,
      ...coalesce,
    });
  }

  return {
    crmFor(connectionId) {
      let adapter = adapters.get(connectionId);
      if (!adapter) {
        adapter = build(connectionId).then(async (crm) => {
          // The fields Handoff writes: created on HubSpot, checked on Salesforce (a missing one is named).
          const fields = await crm.ensureFields();
          if (fields.created.length || fields.missing.length) {
            logger.info("CRM fields checked", {
              connectionId,
              created: fields.created,
              missing: fields.missing,
            });
          }
          return crm;
        });
        adapter.catch(() => adapters.delete(connectionId));
        adapters.set(connectionId, adapter);
      }
      return adapter;
    },
    recordUrl(connectionId, leadId) {
      const c = portals.get(connectionId);
      if (!c) return undefined;
      if (c.crm === "hubspot") return `https://app.hubspot.com/contacts/${c.externalId}/record/0-1/${leadId}`;
      return c.instanceUrl
        ? `${c.instanceUrl.replace(/\/$/, "")}/lightning/r/Lead/${leadId}/view`
        : undefined;
    },
    close: () => budgets.close(),
  };
}
