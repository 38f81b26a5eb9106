import type { Pool } from "pg";
import type { AuditEntry, AuditLog } from "../../ports/audit-log";

/** The audit log in PostgreSQL (`audit_log`, pruned by RETENTION_AUDIT_DAYS). */
export class PostgresAuditLog implements AuditLog {
  constructor(private readonly pool: Pool) {}

  async record(entry: AuditEntry): Promise<void> {
    await this.pool.query(
      "INSERT INTO audit_log (connection_id, actor, action, subject, details) VALUES ($1, $2, $3, $4, $5)",
      [entry.connectionId, entry.actor, entry.action, entry.subject ?? null, entry.details ?? {}],
    );
  }
}
