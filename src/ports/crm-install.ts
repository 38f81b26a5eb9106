import type { NewConnection, OAuthTokens } from "./connections";

/** What an install connected: the connection to store and its tokens (encrypted by the store). */
export interface InstalledConnection {
  connection: NewConnection;
  tokens: OAuthTokens;
}

/**
 * Installing Handoff into one CRM by OAuth, in the CRM's own words (its authorize URL and scopes, the code
 * exchange, which portal or org was installed): the install routes only handle HTTP around it.
 */
export interface CrmInstaller {
  /**
   * Where the admin's browser goes to consent, for a `state` the caller signed and checks on the callback.
   * `verifier` (PKCE, where the CRM takes one) is kept by the caller until the callback.
   */
  start(state: string): { url: string; verifier?: string };
  /** The callback's `code` (and the PKCE `verifier` from `start`) → the installed connection and its tokens. */
  finish(code: string, verifier?: string): Promise<InstalledConnection>;
}
