import type { Clock } from "../../ports/clock";
import type { CrmInstaller } from "../../ports/crm-install";
import { AppError } from "../../domain/errors";
import { translateCrmError } from "../crm-errors";

/** One portal's OAuth tokens. */
export interface HubSpotTokens {
  accessToken: string;
  refreshToken: string;
  expiresAt: Date;
  /** The portal (hub) id, returned by the token endpoint since 2025-08. */
  hubId?: number;
  scopes?: string[];
}

/**
 * Where a connection's tokens live (the connections table, encrypted at rest). The adapter only needs
 * these two calls; the integrator wires them to `ConnectionStore`.
 */
export interface HubSpotTokenStore {
  load(connectionId: string): Promise<HubSpotTokens | undefined>;
  save(connectionId: string, tokens: HubSpotTokens): Promise<void>;
}

export interface HubSpotOAuthConfig {
  clientId: string;
  clientSecret: string;
  /** Our callback, e.g. `${PUBLIC_URL}/oauth/hubspot/callback`. */
  redirectUri: string;
  /** Required scopes (space-joined in the URL). */
  scopes: readonly string[];
  optionalScopes?: readonly string[];
  /** Where the browser goes to authorize. @default "https://app.hubspot.com" (sandbox: its /hubspot base) */
  authorizeBaseUrl?: string;
  /** Where tokens are exchanged. @default "https://api.hubapi.com" (sandbox: its /hubspot base) */
  apiBaseUrl?: string;
}

/** Scopes Handoff asks for (reference §4). */
export const HUBSPOT_REQUIRED_SCOPES = [
  "oauth",
  "crm.objects.contacts.read",
  "crm.objects.contacts.write",
  "crm.objects.companies.read",
  "crm.objects.owners.read",
  "crm.schemas.contacts.read",
  "crm.schemas.contacts.write",
  "forms",
] as const;

/**
 * Scopes Handoff uses when the portal has them (app.json `optional`): teams, and the Leads object (Sales Hub
 * Professional+, reference §0b). HubSpot grants only those the installing portal can give; without
 * `optional_scope` in the install URL they are never granted.
 */
export const HUBSPOT_OPTIONAL_SCOPES = [
  "settings.users.teams.read",
  "crm.objects.leads.read",
  "crm.objects.leads.write",
  "crm.schemas.leads.read",
  "crm.schemas.leads.write",
] as const;

/**
 * The URL that starts an install. `state` must be signed by the caller (DESIGN §4) and checked on callback.
 *
 * @example res.redirect(hubspotAuthorizeUrl(config, signState({ nonce })));
 */
export function hubspotAuthorizeUrl(config: HubSpotOAuthConfig, state: string, portalId?: string): string {
  const base = config.authorizeBaseUrl ?? "https://app.hubspot.com";
  const url = new URL(`${base}/oauth/${portalId ? `${encodeURIComponent(portalId)}/` : ""}authorize`);
  url.searchParams.set("client_id", config.clientId);
  url.searchParams.set("redirect_uri", config.redirectUri);
  url.searchParams.set("scope", config.scopes.join(" "));
  if (config.optionalScopes?.length) url.searchParams.set("optional_scope", config.optionalScopes.join(" "));
  url.searchParams.set("state", state);
  return url.toString();
}

interface TokenResponse {
  access_token?: string;
  refresh_token?: string;
  expires_in?: number;
  hub_id?: number;
  scopes?: string[];
  status?: string;
  message?: string;
}

/**
 * POSTs to `/oauth/v1/token` directly: the SDK's `tokensApi.create` drops `hub_id` and `scopes`
 * (reference §4). A refused grant (revoked app, used code) becomes CrmAuthError.
 */
async function requestTokens(
  config: HubSpotOAuthConfig,
  form: Record<string, string>,
  now: Clock,
): Promise<HubSpotTokens> {
  const base = config.apiBaseUrl ?? "https://api.hubapi.com";
  let response: globalThis.Response;
  try {
    response = await fetch(`${base}/oauth/v1/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: new URLSearchParams({ ...form, client_id: config.clientId, client_secret: config.clientSecret }),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (cause) {
    throw translateCrmError({
      crm: "hubspot",
      status: undefined,
      message: "token endpoint unreachable",
      cause,
    });
  }
  const body = (await response.json().catch(() => ({}))) as TokenResponse;
  if (!response.ok || !body.access_token || !body.refresh_token) {
    const code = body.status ?? "";
    // BAD_REFRESH_TOKEN / BAD_AUTH_CODE: the grant is gone; only a reinstall helps.
    const grantGone =
      code === "BAD_REFRESH_TOKEN" || code === "BAD_AUTH_CODE" || code === "BAD_CLIENT_SECRET";
    throw translateCrmError({
      crm: "hubspot",
      status: response.ok ? 502 : response.status,
      message: `token ${form.grant_type} refused (${code || response.status})`,
      ...(grantGone ? { crmCode: "invalid_grant" } : {}),
    });
  }
  return {
    accessToken: body.access_token,
    refreshToken: body.refresh_token,
    expiresAt: new Date(now().getTime() + (body.expires_in ?? 1800) * 1000),
    ...(body.hub_id === undefined ? {} : { hubId: body.hub_id }),
    ...(body.scopes === undefined ? {} : { scopes: body.scopes }),
  };
}

/** The callback's `code` → tokens (with the portal id). */
export function exchangeHubSpotCode(
  config: HubSpotOAuthConfig,
  code: string,
  now: Clock,
): Promise<HubSpotTokens> {
  return requestTokens(
    config,
    { grant_type: "authorization_code", code, redirect_uri: config.redirectUri },
    now,
  );
}

export function refreshHubSpotTokens(
  config: HubSpotOAuthConfig,
  refreshToken: string,
  now: Clock,
): Promise<HubSpotTokens> {
  return requestTokens(config, { grant_type: "refresh_token", refresh_token: refreshToken }, now);
}

/**
 * Installing Handoff into a portal: the consent URL asks for the required scopes and, as optional, those only
 * some portals can grant (teams, the Leads object); the callback's code gives the tokens and the portal id.
 * @example hubSpotInstaller({ clientId, clientSecret, redirectUri: `${PUBLIC_URL}/oauth/hubspot/callback`, now })
 */
export function hubSpotInstaller(
  options: Omit<HubSpotOAuthConfig, "scopes" | "optionalScopes"> & { now: Clock },
): CrmInstaller {
  const { now, ...rest } = options;
  const config: HubSpotOAuthConfig = {
    ...rest,
    scopes: HUBSPOT_REQUIRED_SCOPES,
    optionalScopes: HUBSPOT_OPTIONAL_SCOPES,
  };
  return {
    start: (state) => ({ url: hubspotAuthorizeUrl(config, state) }),
    async finish(code) {
      const tokens = await exchangeHubSpotCode(config, code, now);
      if (tokens.hubId === undefined) {
        throw new AppError("missing_portal", "HubSpot did not say which portal was installed");
      }
      return {
        connection: {
          id: `hubspot-${tokens.hubId}`,
          crm: "hubspot",
          externalId: String(tokens.hubId),
          name: `HubSpot portal ${tokens.hubId}`,
          instanceUrl: config.apiBaseUrl ?? "https://api.hubapi.com",
        },
        tokens,
      };
    },
  };
}

/** What the CRM adapter needs to authenticate: a current token, and a way to get a new one after a 401. */
export interface HubSpotAccess {
  accessToken(): Promise<string>;
  /** Forces a refresh (the API said the token is expired). Absent for static tokens. */
  refresh?(): Promise<void>;
}

/** A fixed token (private apps, the demo connection). */
export function staticHubSpotAccess(token: string): HubSpotAccess {
  return { accessToken: () => Promise.resolve(token) };
}

export interface HubSpotTokenProviderOptions {
  connectionId: string;
  store: HubSpotTokenStore;
  config: HubSpotOAuthConfig;
  /** Refresh this long before expiry (access tokens live 30 min). @default 300_000 (5 min) */
  refreshMarginMs?: number;
  now: Clock;
}

/**
 * Hands out a connection's access token, refreshing it before it expires; concurrent callers share one
 * refresh (single flight), and the new pair is saved before anyone uses it.
 *
 * @example const access = new HubSpotTokenProvider({ connectionId, store, config });
 */
export class HubSpotTokenProvider implements HubSpotAccess {
  private readonly options: HubSpotTokenProviderOptions;
  private readonly now: Clock;
  private readonly margin: number;
  private current: HubSpotTokens | undefined;
  private inflight: Promise<HubSpotTokens> | undefined;
  /** Refreshes done, for tests and metrics. */
  refreshes = 0;

  constructor(options: HubSpotTokenProviderOptions) {
    this.options = options;
    this.now = options.now;
    this.margin = options.refreshMarginMs ?? 300_000;
    if (!Number.isFinite(this.margin) || this.margin < 0) {
      throw new RangeError(`Expected \`refreshMarginMs\` to be ≥ 0, got \`${this.margin}\``);
    }
  }

  async accessToken(): Promise<string> {
    const tokens = this.current ?? (await this.load());
    if (tokens.expiresAt.getTime() - this.margin > this.now().getTime()) return tokens.accessToken;
    return (await this.refreshOnce(tokens.accessToken)).accessToken;
  }

  async refresh(): Promise<void> {
    const tokens = this.current ?? (await this.load());
    await this.refreshOnce(tokens.accessToken);
  }

  private async load(): Promise<HubSpotTokens> {
    const tokens = await this.options.store.load(this.options.connectionId);
    if (!tokens) {
      throw translateCrmError({
        crm: "hubspot",
        status: 401,
        message: `no tokens stored for connection ${this.options.connectionId}`,
      });
    }
    this.current = tokens;
    return tokens;
  }

  /** Refreshes unless another caller already replaced the token `stale`. */
  private refreshOnce(stale: string): Promise<HubSpotTokens> {
    if (this.current && this.current.accessToken !== stale) return Promise.resolve(this.current);
    this.inflight ??= (async () => {
      try {
        const old = this.current ?? (await this.load());
        const fresh = await refreshHubSpotTokens(this.options.config, old.refreshToken, this.now);
        await this.options.store.save(this.options.connectionId, fresh);
        this.current = fresh;
        this.refreshes += 1;
        return fresh;
      } finally {
        this.inflight = undefined;
      }
    })();
    return this.inflight;
  }
}
