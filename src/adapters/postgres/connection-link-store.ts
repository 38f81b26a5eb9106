import type { Pool } from "pg";
import type {
  ConnectionLink,
  ConnectionLinkStore,
  NewConnectionLink,
  SyncedRecord,
} from "../../ports/connection-links";

interface LinkRow {
  marketing_connection_id: string;
  sales_connection_id: string;
  integration_user_id: string;
  linked_by: string;
  linked_at: Date;
}

interface RecordRow {
  marketing_connection_id: string;
  contact_id: string;
  sales_connection_id: string;
  sales_lead_id: string;
}

const LINK_COLUMNS =
  "marketing_connection_id, sales_connection_id, integration_user_id, linked_by, linked_at";
const RECORD_COLUMNS = "marketing_connection_id, contact_id, sales_connection_id, sales_lead_id";

function toLink(r: LinkRow): ConnectionLink {
  return {
    marketingConnectionId: r.marketing_connection_id,
    salesConnectionId: r.sales_connection_id,
    integrationUserId: r.integration_user_id,
    linkedBy: r.linked_by,
    linkedAt: r.linked_at.toISOString(),
  };
}

function toRecord(r: RecordRow): SyncedRecord {
  return {
    marketingConnectionId: r.marketing_connection_id,
    contactId: r.contact_id,
    salesConnectionId: r.sales_connection_id,
    salesLeadId: r.sales_lead_id,
  };
}

/** Synced pairs (`connection_links`) and which contact each synced lead is (`synced_records`). */
export class PostgresConnectionLinkStore implements ConnectionLinkStore {
  constructor(private readonly pool: Pool) {}

  async link(link: NewConnectionLink, at: Date): Promise<ConnectionLink> {
    const r = await this.pool.query<LinkRow>(
      `INSERT INTO connection_links (${LINK_COLUMNS}) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (marketing_connection_id) DO UPDATE
       SET sales_connection_id = EXCLUDED.sales_connection_id,
           integration_user_id = EXCLUDED.integration_user_id,
           linked_by = EXCLUDED.linked_by, linked_at = EXCLUDED.linked_at
       RETURNING ${LINK_COLUMNS}`,
      [link.marketingConnectionId, link.salesConnectionId, link.integrationUserId, link.linkedBy, at],
    );
    return toLink(r.rows[0]!);
  }

  async unlink(marketingConnectionId: string): Promise<boolean> {
    const r = await this.pool.query("DELETE FROM connection_links WHERE marketing_connection_id = $1", [
      marketingConnectionId,
    ]);
    return (r.rowCount ?? 0) > 0;
  }

  async list(): Promise<ConnectionLink[]> {
    const r = await this.pool.query<LinkRow>(
      `SELECT ${LINK_COLUMNS} FROM connection_links ORDER BY marketing_connection_id`,
    );
    return r.rows.map(toLink);
  }

  async ofConnection(connectionId: string): Promise<ConnectionLink | null> {
    const r = await this.pool.query<LinkRow>(
      `SELECT ${LINK_COLUMNS} FROM connection_links
       WHERE marketing_connection_id = $1 OR sales_connection_id = $1`,
      [connectionId],
    );
    return r.rows[0] ? toLink(r.rows[0]) : null;
  }

  async rememberSynced(record: SyncedRecord, at: Date): Promise<void> {
    // A contact re-synced to another lead (the first one deleted or merged in Salesforce) moves its row.
    await this.pool.query(
      `DELETE FROM synced_records WHERE marketing_connection_id = $1 AND contact_id = $2
       AND (sales_connection_id, sales_lead_id) <> ($3, $4)`,
      [record.marketingConnectionId, record.contactId, record.salesConnectionId, record.salesLeadId],
    );
    await this.pool.query(
      `INSERT INTO synced_records (${RECORD_COLUMNS}, seen_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (sales_connection_id, sales_lead_id) DO UPDATE
       SET marketing_connection_id = EXCLUDED.marketing_connection_id, contact_id = EXCLUDED.contact_id,
           seen_at = EXCLUDED.seen_at`,
      [record.marketingConnectionId, record.contactId, record.salesConnectionId, record.salesLeadId, at],
    );
  }

  async contactOf(salesConnectionId: string, salesLeadId: string): Promise<SyncedRecord | null> {
    const r = await this.pool.query<RecordRow>(
      `SELECT ${RECORD_COLUMNS} FROM synced_records WHERE sales_connection_id = $1 AND sales_lead_id = $2`,
      [salesConnectionId, salesLeadId],
    );
    return r.rows[0] ? toRecord(r.rows[0]) : null;
  }

  async salesLeadOf(marketingConnectionId: string, contactId: string): Promise<SyncedRecord | null> {
    const r = await this.pool.query<RecordRow>(
      `SELECT ${RECORD_COLUMNS} FROM synced_records WHERE marketing_connection_id = $1 AND contact_id = $2`,
      [marketingConnectionId, contactId],
    );
    return r.rows[0] ? toRecord(r.rows[0]) : null;
  }

  async forgetContact(marketingConnectionId: string, contactId: string): Promise<void> {
    await this.pool.query(
      "DELETE FROM synced_records WHERE marketing_connection_id = $1 AND contact_id = $2",
      [marketingConnectionId, contactId],
    );
  }
}
