import type { Connection, OAuthTokens } from "../postgres/connections-repo";
import type { Logger } from "../../ports/logger";
import { HUBSPOT_OAUTH_BUDGET, type RateBudgetRegistry } from "../rate-budget";
import { HubSpotCrm } from "./hubspot-crm";
import {
  HubSpotTokenProvider,
  type HubSpotOAuthConfig,
  type HubSpotTokens,
  type HubSpotTokenStore,
} from "./hubspot-oauth";

/** The two calls of `ConnectionsRepo` the token store needs (tokens encrypted at rest there). */
export interface TokenRows {
  getTokens(id: string): Promise<OAuthTokens | null>;
  saveTokens(id: string, tokens: OAuthTokens): Promise<void>;
}

/** HubSpot tokens kept in the connections table. A token without expiry is treated as valid for 30 min. */
export function connectionsHubSpotTokenStore(
  rows: TokenRows,
  now: () => number = Date.now,
): HubSpotTokenStore {
  return {
    async load(connectionId: string): Promise<HubSpotTokens | undefined> {
      const t = await rows.getTokens(connectionId);
      if (!t) return undefined;
      return {
        accessToken: t.accessToken,
        refreshToken: t.refreshToken ?? "",
        expiresAt: t.expiresAt ?? new Date(now() + 1_800_000),
      };
    },
    async save(connectionId: string, tokens: HubSpotTokens): Promise<void> {
      await rows.saveTokens(connectionId, {
        accessToken: tokens.accessToken,
        refreshToken: tokens.refreshToken,
        expiresAt: tokens.expiresAt,
      });
    },
  };
}

export interface CreateHubSpotCrmOptions {
  /** The installed portal: `instanceUrl` is the API base (the sandbox's `/hubspot` in the embedded default). */
  connection: Pick<Connection, "id" | "instanceUrl">;
  tokens: HubSpotTokenStore;
  /** The app's OAuth settings; the redirect URI is not used for refreshes. */
  oauth: Pick<HubSpotOAuthConfig, "clientId" | "clientSecret"> & Partial<HubSpotOAuthConfig>;
  /** One budget per connection for the whole process. */
  budgets: RateBudgetRegistry;
  logger?: Logger;
}

/**
 * The composition root's one call for a HubSpot connection: tokens from the store (refreshed 5 min before
 * expiry, saved back), the process-wide budget for that portal, the API base from the connection.
 *
 * @example const crm = createHubSpotCrm({ connection, tokens: connectionsHubSpotTokenStore(repo), oauth, budgets });
 */
export function createHubSpotCrm(options: CreateHubSpotCrmOptions): HubSpotCrm {
  const { connection } = options;
  const basePath = connection.instanceUrl ?? undefined;
  const access = new HubSpotTokenProvider({
    connectionId: connection.id,
    store: options.tokens,
    config: {
      redirectUri: "",
      scopes: [],
      ...options.oauth,
      ...(basePath === undefined ? {} : { apiBaseUrl: basePath }),
    },
  });
  return new HubSpotCrm({
    connectionId: connection.id,
    access,
    budget: options.budgets.forConnection(connection.id, () => HUBSPOT_OAUTH_BUDGET),
    ...(basePath === undefined ? {} : { basePath }),
    ...(options.logger ? { logger: options.logger } : {}),
  });
}
