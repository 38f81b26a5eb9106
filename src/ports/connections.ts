import type { Crm } from "../domain/lead";

/** One installed HubSpot portal or Salesforce org. */
export interface Connection {
  id: string;
  crm: Crm;
  externalId: string;
  name: string;
  status: "active" | "disconnected";
  instanceUrl: string | null;
  webhookToken: string | null;
  tokenExpiresAt: Date | null;
  settings: Record<string, unknown>;
}

export interface OAuthTokens {
  accessToken: string;
  refreshToken?: string;
  expiresAt?: Date;
}

export interface NewConnection {
  id: string;
  crm: Crm;
  externalId: string;
  name: string;
  instanceUrl?: string | null;
  webhookToken?: string;
  settings?: Record<string, unknown>;
}

/**
 * Installed portals and orgs with their OAuth tokens and notification settings. Implementations keep tokens
 * and notification secrets encrypted at rest.
 */
export interface ConnectionStore {
  get(id: string): Promise<Connection | null>;
  findByExternalId(crm: Crm, externalId: string): Promise<Connection | null>;
  list(): Promise<Connection[]>;
  /** Creates or updates a connection; a new one gets a random webhook path token. */
  upsert(input: NewConnection): Promise<Connection>;
  saveTokens(id: string, tokens: OAuthTokens): Promise<void>;
  getTokens(id: string): Promise<OAuthTokens | null>;
  saveNotificationSettings(id: string, settings: unknown): Promise<void>;
  getNotificationSettings(id: string): Promise<unknown>;
  /** Uninstall/disconnect: the tokens are removed, history stays. */
  disconnect(id: string): Promise<void>;
}

/**
 * Which connections exist and what each runs on, without any secret: what a CLI command needs to pick a
 * connection and find its SLA file, without the encryption key.
 */
export interface ConnectionDirectory {
  /** Every connection id, sorted. */
  ids(): Promise<string[]>;
  get(id: string): Promise<Pick<Connection, "crm" | "settings"> | null>;
}
