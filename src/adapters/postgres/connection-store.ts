import { randomBytes } from "node:crypto";
import type { Pool } from "pg";
import type { Crm } from "../../domain/lead";
import type { Connection, ConnectionStore, NewConnection, OAuthTokens } from "../../ports/connections";
import type { TokenCipher } from "../crypto/token-cipher";

interface Row {
  id: string;
  crm: Crm;
  external_id: string;
  name: string;
  status: "active" | "disconnected";
  instance_url: string | null;
  webhook_token: string | null;
  token_expires_at: Date | null;
  settings: Record<string, unknown>;
}

const COLUMNS = "id, crm, external_id, name, status, instance_url, webhook_token, token_expires_at, settings";

/** Encrypted values are `<keyId>:<iv>:<tag>:<ciphertext>`; a random path token never has a colon. */
const isSealed = (value: string) => value.includes(":");

function toConnection(r: Row, cipher: TokenCipher): Connection {
  return {
    id: r.id,
    crm: r.crm,
    externalId: r.external_id,
    name: r.name,
    status: r.status,
    instanceUrl: r.instance_url,
    webhookToken:
      r.webhook_token === null || !isSealed(r.webhook_token)
        ? r.webhook_token
        : cipher.decrypt(r.webhook_token),
    tokenExpiresAt: r.token_expires_at,
    settings: r.settings,
  };
}

/**
 * Installed HubSpot portals and Salesforce orgs. Tokens go in and out only through the cipher: the table
 * holds ciphertext.
 */
export class PostgresConnectionStore implements ConnectionStore {
  constructor(
    private readonly pool: Pool,
    private readonly cipher: TokenCipher,
  ) {}

  async get(id: string): Promise<Connection | null> {
    const r = await this.pool.query<Row>(`SELECT ${COLUMNS} FROM connections WHERE id = $1`, [id]);
    return r.rows[0] ? toConnection(r.rows[0], this.cipher) : null;
  }

  async findByExternalId(crm: Crm, externalId: string): Promise<Connection | null> {
    const r = await this.pool.query<Row>(
      `SELECT ${COLUMNS} FROM connections WHERE crm = $1 AND external_id = $2`,
      [crm, externalId],
    );
    return r.rows[0] ? toConnection(r.rows[0], this.cipher) : null;
  }

  async list(): Promise<Connection[]> {
    const r = await this.pool.query<Row>(`SELECT ${COLUMNS} FROM connections ORDER BY id`);
    return r.rows.map((row) => toConnection(row, this.cipher));
  }

  /** Creates or updates a connection; a new one gets a random webhook path token. */
  async upsert(input: NewConnection): Promise<Connection> {
    const r = await this.pool.query<Row>(
      `INSERT INTO connections (id, crm, external_id, name, instance_url, webhook_token, settings)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, instance_url = EXCLUDED.instance_url,
         status = 'active', settings = connections.settings || EXCLUDED.settings, updated_at = now()
       RETURNING ${COLUMNS}`,
      [
        input.id,
        input.crm,
        input.externalId,
        input.name,
        input.instanceUrl ?? null,
        this.cipher.encrypt(input.webhookToken ?? randomBytes(24).toString("base64url")),
        input.settings ?? {},
      ],
    );
    return toConnection(r.rows[0]!, this.cipher);
  }

  /**
   * Encrypts Salesforce webhook path tokens stored in plain text by earlier versions (run at start).
   * @returns how many were encrypted
   */
  async sealWebhookTokens(): Promise<number> {
    const r = await this.pool.query<{ id: string; webhook_token: string }>(
      "SELECT id, webhook_token FROM connections WHERE webhook_token IS NOT NULL AND position(':' in webhook_token) = 0",
    );
    for (const row of r.rows) {
      await this.pool.query(
        "UPDATE connections SET webhook_token = $2 WHERE id = $1 AND webhook_token = $3",
        [row.id, this.cipher.encrypt(row.webhook_token), row.webhook_token],
      );
    }
    return r.rows.length;
  }

  async saveTokens(id: string, tokens: OAuthTokens): Promise<void> {
    await this.pool.query(
      `UPDATE connections SET access_token_enc = $2,
         refresh_token_enc = COALESCE($3, refresh_token_enc), token_expires_at = $4, status = 'active', updated_at = now()
       WHERE id = $1`,
      [
        id,
        this.cipher.encrypt(tokens.accessToken),
        tokens.refreshToken ? this.cipher.encrypt(tokens.refreshToken) : null,
        tokens.expiresAt ?? null,
      ],
    );
  }

  async getTokens(id: string): Promise<OAuthTokens | null> {
    const r = await this.pool.query<{
      access_token_enc: string | null;
      refresh_token_enc: string | null;
      token_expires_at: Date | null;
    }>("SELECT access_token_enc, refresh_token_enc, token_expires_at FROM connections WHERE id = $1", [id]);
    const row = r.rows[0];
    if (!row?.access_token_enc) return null;
    const tokens: OAuthTokens = { accessToken: this.cipher.decrypt(row.access_token_enc) };
    if (row.refresh_token_enc) tokens.refreshToken = this.cipher.decrypt(row.refresh_token_enc);
    if (row.token_expires_at) tokens.expiresAt = row.token_expires_at;
    return tokens;
  }

  /** Notification settings hold secrets (Slack hook URL, bot token, SMTP password): stored encrypted. */
  async saveNotificationSettings(id: string, settings: unknown): Promise<void> {
    await this.pool.query(
      `UPDATE connections SET settings = settings || jsonb_build_object('notifications', $2::text), updated_at = now()
       WHERE id = $1`,
      [id, this.cipher.encrypt(JSON.stringify(settings))],
    );
  }

  async getNotificationSettings(id: string): Promise<unknown> {
    const r = await this.pool.query<{ enc: string | null }>(
      "SELECT settings->>'notifications' AS enc FROM connections WHERE id = $1",
      [id],
    );
    const enc = r.rows[0]?.enc;
    return enc ? (JSON.parse(this.cipher.decrypt(enc)) as unknown) : {};
  }

  /** Uninstall/disconnect: the tokens are removed, history stays. */
  async disconnect(id: string): Promise<void> {
    await this.pool.query(
      `UPDATE connections SET access_token_enc = NULL, refresh_token_enc = NULL, token_expires_at = NULL,
         status = 'disconnected', updated_at = now() WHERE id = $1`,
      [id],
    );
  }
}
