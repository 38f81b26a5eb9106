import type { Pool } from "pg";
import { noTaskReason, type HandoffCardInput } from "../../domain/handoff-card";
import type { HandoffRow } from "./handoff-row";
import type { Lead } from "../../domain/lead";
import type { ScoreReason } from "../../domain/scoring";
import type {
  LeadMatch,
  LeadStoryReader,
  LeadStoryRecords,
  ScoreHistory,
  ScorePoint,
  StoryHandoff,
} from "../../ports/lead-story";
import type { DecisionRow } from "./decision-row";

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);
const num = (v: string | number): number => Number(v);

/**
 * The lead story's reads and the pipeline's score history, in PostgreSQL. Every statement filters on the
 * connection id first: a lead id of one portal never reads another's rows.
 */
export function createLeadStoryStore(pool: Pool): LeadStoryReader & ScoreHistory {
  return {
    async record(connectionId: string, leadId: string, p: ScorePoint): Promise<void> {
      await pool.query(
        `INSERT INTO lead_scores (connection_id, lead_id, event_key, at, sla_hash, fit, engagement, total, stage,
           action, reason, reasons)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT DO NOTHING`,
        [
          connectionId,
          leadId,
          p.eventKey,
          p.at,
          p.slaHash,
          p.fit,
          p.engagement,
          p.total,
          p.stage,
          p.action,
          p.reason,
          JSON.stringify(p.reasons),
        ],
      );
    },

    async find(connectionId: string, query: string, limit: number): Promise<LeadMatch[]> {
      // The id is matched exactly; an e-mail on the handoff snapshot, on a HubSpot `email` property change or
      // on a Salesforce outbound message's fields.
      const r = await pool.query<{
        lead_id: string;
        matched_by: "id" | "email";
        last_event_at: Date | null;
        stage: string | null;
      }>(
        `WITH ids AS (
           SELECT $2::text AS lead_id, 'id' AS matched_by
            WHERE EXISTS (SELECT 1 FROM events WHERE connection_id = $1 AND object_id = $2)
               OR EXISTS (SELECT 1 FROM lead_state WHERE connection_id = $1 AND lead_id = $2)
           UNION
           SELECT lead_id, 'email' FROM handoffs
            WHERE connection_id = $1 AND lower(card_input->'lead'->>'email') = lower($2)
           UNION
           SELECT object_id, 'email' FROM events
            WHERE connection_id = $1 AND position('@' IN $2) > 0
              AND ((payload->>'propertyName' = 'email' AND lower(payload->>'propertyValue') = lower($2))
                OR lower(payload->'raw'->'fields'->>'Email') = lower($2))
         )
         SELECT DISTINCT ON (ids.lead_id) ids.lead_id, ids.matched_by, s.last_event_at, s.stage
           FROM ids LEFT JOIN lead_state s ON s.connection_id = $1 AND s.lead_id = ids.lead_id
          ORDER BY ids.lead_id, ids.matched_by DESC
          LIMIT $3`,
        [connectionId, query, limit],
      );
      return r.rows
        .map((row) => ({
          leadId: row.lead_id,
          matchedBy: row.matched_by,
          lastEventAt: iso(row.last_event_at),
          stage: row.stage,
        }))
        .sort((a, b) => (b.lastEventAt ?? "").localeCompare(a.lastEventAt ?? ""));
    },

    async read(connectionId: string, leadId: string, limits: { events: number }): Promise<LeadStoryRecords> {
      const args = [connectionId, leadId];
      const [state, events, scores, lifecycle, decisions, handoffs] = await Promise.all([
        pool.query<{
          stage: string;
          fit: string;
          engagement: string;
          total: string;
          held_reason: string | null;
          last_event_at: Date | null;
          merged_into: string | null;
        }>(
          `SELECT stage, fit, engagement, total, held_reason, last_event_at, merged_into FROM lead_state
            WHERE connection_id = $1 AND lead_id = $2`,
          args,
        ),
        // The newest events (a lead with years of page views keeps its story readable), shown oldest first.
        pool.query<{
          event_key: string;
          kind: string;
          occurred_at: Date;
          received_at: Date;
          status: string;
          attempts: number;
          source: string | null;
          property: string | null;
          value: string | null;
          last_error: { code: string; message: string; hint?: string } | null;
        }>(
          `SELECT * FROM (
             SELECT event_key, kind, occurred_at, received_at, status, attempts, payload->>'changeSource' AS source,
                    payload->>'propertyName' AS property, payload->>'propertyValue' AS value, last_error
               FROM events WHERE connection_id = $1 AND object_id = $2
              ORDER BY occurred_at DESC, event_key DESC LIMIT $3
           ) newest ORDER BY occurred_at, event_key`,
          [connectionId, leadId, limits.events],
        ),
        pool.query<{
          event_key: string;
          at: Date;
          sla_hash: string | null;
          fit: string;
          engagement: string;
          total: string;
          stage: string;
          action: string;
          reason: string;
          reasons: ScoreReason[];
        }>(
          `SELECT * FROM (
             SELECT event_key, at, sla_hash, fit, engagement, total, stage, action, reason, reasons FROM lead_scores
              WHERE connection_id = $1 AND lead_id = $2 ORDER BY at DESC, event_key DESC LIMIT $3
           ) newest ORDER BY at, event_key`,
          [connectionId, leadId, limits.events],
        ),
        pool.query<{
          type: string;
          stage: string | null;
          reason: string | null;
          by: string | null;
          actor: string | null;
          at: Date;
        }>(
          `SELECT type, stage, reason, by, actor, at FROM lifecycle_events
            WHERE connection_id = $1 AND lead_id = $2 ORDER BY at, id`,
          args,
        ),
        pool.query<Omit<DecisionRow, "connection_id" | "lead_id">>(
          `SELECT id, event_key, sla_hash, created_at, inputs, outcome FROM decisions
            WHERE connection_id = $1 AND lead_id = $2 ORDER BY created_at, id`,
          args,
        ),
        readHandoffs(pool, connectionId, leadId),
      ]);
      const hashes = [
        ...new Set(
          [...decisions.rows.map((d) => d.sla_hash), ...scores.rows.map((s) => s.sla_hash)].filter(
            (h): h is string => h !== null,
          ),
        ),
      ];
      const versions = await pool.query<{ hash: string; name: string; version: number; status: string }>(
        "SELECT hash, name, version, status FROM sla_versions WHERE connection_id = $1 AND hash = ANY($2)",
        [connectionId, hashes],
      );
      const s = state.rows[0];
      const routed = [...decisions.rows].reverse().find((d) => routingLead(d.inputs) !== undefined);
      const snapshot =
        handoffs.snapshot ??
        (routed
          ? { lead: routingLead(routed.inputs)!, activities: [], at: routed.created_at.toISOString() }
          : null);
      return {
        snapshot,
        state: s
          ? {
              stage: s.stage,
              fit: num(s.fit),
              engagement: num(s.engagement),
              total: num(s.total),
              heldReason: s.held_reason,
              lastEventAt: iso(s.last_event_at),
              mergedInto: s.merged_into,
            }
          : null,
        person: handoffs.person,
        events: events.rows.map((e) => ({
          eventKey: e.event_key,
          kind: e.kind,
          occurredAt: e.occurred_at.toISOString(),
          receivedAt: e.received_at.toISOString(),
          status: e.status,
          attempts: e.attempts,
          source: e.source,
          property: e.property,
          value: e.value,
          error: e.last_error,
        })),
        scores: scores.rows.map((p) => ({
          eventKey: p.event_key,
          at: p.at.toISOString(),
          slaHash: p.sla_hash,
          fit: num(p.fit),
          engagement: num(p.engagement),
          total: num(p.total),
          stage: p.stage,
          action: p.action,
          reason: p.reason,
          reasons: p.reasons,
        })),
        lifecycle: lifecycle.rows.map((l) => ({ ...l, at: l.at.toISOString() })),
        decisions: decisions.rows.map((d) => ({
          id: d.id,
          eventKey: d.event_key,
          slaHash: d.sla_hash,
          createdAt: d.created_at.toISOString(),
          inputs: d.inputs,
          outcome: d.outcome,
        })),
        handoffs: handoffs.list,
        slaVersions: versions.rows,
      };
    },
  };
}

async function readHandoffs(
  pool: Pool,
  connectionId: string,
  leadId: string,
): Promise<{
  list: StoryHandoff[];
  person: LeadStoryRecords["person"];
  snapshot: LeadStoryRecords["snapshot"];
}> {
  const rows = await pool.query<
    Omit<HandoffRow, "connection_id" | "lead_id" | "score" | "source" | "created_at" | "card_input"> & {
      card_input: Partial<HandoffCardInput>;
    }
  >(
    `SELECT id, event_key, owner_id, rep_key, method, task_id, started_at, due_at, first_touch_at, status,
            reject_reason, feedback_at, sla_hash, card_input
       FROM handoffs WHERE connection_id = $1 AND lead_id = $2 ORDER BY started_at, id`,
    [connectionId, leadId],
  );
  const ids = rows.rows.map((h) => h.id);
  const [notifications, steps, cadence, moves] = await Promise.all([
    pool.query<{
      handoff_id: string;
      channel: string;
      status: string;
      attempts: number;
      sent_at: Date | null;
      last_error: string | null;
    }>(
      `SELECT handoff_id, channel, status, attempts, sent_at, last_error FROM notifications
        WHERE connection_id = $1 AND handoff_id = ANY($2) ORDER BY channel`,
      [connectionId, ids],
    ),
    pool.query<{
      handoff_id: string;
      step: string;
      kind: string;
      due_at: Date;
      status: string;
      outcome: string | null;
      fired_at: Date | null;
    }>(
      `SELECT handoff_id, step, kind, due_at, status, outcome, fired_at FROM follow_up_steps
        WHERE connection_id = $1 AND handoff_id = ANY($2) ORDER BY seq`,
      [connectionId, ids],
    ),
    pool.query<{
      handoff_id: string;
      calls_done: number;
      calls_required: number;
      emails_done: number;
      emails_required: number;
      window_end: Date;
      status: string;
      checked_at: Date;
    }>("SELECT * FROM follow_up_cadence WHERE connection_id = $1 AND handoff_id = ANY($2)", [
      connectionId,
      ids,
    ]),
    pool.query<{
      from_handoff_id: string;
      to_handoff_id: string;
      to_owner_id: string | null;
      reason: string;
      at: Date;
    }>(
      `SELECT from_handoff_id, to_handoff_id, to_owner_id, reason, at FROM handoff_reassignments
        WHERE connection_id = $1 AND from_handoff_id = ANY($2)`,
      [connectionId, ids],
    ),
  ]);
  const list = rows.rows.map((h): StoryHandoff => {
    const c = cadence.rows.find((x) => x.handoff_id === h.id);
    const m = moves.rows.find((x) => x.from_handoff_id === h.id);
    return {
      id: h.id,
      eventKey: h.event_key,
      ownerId: h.owner_id,
      ownerName: h.card_input.owner?.name ?? null,
      repKey: h.rep_key,
      method: h.method,
      taskId: h.task_id,
      noTask: h.task_id ? null : (noTaskReason(h.card_input) ?? null),
      startedAt: h.started_at.toISOString(),
      dueAt: h.due_at.toISOString(),
      firstTouchAt: iso(h.first_touch_at),
      status: h.status,
      rejectReason: h.reject_reason,
      feedbackAt: iso(h.feedback_at),
      slaHash: h.sla_hash,
      notifications: notifications.rows
        .filter((n) => n.handoff_id === h.id)
        .map((n) => ({
          channel: n.channel,
          status: n.status,
          attempts: n.attempts,
          sentAt: iso(n.sent_at),
          lastError: n.last_error,
        })),
      followUp: steps.rows
        .filter((s) => s.handoff_id === h.id)
        .map((s) => ({
          step: s.step,
          kind: s.kind,
          dueAt: s.due_at.toISOString(),
          status: s.status,
          outcome: s.outcome,
          firedAt: iso(s.fired_at),
        })),
      cadence: c
        ? {
            callsDone: c.calls_done,
            callsRequired: c.calls_required,
            emailsDone: c.emails_done,
            emailsRequired: c.emails_required,
            windowEnd: c.window_end.toISOString(),
            status: c.status,
            checkedAt: c.checked_at.toISOString(),
          }
        : null,
      reassignedTo: m
        ? { handoffId: m.to_handoff_id, toOwnerId: m.to_owner_id, reason: m.reason, at: m.at.toISOString() }
        : null,
    };
  });
  const last = rows.rows[rows.rows.length - 1];
  const newest = last?.card_input.lead;
  const snapshot =
    last && newest
      ? { lead: newest, activities: last.card_input.activities ?? [], at: last.started_at.toISOString() }
      : null;
  const person = newest
    ? {
        name: [newest.firstName, newest.lastName].filter(Boolean).join(" ") || null,
        email: newest.email ?? null,
        company: newest.company ?? null,
        jobTitle: newest.jobTitle ?? null,
        country: newest.country ?? null,
      }
    : null;
  return { list, person, snapshot };
}

/** The lead a routing decision was made for (stored in its inputs, to replay it). */
function routingLead(inputs: Record<string, unknown>): Lead | undefined {
  const routing = inputs.routing as { lead?: Lead } | undefined;
  return routing?.lead;
}
