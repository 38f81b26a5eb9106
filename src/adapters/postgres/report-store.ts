import type { Pool } from "pg";
import { noTaskReason, type HandoffCardInput } from "../../domain/handoff-card";
import type { Activity, Lead } from "../../domain/lead";
import type { AbsenceFact, HandoffFact, HandoffStatus } from "../../domain/reports";
import type {
  DecisionExportLine,
  LeadHistory,
  LeadHistoryRequest,
  LeadSighting,
  ReportReader,
} from "../../ports/report-reading";
import { mergeActivities, readActivities } from "./activity-rows";
import { FOLD_COLUMNS, foldEvent, leadFromFold, type EventFold, type FoldRow } from "./event-folds";
import { inTransaction } from "./transaction";

/** What the forecast replays, in plain words (shown with every forecast). */
const HISTORY_DESCRIPTION =
  "Every contact/lead event stored for the connection in the window (events table, in time order) is one " +
  "evaluation of its lead. A lead's fields are the snapshot Handoff saw when it last handed it over " +
  "(handoffs.card_input); leads never handed over are rebuilt from the property values their stored events " +
  "carried. Activities are those snapshots' activities plus the activity Handoff recorded itself (activities " +
  "table); scoring only counts activity up to each event's time. Each lead is handed over at most once per replay.";

/** The rows the reports, the forecast and the decision export read, one connection at a time. */
export class PostgresReportStore implements ReportReader {
  constructor(private readonly pool: Pool) {}

  async mqlInstants(connectionId: string, from: Date, to: Date): Promise<string[]> {
    const r = await this.pool.query<{ at: Date }>(
      `SELECT at FROM lifecycle_events
        WHERE connection_id = $1 AND type = 'stage_set' AND stage = 'mql' AND at >= $2 AND at < $3`,
      [connectionId, from.toISOString(), to.toISOString()],
    );
    return r.rows.map((row) => row.at.toISOString());
  }

  async handoffFacts(connectionId: string, from: Date, to: Date): Promise<HandoffFact[]> {
    const r = await this.pool.query<{
      id: string;
      rep_key: string | null;
      pool: string | null;
      tier: string | null;
      started_at: Date;
      due_at: Date;
      first_touch_at: Date | null;
      status: HandoffStatus;
      reject_reason: string | null;
      score: HandoffFact["score"] | null;
      source: HandoffFact["source"] | null;
      converted: boolean;
      conversion_opportunity: boolean | null;
      conversion_owner_changed: boolean | null;
      no_task: HandoffCardInput["noTask"] | null;
      task_id: string | null;
    }>(
      `SELECT h.id, h.rep_key, d.outcome->'routing'->>'pool' AS pool, h.card_input->'followUp'->>'tier' AS tier,
              h.card_input->>'noTask' AS no_task, h.task_id,
              h.started_at, h.due_at, h.first_touch_at,
              h.status, h.reject_reason, h.score, h.source, c.lead_id IS NOT NULL AS converted,
              c.opportunity_id IS NOT NULL AS conversion_opportunity, c.owner_changed AS conversion_owner_changed
         FROM handoffs h
         LEFT JOIN decisions d ON d.connection_id = h.connection_id AND d.id = h.id
         LEFT JOIN lead_conversions c ON c.connection_id = h.connection_id AND c.handoff_id = h.id
        WHERE h.connection_id = $1 AND h.started_at >= $2 AND h.started_at < $3
        ORDER BY h.started_at`,
      [connectionId, from.toISOString(), to.toISOString()],
    );
    return r.rows.map((row) => ({
      id: row.id,
      repKey: row.rep_key,
      pool: row.pool,
      tier: row.tier,
      ...(row.task_id === null && row.no_task
        ? { noTask: noTaskReason({ noTask: row.no_task }) ?? null }
        : {}),
      startedAt: row.started_at.toISOString(),
      dueAt: row.due_at.toISOString(),
      firstTouchAt: row.first_touch_at?.toISOString() ?? null,
      status: row.status,
      rejectReason: row.reject_reason,
      score: { total: Number(row.score?.total ?? 0), reasons: row.score?.reasons ?? [] },
      source: row.source ?? {},
      conversion: row.converted
        ? {
            opportunity: row.conversion_opportunity === true,
            ownerChanged: row.conversion_owner_changed === true,
          }
        : null,
    }));
  }

  async handoffLeads(connectionId: string, from: Date, to: Date): Promise<Map<string, string>> {
    const r = await this.pool.query<{ id: string; lead_id: string }>(
      `SELECT id, lead_id FROM handoffs WHERE connection_id = $1 AND started_at >= $2 AND started_at < $3`,
      [connectionId, from.toISOString(), to.toISOString()],
    );
    return new Map(r.rows.map((row) => [row.id, row.lead_id]));
  }

  async absences(connectionId: string, from: Date, to: Date): Promise<AbsenceFact[]> {
    const r = await this.pool.query<{ rep_key: string; starts_at: Date; ends_at: Date }>(
      `SELECT rep_key, starts_at, ends_at FROM rep_ooo
        WHERE connection_id = $1 AND ends_at > $2 AND starts_at < $3
       UNION ALL
       SELECT rep_key, COALESCE(away_since, $2::timestamptz), COALESCE(away_until, $3::timestamptz) FROM rep_state
        WHERE connection_id = $1 AND away`,
      [connectionId, from.toISOString(), to.toISOString()],
    );
    return r.rows.map((row) => ({
      repKey: row.rep_key,
      from: row.starts_at.toISOString(),
      to: row.ends_at.toISOString(),
    }));
  }

  async leadSightings(connectionId: string, from: Date, to: Date): Promise<LeadSighting[]> {
    const r = await this.pool.query<{ lead_id: string; first_at: Date }>(
      `SELECT object_id AS lead_id, min(occurred_at) AS first_at FROM events
        WHERE connection_id = $1 AND object_type IN ('contact', 'lead') AND occurred_at >= $2 AND occurred_at < $3
        GROUP BY object_id`,
      [connectionId, from.toISOString(), to.toISOString()],
    );
    return r.rows.map((row) => ({ leadId: row.lead_id, at: row.first_at.toISOString() }));
  }

  /**
   * Reads the history with as little memory as a million events allow: events come in pages from one cursor
   * and are kept as two number arrays; only leads without a snapshot keep their folded property values.
   */
  async leadHistory(connectionId: string, request: LeadHistoryRequest): Promise<LeadHistory> {
    const { since, until } = request;
    const batch = request.batchSize ?? 50_000;
    const index = new Map<string, number>();
    const ids: string[] = [];
    const snapshots = new Map<string, { lead: Lead; activities: Activity[] }>();

    const handed = await this.pool.query<{ lead_id: string; card_input: HandoffCardInput }>(
      `SELECT DISTINCT ON (lead_id) lead_id, card_input FROM handoffs
        WHERE connection_id = $1 AND started_at <= $2 AND card_input ? 'lead'
        ORDER BY lead_id, started_at DESC`,
      [connectionId, until.toISOString()],
    );
    for (const r of handed.rows) {
      snapshots.set(r.lead_id, { lead: r.card_input.lead, activities: [...(r.card_input.activities ?? [])] });
    }

    let leadIdx: number[] = [];
    let at: number[] = [];
    const folds = new Map<string, EventFold>();
    // One sorted scan read through a server-side cursor: paging by keyset would sort the window once per page.
    await inTransaction(
      this.pool,
      async (client) => {
        await client.query(
          `DECLARE lead_history NO SCROLL CURSOR FOR
           SELECT ${FOLD_COLUMNS}, (extract(epoch FROM occurred_at) * 1000)::bigint AS ms
             FROM events
            WHERE connection_id = $1 AND object_type IN ('contact', 'lead')
              AND kind NOT IN ('deleted', 'privacy_deleted')
              AND occurred_at >= $2 AND occurred_at <= $3
            ORDER BY occurred_at, event_key`,
          [connectionId, since.toISOString(), until.toISOString()],
        );
        for (;;) {
          const page = await client.query<FoldRow & { ms: string }>(`FETCH ${batch} FROM lead_history`);
          for (const r of page.rows) {
            let idx = index.get(r.object_id);
            if (idx === undefined) {
              idx = ids.length;
              index.set(r.object_id, idx);
              ids.push(r.object_id);
            }
            leadIdx.push(idx);
            at.push(Number(r.ms));
            if (!snapshots.has(r.object_id)) foldEvent(folds, r);
          }
          request.onLoaded?.(at.length);
          if (page.rows.length < batch) break;
        }
      },
      { readOnly: true },
    );

    const own = await readActivities(this.pool, connectionId, { until });
    const leads = ids.map((id) => {
      const snapshot = snapshots.get(id);
      const lead = snapshot?.lead ?? leadFromFold(id, folds.get(id));
      return { lead, activities: mergeActivities(snapshot?.activities ?? [], own.get(id) ?? []) };
    });
    const history: LeadHistory = {
      leads,
      ids,
      eventLead: Int32Array.from(leadIdx),
      eventAt: Float64Array.from(at),
      snapshots: ids.filter((id) => snapshots.has(id)).length,
      activities: leads.reduce((n, l) => n + l.activities.length, 0),
      description: HISTORY_DESCRIPTION,
    };
    leadIdx = [];
    at = [];
    return history;
  }

  /** Paged by (created_at, id), so that each page is one index range scan. */
  async *decisions(connectionId: string, since: Date, pageSize = 1000): AsyncGenerator<DecisionExportLine> {
    let cursor: { at: string; id: string } | undefined;
    for (;;) {
      const r = await this.pool.query<{
        id: string;
        lead_id: string;
        event_key: string | null;
        sla_hash: string | null;
        created_at: Date;
        at: string;
        inputs: unknown;
        outcome: unknown;
      }>(
        `SELECT id, lead_id, event_key, sla_hash, created_at, created_at::text AS at, inputs, outcome FROM decisions
          WHERE connection_id = $1 AND created_at >= $2
            AND ($3::timestamptz IS NULL OR (created_at, id) > ($3::timestamptz, $4::text))
          ORDER BY created_at, id
          LIMIT $5`,
        [connectionId, since.toISOString(), cursor?.at ?? null, cursor?.id ?? null, pageSize],
      );
      for (const row of r.rows) {
        yield {
          id: row.id,
          connectionId,
          leadId: row.lead_id,
          eventKey: row.event_key,
          slaHash: row.sla_hash,
          createdAt: row.created_at.toISOString(),
          inputs: row.inputs,
          outcome: row.outcome,
        };
      }
      const last = r.rows.at(-1);
      if (!last || r.rows.length < pageSize) return;
      cursor = { at: last.at, id: last.id };
    }
  }
}
