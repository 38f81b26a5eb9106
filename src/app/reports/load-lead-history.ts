import type { Pool } from "pg";
import { toLead as hubSpotToLead, type HubSpotProperties } from "../../adapters/hubspot/hubspot-mapper";
import { toLead as salesforceToLead, toContactLead } from "../../adapters/salesforce/salesforce-mapper";
import type { ReplayHistory, ReplayLead } from "../../domain/forecast";
import type { HandoffCardInput } from "../../domain/handoff-card";
import type { Activity, Crm, Lead } from "../../domain/lead";

/**
 * What the forecast replays, in plain words (shown with every forecast).
 */
export const HISTORY_DESCRIPTION =
  "Every contact/lead event stored for the connection in the window (events table, in time order) is one " +
  "evaluation of its lead. A lead's fields are the snapshot Handoff saw when it last handed it over " +
  "(handoffs.card_input); leads never handed over are rebuilt from the property values their stored events " +
  "carried. Activities are those snapshots' activities plus the activity Handoff recorded itself (activities " +
  "table); scoring only counts activity up to each event's time. Each lead is handed over at most once per replay.";

export interface LeadHistory extends ReplayHistory {
  /** Lead ids, index-aligned with `leads`. */
  ids: string[];
  /** Leads whose fields come from a handoff snapshot. */
  snapshots: number;
  activities: number;
}

export interface LoadHistoryOptions {
  since: Date;
  until: Date;
  /** Called after each batch of events read, with the count so far. */
  onLoaded?: (events: number) => void;
  /** @default 50000 */
  batchSize?: number;
}

interface Folding {
  crm: Crm;
  objectType: string;
  properties: HubSpotProperties;
  fields: Record<string, unknown>;
}

/**
 * Reads a connection's history for replay with as little memory as a million events allow: events are read
 * in pages from one cursor and kept as two number arrays; only leads without a snapshot keep their folded
 * property values.
 */
export async function loadLeadHistory(
  pool: Pool,
  connectionId: string,
  options: LoadHistoryOptions,
): Promise<LeadHistory> {
  const { since, until } = options;
  const batch = options.batchSize ?? 50_000;
  const index = new Map<string, number>();
  const ids: string[] = [];
  const snapshots = new Map<string, { lead: Lead; activities: Activity[] }>();

  const handed = await pool.query<{ lead_id: string; card_input: HandoffCardInput }>(
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
  const folds = new Map<string, Folding>();
  // One sorted scan read through a server-side cursor: paging by keyset would sort the window once per page.
  const client = await pool.connect();
  try {
    await client.query("BEGIN READ ONLY");
    await client.query(
      `DECLARE lead_history NO SCROLL CURSOR FOR
       SELECT object_id, object_type, (extract(epoch FROM occurred_at) * 1000)::bigint AS ms,
              payload->>'crm' AS crm, payload->>'propertyName' AS property_name,
              payload->>'propertyValue' AS property_value, payload->'raw'->'fields' AS fields
         FROM events
        WHERE connection_id = $1 AND object_type IN ('contact', 'lead')
          AND kind NOT IN ('deleted', 'privacy_deleted')
          AND occurred_at >= $2 AND occurred_at <= $3
        ORDER BY occurred_at, event_key`,
      [connectionId, since.toISOString(), until.toISOString()],
    );
    for (;;) {
      const page = await client.query<{
        object_id: string;
        object_type: string;
        ms: string;
        crm: Crm;
        property_name: string | null;
        property_value: string | null;
        fields: Record<string, unknown> | null;
      }>(`FETCH ${batch} FROM lead_history`);
      for (const r of page.rows) {
        let idx = index.get(r.object_id);
        if (idx === undefined) {
          idx = ids.length;
          index.set(r.object_id, idx);
          ids.push(r.object_id);
        }
        leadIdx.push(idx);
        at.push(Number(r.ms));
        if (snapshots.has(r.object_id)) continue;
        let fold = folds.get(r.object_id);
        if (!fold) {
          fold = { crm: r.crm, objectType: r.object_type, properties: {}, fields: {} };
          folds.set(r.object_id, fold);
        }
        if (r.property_name) fold.properties[r.property_name] = r.property_value;
        if (r.fields) Object.assign(fold.fields, r.fields);
      }
      options.onLoaded?.(at.length);
      if (page.rows.length < batch) break;
    }
    await client.query("COMMIT");
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }

  const own = await ownActivities(pool, connectionId, until, index);
  const leads: ReplayLead[] = ids.map((id) => {
    const snapshot = snapshots.get(id);
    const lead = snapshot?.lead ?? leadFromFold(id, folds.get(id));
    return { lead, activities: merge(snapshot?.activities ?? [], own.get(id) ?? []) };
  });
  const history: LeadHistory = {
    leads,
    ids,
    eventLead: Int32Array.from(leadIdx),
    eventAt: Float64Array.from(at),
    snapshots: ids.filter((id) => snapshots.has(id)).length,
    activities: leads.reduce((n, l) => n + l.activities.length, 0),
  };
  leadIdx = [];
  at = [];
  return history;
}

/** The mappers own the CRM's field names; a lead never handed over is rebuilt through them. */
function leadFromFold(id: string, fold: Folding | undefined): Lead {
  if (!fold) return { id, properties: {} };
  if (fold.crm === "salesforce") {
    const record = { ...fold.fields, Id: id };
    return fold.objectType === "contact" ? toContactLead(record) : salesforceToLead(record);
  }
  return hubSpotToLead({ id, properties: fold.properties });
}

async function ownActivities(
  pool: Pool,
  connectionId: string,
  until: Date,
  index: Map<string, number>,
): Promise<Map<string, Activity[]>> {
  const r = await pool.query<{
    lead_id: string;
    activity_id: string;
    kind: Activity["kind"];
    occurred_at: Date;
    url: string | null;
    name: string | null;
    title: string | null;
  }>(
    `SELECT lead_id, activity_id, kind, occurred_at, url, name, title FROM activities
      WHERE connection_id = $1 AND occurred_at <= $2`,
    [connectionId, until.toISOString()],
  );
  const out = new Map<string, Activity[]>();
  for (const row of r.rows) {
    if (!index.has(row.lead_id)) continue;
    const a: Activity = { kind: row.kind, occurredAt: row.occurred_at.toISOString(), id: row.activity_id };
    if (row.url !== null) a.url = row.url;
    if (row.name !== null) a.name = row.name;
    if (row.title !== null) a.title = row.title;
    const list = out.get(row.lead_id);
    if (list) list.push(a);
    else out.set(row.lead_id, [a]);
  }
  return out;
}

function merge(a: Activity[], b: Activity[]): Activity[] {
  if (b.length === 0) return a;
  const seen = new Set(a.map((x) => x.id ?? `${x.kind}:${x.occurredAt}`));
  return [...a, ...b.filter((x) => !seen.has(x.id ?? `${x.kind}:${x.occurredAt}`))];
}
