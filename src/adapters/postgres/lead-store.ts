import type { Pool } from "pg";
import { AppError } from "../../domain/errors";
import type { HandoffCardInput } from "../../domain/handoff-card";
import type { Activity, Stage } from "../../domain/lead";
import type { LifecycleEvent } from "../../domain/lifecycle";
import { toActivity, type ActivityRow } from "./activity-rows";
import { inTransaction } from "./transaction";
import type {
  HandoffFeedback,
  ConversionRecord,
  LeadState,
  LeadStateChange,
  HandoffRecord,
  NewHandoff,
  LeadStore,
} from "../../ports/leads";
import type { HandoffRow } from "./handoff-row";

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function toHandoff(r: HandoffRow): HandoffRecord {
  return {
    id: r.id,
    connectionId: r.connection_id,
    leadId: r.lead_id,
    eventKey: r.event_key,
    ownerId: r.owner_id,
    repKey: r.rep_key,
    method: r.method,
    taskId: r.task_id,
    startedAt: r.started_at.toISOString(),
    dueAt: r.due_at.toISOString(),
    firstTouchAt: iso(r.first_touch_at),
    status: r.status,
    rejectReason: r.reject_reason,
    feedbackNote: r.feedback_note ?? null,
    feedbackAt: iso(r.feedback_at),
    slaHash: r.sla_hash,
    score: r.score,
    source: r.source,
    cardInput: r.card_input,
    createdAt: r.created_at.toISOString(),
  };
}

interface ConversionRow {
  connection_id: string;
  lead_id: string;
  handoff_id: string | null;
  converted_on: string;
  contact_id: string | null;
  account_id: string | null;
  opportunity_id: string | null;
  handoff_owner_id: string | null;
  converted_owner_id: string | null;
  owner_changed: boolean;
  recorded_at: Date;
}

function toConversionRecord(r: ConversionRow): ConversionRecord {
  return {
    connectionId: r.connection_id,
    leadId: r.lead_id,
    handoffId: r.handoff_id,
    convertedOn: r.converted_on,
    contactId: r.contact_id,
    accountId: r.account_id,
    opportunityId: r.opportunity_id,
    handoffOwnerId: r.handoff_owner_id,
    convertedOwnerId: r.converted_owner_id,
    ownerChanged: r.owner_changed,
    recordedAt: r.recorded_at.toISOString(),
  };
}

const CONVERSION_COLUMNS = `connection_id, lead_id, handoff_id, to_char(converted_on, 'YYYY-MM-DD') AS converted_on,
  contact_id, account_id, opportunity_id, handoff_owner_id, converted_owner_id, owner_changed, recorded_at`;

/**
 * What the pipeline remembers per lead: stage and history, handoffs (task, clock, feedback, card) and the
 * notification ledger. Every method takes the connection id first; nothing crosses connections.
 */
export class PostgresLeadStore implements LeadStore {
  constructor(private readonly pool: Pool) {}

  async getState(connectionId: string, leadId: string): Promise<LeadState | null> {
    const r = await this.pool.query<{ stage: Stage; last_event_at: Date | null; merged_into: string | null }>(
      "SELECT stage, last_event_at, merged_into FROM lead_state WHERE connection_id = $1 AND lead_id = $2",
      [connectionId, leadId],
    );
    const row = r.rows[0];
    return row
      ? { stage: row.stage, lastEventAt: iso(row.last_event_at), mergedInto: row.merged_into }
      : null;
  }

  async saveState(connectionId: string, leadId: string, state: LeadStateChange): Promise<void> {
    await this.pool.query(
      `INSERT INTO lead_state (connection_id, lead_id, stage, fit, engagement, total, held_reason, last_event_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (connection_id, lead_id) DO UPDATE SET stage = EXCLUDED.stage, fit = EXCLUDED.fit,
         engagement = EXCLUDED.engagement, total = EXCLUDED.total, held_reason = EXCLUDED.held_reason,
         last_event_at = GREATEST(lead_state.last_event_at, EXCLUDED.last_event_at), updated_at = now()`,
      [
        connectionId,
        leadId,
        state.stage,
        state.fit,
        state.engagement,
        state.total,
        state.heldReason,
        state.eventAt,
      ],
    );
  }

  async history(connectionId: string, leadId: string): Promise<LifecycleEvent[]> {
    const r = await this.pool.query<{
      type: LifecycleEvent["type"];
      stage: Stage | null;
      reason: string | null;
      by: string | null;
      actor: string | null;
      at: Date;
    }>(
      "SELECT type, stage, reason, by, actor, at FROM lifecycle_events WHERE connection_id = $1 AND lead_id = $2 ORDER BY at, id",
      [connectionId, leadId],
    );
    return r.rows.map((row): LifecycleEvent => {
      const at = row.at.toISOString();
      if (row.type === "rejected") return { type: "rejected", at, reason: row.reason ?? "unspecified" };
      if (row.type === "accepted") return { type: "accepted", at };
      const e: LifecycleEvent = {
        type: "stage_set",
        stage: row.stage ?? "lead",
        at,
        by: row.by === "person" ? "person" : "handoff",
      };
      if (row.actor) e.actor = row.actor;
      return e;
    });
  }

  /** Appends to the lead's history once per event (a redelivery adds nothing). */
  async addLifecycle(
    connectionId: string,
    leadId: string,
    event: LifecycleEvent,
    eventKey: string | null,
  ): Promise<void> {
    await this.pool.query(
      `INSERT INTO lifecycle_events (connection_id, lead_id, type, stage, reason, by, actor, at, event_key)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`,
      [
        connectionId,
        leadId,
        event.type,
        event.type === "stage_set" ? event.stage : null,
        event.type === "rejected" ? event.reason : null,
        event.type === "stage_set" ? event.by : (event.by ?? null),
        event.type === "stage_set" ? (event.actor ?? null) : null,
        event.at,
        eventKey,
      ],
    );
  }

  /** Creates the handoff once per (event, lead); a retry gets the first one back. */
  async createHandoff(h: NewHandoff): Promise<HandoffRecord> {
    await this.pool.query(
      `INSERT INTO handoffs (id, connection_id, lead_id, event_key, owner_id, rep_key, method, started_at, due_at,
         sla_hash, score, source, card_input)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
       ON CONFLICT DO NOTHING`,
      [
        h.id,
        h.connectionId,
        h.leadId,
        h.eventKey,
        h.ownerId,
        h.repKey,
        h.method,
        h.startedAt,
        h.dueAt,
        h.slaHash,
        JSON.stringify(h.score),
        JSON.stringify(h.source),
        JSON.stringify(h.cardInput),
      ],
    );
    const existing = await this.handoffByEvent(h.connectionId, h.eventKey, h.leadId);
    if (existing) return existing;
    // Another event of this lead opened its handoff first (handoffs_one_open): that one stands.
    const open = await this.latestHandoff(h.connectionId, h.leadId);
    if (open?.status === "open") return open;
    throw new AppError("handoff_conflict", `could not open a handoff for lead ${h.leadId}`, {
      retryable: true,
      hint: "Another event of this lead was handled at the same moment; the retry resolves it.",
    });
  }

  async handoffByEvent(
    connectionId: string,
    eventKey: string,
    leadId: string,
  ): Promise<HandoffRecord | null> {
    const r = await this.pool.query<HandoffRow>(
      "SELECT * FROM handoffs WHERE connection_id = $1 AND event_key = $2 AND lead_id = $3",
      [connectionId, eventKey, leadId],
    );
    return r.rows[0] ? toHandoff(r.rows[0]) : null;
  }

  async getHandoff(connectionId: string, id: string): Promise<HandoffRecord | null> {
    const r = await this.pool.query<HandoffRow>(
      "SELECT * FROM handoffs WHERE connection_id = $1 AND id = $2",
      [connectionId, id],
    );
    return r.rows[0] ? toHandoff(r.rows[0]) : null;
  }

  /** The lead's newest handoff (open or not). */
  async latestHandoff(connectionId: string, leadId: string): Promise<HandoffRecord | null> {
    const r = await this.pool.query<HandoffRow>(
      "SELECT * FROM handoffs WHERE connection_id = $1 AND lead_id = $2 ORDER BY created_at DESC, id DESC LIMIT 1",
      [connectionId, leadId],
    );
    return r.rows[0] ? toHandoff(r.rows[0]) : null;
  }

  async setTask(connectionId: string, handoffId: string, taskId: string): Promise<void> {
    await this.pool.query("UPDATE handoffs SET task_id = $3 WHERE connection_id = $1 AND id = $2", [
      connectionId,
      handoffId,
      taskId,
    ]);
  }

  async updateCardInput(connectionId: string, handoffId: string, cardInput: HandoffCardInput): Promise<void> {
    await this.pool.query("UPDATE handoffs SET card_input = $3 WHERE connection_id = $1 AND id = $2", [
      connectionId,
      handoffId,
      JSON.stringify(cardInput),
    ]);
  }

  /** Records accept/reject once: returns false when the handoff already has feedback or is not open. */
  async setFeedback(connectionId: string, handoffId: string, feedback: HandoffFeedback): Promise<boolean> {
    const { status, reason, at, note = null } = feedback;
    const r = await this.pool.query(
      `UPDATE handoffs SET status = $3, reject_reason = $4, feedback_at = $5, feedback_note = $6
       WHERE connection_id = $1 AND id = $2 AND status = 'open'`,
      [connectionId, handoffId, status, reason, at, note],
    );
    return r.rowCount === 1;
  }

  async markFirstTouch(connectionId: string, handoffId: string, at: string): Promise<void> {
    await this.pool.query(
      "UPDATE handoffs SET first_touch_at = COALESCE(first_touch_at, $3) WHERE connection_id = $1 AND id = $2",
      [connectionId, handoffId, at],
    );
  }

  /** Records a conversion once per lead; a second call (redelivery, reconcile) returns the first record. */
  async recordConversion(c: Omit<ConversionRecord, "recordedAt">, at: string): Promise<ConversionRecord> {
    await this.pool.query(
      `INSERT INTO lead_conversions (connection_id, lead_id, handoff_id, converted_on, contact_id, account_id,
         opportunity_id, handoff_owner_id, converted_owner_id, owner_changed, recorded_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING`,
      [
        c.connectionId,
        c.leadId,
        c.handoffId,
        c.convertedOn,
        c.contactId,
        c.accountId,
        c.opportunityId,
        c.handoffOwnerId,
        c.convertedOwnerId,
        c.ownerChanged,
        at,
      ],
    );
    const stored = await this.conversion(c.connectionId, c.leadId);
    if (!stored) throw new Error(`conversion of lead ${c.leadId} was not stored`);
    return stored;
  }

  async conversion(connectionId: string, leadId: string): Promise<ConversionRecord | null> {
    const r = await this.pool.query<ConversionRow>(
      `SELECT ${CONVERSION_COLUMNS} FROM lead_conversions WHERE connection_id = $1 AND lead_id = $2`,
      [connectionId, leadId],
    );
    return r.rows[0] ? toConversionRecord(r.rows[0]) : null;
  }

  /** The conversion that made any of these Contacts (the person is already sales'), if one did. */
  async conversionByContact(connectionId: string, contactIds: string[]): Promise<ConversionRecord | null> {
    if (contactIds.length === 0) return null;
    const r = await this.pool.query<ConversionRow>(
      `SELECT ${CONVERSION_COLUMNS} FROM lead_conversions WHERE connection_id = $1 AND contact_id = ANY($2)
        ORDER BY converted_on DESC LIMIT 1`,
      [connectionId, contactIds],
    );
    return r.rows[0] ? toConversionRecord(r.rows[0]) : null;
  }

  /** Links a handoff to the CRM's Lead record it opened or reused (once per handoff). */
  async saveLeadRecord(
    connectionId: string,
    link: { recordId: string; leadId: string; handoffId: string; created: boolean },
    at: string,
  ): Promise<void> {
    await this.pool.query(
      `INSERT INTO crm_lead_records (connection_id, record_id, lead_id, handoff_id, created, at)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
      [connectionId, link.recordId, link.leadId, link.handoffId, link.created, at],
    );
  }

  /** The Lead record a handoff opened, if any. */
  async leadRecordOfHandoff(connectionId: string, handoffId: string): Promise<string | null> {
    const r = await this.pool.query<{ record_id: string }>(
      "SELECT record_id FROM crm_lead_records WHERE connection_id = $1 AND handoff_id = $2",
      [connectionId, handoffId],
    );
    return r.rows[0]?.record_id ?? null;
  }

  /** The person and handoff a Lead record was last used for. */
  async leadRecord(
    connectionId: string,
    recordId: string,
  ): Promise<{ leadId: string; handoffId: string } | null> {
    const r = await this.pool.query<{ lead_id: string; handoff_id: string }>(
      `SELECT lead_id, handoff_id FROM crm_lead_records WHERE connection_id = $1 AND record_id = $2
        ORDER BY at DESC LIMIT 1`,
      [connectionId, recordId],
    );
    const row = r.rows[0];
    return row ? { leadId: row.lead_id, handoffId: row.handoff_id } : null;
  }

  /** Claims the right to send one channel's message for a handoff; false when it was claimed before. */
  async claimNotification(connectionId: string, handoffId: string, channel: string): Promise<boolean> {
    const r = await this.pool.query(
      `INSERT INTO notifications (handoff_id, connection_id, channel) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
      [handoffId, connectionId, channel],
    );
    return r.rowCount === 1;
  }

  async notificationStatus(connectionId: string, handoffId: string, channel: string) {
    const r = await this.pool.query<{ status: string; attempts: number; receipt_id: string | null }>(
      "SELECT status, attempts, receipt_id FROM notifications WHERE connection_id = $1 AND handoff_id = $2 AND channel = $3",
      [connectionId, handoffId, channel],
    );
    return r.rows[0] ?? null;
  }

  async markNotification(
    connectionId: string,
    handoffId: string,
    channel: string,
    outcome: { status: "sent"; receiptId?: string } | { status: "failed" | "pending"; error: string },
  ): Promise<void> {
    await this.pool.query(
      `UPDATE notifications SET status = $4, attempts = attempts + 1, receipt_id = $5, last_error = $6,
         sent_at = CASE WHEN $4 = 'sent' THEN now() ELSE sent_at END
       WHERE connection_id = $1 AND handoff_id = $2 AND channel = $3`,
      [
        connectionId,
        handoffId,
        channel,
        outcome.status,
        outcome.status === "sent" ? (outcome.receiptId ?? null) : null,
        outcome.status === "sent" ? null : outcome.error,
      ],
    );
  }

  async addActivities(connectionId: string, leadId: string, activities: Activity[]): Promise<void> {
    for (const a of activities) {
      await this.pool.query(
        `INSERT INTO activities (connection_id, lead_id, activity_id, kind, occurred_at, url, name, title)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
        [
          connectionId,
          leadId,
          a.id ?? `${a.kind}:${a.occurredAt}`,
          a.kind,
          a.occurredAt,
          a.url ?? null,
          a.name ?? null,
          a.title ?? null,
        ],
      );
    }
  }

  async activities(connectionId: string, leadId: string, limit = 50): Promise<Activity[]> {
    const r = await this.pool.query<ActivityRow>(
      "SELECT * FROM activities WHERE connection_id = $1 AND lead_id = $2 ORDER BY occurred_at DESC LIMIT $3",
      [connectionId, leadId, limit],
    );
    return r.rows.map(toActivity);
  }

  async markMerged(connectionId: string, mergedIds: string[], into: string): Promise<void> {
    await this.pool.query(
      `UPDATE lead_state SET merged_into = $3, updated_at = now() WHERE connection_id = $1 AND lead_id = ANY($2)`,
      [connectionId, mergedIds, into],
    );
  }

  /** One line of the audit log (who tried what on which lead, and how it ended); ids only, never names. */
  async audit(
    connectionId: string,
    entry: { actor: string; action: string; subject: string; details: Record<string, unknown>; at: string },
  ): Promise<void> {
    await this.pool.query(
      "INSERT INTO audit_log (connection_id, actor, action, subject, details, at) VALUES ($1, $2, $3, $4, $5, $6)",
      [connectionId, entry.actor, entry.action, entry.subject, entry.details, entry.at],
    );
  }

  async withPersonLock<T>(connectionId: string, email: string, work: () => Promise<T>): Promise<T> {
    // A session lock on its own connection: `work` runs on other connections (routing commits in its own
    // transaction), and the lock holds until the handoff row is written.
    const client = await this.pool.connect();
    const key = `person:${connectionId}:${email.trim().toLowerCase()}`;
    try {
      await client.query("SELECT pg_advisory_lock(hashtextextended($1, 8002))", [key]);
      try {
        return await work();
      } finally {
        await client.query("SELECT pg_advisory_unlock(hashtextextended($1, 8002))", [key]);
      }
    } finally {
      client.release();
    }
  }

  /** Another CRM record of the same person, linked to the open handoff instead of getting its own. */
  async linkToHandoff(connectionId: string, handoffId: string, leadId: string, at: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO handoff_links (connection_id, handoff_id, lead_id, linked_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT DO NOTHING`,
      [connectionId, handoffId, leadId, at],
    );
  }

  /** The records linked to a handoff (duplicates of its lead). */
  async linkedLeads(connectionId: string, handoffId: string): Promise<string[]> {
    const r = await this.pool.query<{ lead_id: string }>(
      "SELECT lead_id FROM handoff_links WHERE connection_id = $1 AND handoff_id = $2 ORDER BY linked_at, lead_id",
      [connectionId, handoffId],
    );
    return r.rows.map((row) => row.lead_id);
  }

  /**
   * Privacy deletion: removes the lead's personal data from every Handoff table (state, history, handoffs
   * with their cards, decisions with their snapshots, scores with their reasons, activity), and strips the stored events down to ids.
   */
  async erase(connectionId: string, leadId: string): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      const args = [connectionId, leadId];
      await client.query("DELETE FROM lead_conversions WHERE connection_id = $1 AND lead_id = $2", args);
      await client.query("DELETE FROM crm_lead_records WHERE connection_id = $1 AND lead_id = $2", args);
      await client.query("DELETE FROM handoffs WHERE connection_id = $1 AND lead_id = $2", args);
      await client.query("DELETE FROM handoff_links WHERE connection_id = $1 AND lead_id = $2", args);
      await client.query("DELETE FROM lifecycle_events WHERE connection_id = $1 AND lead_id = $2", args);
      await client.query("DELETE FROM lead_state WHERE connection_id = $1 AND lead_id = $2", args);
      await client.query("DELETE FROM activities WHERE connection_id = $1 AND lead_id = $2", args);
      await client.query("DELETE FROM lead_assignments WHERE connection_id = $1 AND lead_id = $2", args);
      await client.query("DELETE FROM decisions WHERE connection_id = $1 AND lead_id = $2", args);
      await client.query("DELETE FROM lead_scores WHERE connection_id = $1 AND lead_id = $2", args);
      await client.query(
        `UPDATE events SET payload = jsonb_build_object('connectionId', connection_id, 'eventKey', event_key,
         'kind', kind, 'objectType', object_type, 'objectId', object_id, 'occurredAt', occurred_at, 'crm', payload->'crm',
         'raw', jsonb_build_object('erased', true))
       WHERE connection_id = $1 AND object_id = $2`,
        args,
      );
    });
  }
}
