import { randomBytes } from "node:crypto";
import type { Crm } from "../../../src/domain/lead";
import type { Connection, ConnectionStore, NewConnection, OAuthTokens } from "../../../src/ports/connections";

/** ConnectionStore in memory: same rules as the PostgreSQL store, nothing encrypted (nothing leaves the test). */
export class MemoryConnectionStore implements ConnectionStore {
  private readonly rows = new Map<string, Connection>();
  private readonly tokens = new Map<string, OAuthTokens>();
  private readonly notifications = new Map<string, unknown>();

  async get(id: string): Promise<Connection | null> {
    return this.copy(this.rows.get(id));
  }

  async findByExternalId(crm: Crm, externalId: string): Promise<Connection | null> {
    return this.copy([...this.rows.values()].find((c) => c.crm === crm && c.externalId === externalId));
  }

  async list(): Promise<Connection[]> {
    return [...this.rows.values()].sort((a, b) => (a.id < b.id ? -1 : 1)).map((c) => ({ ...c }));
  }

  async upsert(input: NewConnection): Promise<Connection> {
    const old = this.rows.get(input.id);
    const row: Connection = {
      id: input.id,
      crm: old?.crm ?? input.crm,
      externalId: old?.externalId ?? input.externalId,
      name: input.name,
      status: "active",
      instanceUrl: input.instanceUrl ?? null,
      webhookToken: old?.webhookToken ?? input.webhookToken ?? randomBytes(24).toString("base64url"),
      tokenExpiresAt: old?.tokenExpiresAt ?? null,
      settings: { ...old?.settings, ...input.settings },
    };
    this.rows.set(input.id, row);
    return { ...row };
  }

  async saveTokens(id: string, tokens: OAuthTokens): Promise<void> {
    const row = this.rows.get(id);
    if (!row) return;
    const refreshToken = tokens.refreshToken ?? this.tokens.get(id)?.refreshToken;
    this.tokens.set(id, {
      accessToken: tokens.accessToken,
      ...(refreshToken ? { refreshToken } : {}),
      ...(tokens.expiresAt ? { expiresAt: tokens.expiresAt } : {}),
    });
    this.rows.set(id, { ...row, status: "active", tokenExpiresAt: tokens.expiresAt ?? null });
  }

  async getTokens(id: string): Promise<OAuthTokens | null> {
    const t = this.tokens.get(id);
    return t ? { ...t } : null;
  }

  async saveNotificationSettings(id: string, settings: unknown): Promise<void> {
    if (this.rows.has(id)) this.notifications.set(id, structuredClone(settings));
  }

  async getNotificationSettings(id: string): Promise<unknown> {
    return structuredClone(this.notifications.get(id) ?? {});
  }

  async disconnect(id: string): Promise<void> {
    const row = this.rows.get(id);
    if (!row) return;
    this.tokens.delete(id);
    this.rows.set(id, { ...row, status: "disconnected", tokenExpiresAt: null });
  }

  private copy(c: Connection | undefined): Connection | null {
    return c ? { ...c, settings: { ...c.settings } } : null;
  }
}
