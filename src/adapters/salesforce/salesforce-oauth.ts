import { createHash, randomBytes } from "node:crypto";
import { OAuth2 } from "jsforce";
import { OUTBOUND_TIMEOUT_MS, withTimeout } from "../outbound-timeout";
import { AppError } from "../../domain/errors";
import { translateCrmError } from "../crm-errors";
import type { CrmInstaller } from "../../ports/crm-install";

/** What Handoff keeps per Salesforce connection (encrypted at rest by the store). */
export interface SalesforceTokens {
  accessToken: string;
  /** Absent for flows without one (JWT bearer). */
  refreshToken?: string;
  /** The org's My Domain URL from the token response; every REST call goes there. */
  instanceUrl: string;
  /** Epoch ms the access token was issued (Salesforce sends no expiry: a 401 tells). */
  issuedAt?: number;
}

/**
 * Where tokens live. The connections repository implements it over the encrypted `connections` table;
 * tests use an in-memory map. `save` is called after every refresh, so the next process starts warm.
 */
export interface SalesforceTokenStore {
  load(connectionId: string): Promise<SalesforceTokens | null>;
  save(connectionId: string, tokens: SalesforceTokens): Promise<void>;
}

export interface SalesforceOAuthConfig {
  /** The External Client App's consumer key. */
  clientId: string;
  clientSecret: string;
  /** Handoff's callback, e.g. `${PUBLIC_URL}/oauth/salesforce/callback`. */
  redirectUri: string;
  /** @default "https://login.salesforce.com" (use https://test.salesforce.com for sandboxes, or the CRM sandbox URL) */
  loginUrl?: string;
  /** @default "api refresh_token" */
  scope?: string;
}

export interface SalesforceInstall {
  tokens: SalesforceTokens;
  /** 18-char org id (`00D…`): the connection's external id, checked on every outbound message. */
  organizationId: string;
  /** The installing user (`005…`). */
  userId: string;
}

function oauth2(config: SalesforceOAuthConfig): OAuth2 {
  if (!config.clientId || !config.clientSecret || !config.redirectUri) {
    // No client to refresh with: the connection cannot get a new session until the app is configured.
    throw translateCrmError({
      crm: "salesforce",
      status: 401,
      message:
        "OAuth client not configured (SALESFORCE_CLIENT_ID, SALESFORCE_CLIENT_SECRET and the redirect URI)",
    });
  }
  return new OAuth2({
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    redirectUri: config.redirectUri,
    loginUrl: config.loginUrl ?? "https://login.salesforce.com",
  });
}

/** PKCE pair: keep `verifier` with the signed `state` until the callback. */
export function createSalesforcePkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(48).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

/**
 * Step 1 of the web-server flow: where `GET /install/salesforce` redirects the admin.
 * @example salesforceAuthorizeUrl(config, { state, codeChallenge: pkce.challenge })
 */
export function salesforceAuthorizeUrl(
  config: SalesforceOAuthConfig,
  params: { state: string; codeChallenge?: string },
): string {
  return oauth2(config).getAuthorizationUrl({
    scope: config.scope ?? "api refresh_token",
    state: params.state,
    ...(params.codeChallenge ? { code_challenge: params.codeChallenge } : {}),
  });
}

interface TokenResponse {
  access_token?: unknown;
  refresh_token?: unknown;
  instance_url?: unknown;
  id?: unknown;
  issued_at?: unknown;
}

function oauthFailure(err: unknown, what: string): Error {
  if (err instanceof AppError) return err;
  const code = err instanceof Error ? err.name : undefined;
  const oauthCode = code && /^[a-z_]+$/.test(code) ? code : undefined;
  return translateCrmError({
    crm: "salesforce",
    status: oauthCode === undefined ? undefined : oauthCode.startsWith("invalid_client") ? 401 : 400,
    message: `${what} refused${oauthCode ? ` (${oauthCode})` : ""}`,
    ...(oauthCode ? { crmCode: oauthCode } : {}),
    cause: err,
  });
}

function parseTokens(res: TokenResponse, refreshToken: string | undefined): SalesforceTokens {
  if (typeof res.access_token !== "string" || typeof res.instance_url !== "string") {
    throw translateCrmError({
      crm: "salesforce",
      status: 502,
      message: "token response without access_token/instance_url",
    });
  }
  const issuedAt = Number(res.issued_at);
  return {
    accessToken: res.access_token,
    instanceUrl: res.instance_url,
    ...(refreshToken ? { refreshToken } : {}),
    ...(Number.isFinite(issuedAt) ? { issuedAt } : {}),
  };
}

/** Step 2: the callback's `code` → tokens, org id and user id (from the identity URL `…/id/<org>/<user>`). */
export async function exchangeSalesforceCode(
  config: SalesforceOAuthConfig,
  code: string,
  codeVerifier?: string,
): Promise<SalesforceInstall> {
  let res: TokenResponse;
  try {
    res = (await withTimeout(
      oauth2(config).requestToken(code, codeVerifier ? { code_verifier: codeVerifier } : {}),
      OUTBOUND_TIMEOUT_MS,
      "Salesforce token endpoint",
    )) as TokenResponse;
  } catch (err) {
    throw oauthFailure(err, "authorization code exchange");
  }
  const refreshToken = typeof res.refresh_token === "string" ? res.refresh_token : undefined;
  const tokens = parseTokens(res, refreshToken);
  const idParts = typeof res.id === "string" ? res.id.split("/") : [];
  const userId = idParts.at(-1) ?? "";
  const organizationId = idParts.at(-2) ?? "";
  if (!/^00D[a-zA-Z0-9]{15}$/.test(organizationId)) {
    throw translateCrmError({
      crm: "salesforce",
      status: 502,
      message: "token response without an org identity URL",
    });
  }
  return { tokens, organizationId, userId };
}

/**
 * Installing Handoff into an org by the web-server flow with PKCE: the consent URL carries the challenge, the
 * callback's code and the verifier give the tokens and, from the identity URL, the org.
 * @example salesforceInstaller({ clientId, clientSecret, redirectUri: `${PUBLIC_URL}/oauth/salesforce/callback` })
 */
export function salesforceInstaller(config: SalesforceOAuthConfig): CrmInstaller {
  return {
    start(state) {
      const pkce = createSalesforcePkce();
      return {
        url: salesforceAuthorizeUrl(config, { state, codeChallenge: pkce.challenge }),
        verifier: pkce.verifier,
      };
    },
    async finish(code, verifier) {
      const install = await exchangeSalesforceCode(config, code, verifier);
      return {
        connection: {
          id: `salesforce-${install.organizationId}`,
          crm: "salesforce",
          externalId: install.organizationId,
          name: `Salesforce org ${install.organizationId}`,
          instanceUrl: install.tokens.instanceUrl,
        },
        tokens: {
          accessToken: install.tokens.accessToken,
          ...(install.tokens.refreshToken ? { refreshToken: install.tokens.refreshToken } : {}),
        },
      };
    },
  };
}

/** A new access token from the refresh token. A revoked/expired refresh token → CrmAuthError. */
export async function refreshSalesforceAccessToken(
  config: SalesforceOAuthConfig,
  refreshToken: string,
): Promise<SalesforceTokens> {
  let res: TokenResponse;
  try {
    // jsforce's OAuth2 takes no timeout (its own cut-off is 30 minutes): abandon the call instead.
    res = (await withTimeout(
      oauth2(config).refreshToken(refreshToken),
      OUTBOUND_TIMEOUT_MS,
      "Salesforce token endpoint",
    )) as TokenResponse;
  } catch (err) {
    throw oauthFailure(err, "token refresh");
  }
  // Salesforce does not rotate refresh tokens on refresh: keep the one we have.
  const next = typeof res.refresh_token === "string" ? res.refresh_token : refreshToken;
  return parseTokens(res, next);
}

/** Disconnect: revoke the refresh token (which also ends its sessions). */
export async function revokeSalesforceToken(config: SalesforceOAuthConfig, token: string): Promise<void> {
  try {
    await oauth2(config).revokeToken(token);
  } catch (err) {
    throw oauthFailure(err, "token revocation");
  }
}

/** The current tokens of one connection, refreshed at most once per stale token however many callers ask. */
export interface SalesforceSession {
  current(): Promise<SalesforceTokens>;
  /** Refreshes unless `staleAccessToken` was already replaced; resolves to the tokens to retry with. */
  refresh(staleAccessToken: string): Promise<SalesforceTokens>;
}

export function createSalesforceSession(options: {
  connectionId: string;
  config: SalesforceOAuthConfig;
  store: SalesforceTokenStore;
}): SalesforceSession {
  const { connectionId, config, store } = options;
  let tokens: SalesforceTokens | undefined;
  let inflight: Promise<SalesforceTokens> | undefined;

  const current = async (): Promise<SalesforceTokens> => {
    if (tokens) return tokens;
    const loaded = await store.load(connectionId);
    if (!loaded) {
      throw translateCrmError({
        crm: "salesforce",
        status: 401,
        message: `no tokens stored for connection ${connectionId}`,
      });
    }
    tokens = loaded;
    return loaded;
  };

  const refresh = async (staleAccessToken: string): Promise<SalesforceTokens> => {
    const now = await current();
    if (now.accessToken !== staleAccessToken) return now;
    if (!inflight) {
      inflight = (async () => {
        if (!now.refreshToken) {
          throw translateCrmError({
            crm: "salesforce",
            status: 401,
            message: `session expired and connection ${connectionId} has no refresh token`,
          });
        }
        const next = await refreshSalesforceAccessToken(config, now.refreshToken);
        await store.save(connectionId, next);
        tokens = next;
        return next;
      })().finally(() => {
        inflight = undefined;
      });
    }
    return inflight;
  };

  return { current, refresh };
}
