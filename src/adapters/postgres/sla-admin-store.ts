import type { Pool } from "pg";
import type { HandoffCardInput } from "../../domain/handoff-card";
import type { Activity, Lead } from "../../domain/lead";
import type { RecentLead, RecentLeads, SlaVersions } from "../../ports/sla-admin";
import { toLead as hubSpotToLead } from "../hubspot/hubspot-mapper";
import { toContactLead, toLead as salesforceToLead } from "../salesforce/salesforce-mapper";
import { getSlaVersion, listSlaVersions, publishSla, signSla } from "./sla-store";

/** The SLA page's versions port over the existing SLA store (which keeps the publish policy). */
export function createSlaVersions(pool: Pool): SlaVersions {
  return {
    list: (connectionId) => listSlaVersions(pool, connectionId),
    get: (connectionId, hash) => getSlaVersion(pool, connectionId, hash),
    sign: (connectionId, version, signer, at) => signSla(pool, connectionId, version, signer, at),
    publish: (connectionId, hash, by, at) => publishSla(pool, connectionId, hash, by, at),
  };
}

/**
 * The connection's most recently active leads, each as Handoff last saw it whole: the newest handoff's
 * snapshot, else the newest routing decision's input, else rebuilt through the CRM's mapper from the property
 * values its stored events carried; with the activity Handoff holds for it.
 */
export function createRecentLeads(pool: Pool): RecentLeads {
  return {
    async recent(connectionId: string, limit: number): Promise<RecentLead[]> {
      const r = await pool.query<{
        lead_id: string;
        last_event_at: Date;
        card_input: Partial<HandoffCardInput> | null;
        routed: Lead | null;
      }>(
        `SELECT s.lead_id, s.last_event_at,
                (SELECT card_input FROM handoffs h WHERE h.connection_id = $1 AND h.lead_id = s.lead_id
                  ORDER BY started_at DESC LIMIT 1) AS card_input,
                (SELECT inputs->'routing'->'lead' FROM decisions d WHERE d.connection_id = $1 AND d.lead_id = s.lead_id
                  ORDER BY created_at DESC LIMIT 1) AS routed
           FROM lead_state s
          WHERE s.connection_id = $1 AND s.last_event_at IS NOT NULL AND s.merged_into IS NULL
          ORDER BY s.last_event_at DESC, s.lead_id LIMIT $2`,
        [connectionId, limit],
      );
      const ids = r.rows.map((row) => row.lead_id);
      const [folded, own] = await Promise.all([
        foldEvents(
          pool,
          connectionId,
          r.rows.filter((row) => !row.card_input?.lead && !row.routed).map((row) => row.lead_id),
        ),
        ownActivities(pool, connectionId, ids),
      ]);
      return r.rows.map((row) => {
        const lead = row.card_input?.lead ??
          row.routed ??
          folded.get(row.lead_id) ?? { id: row.lead_id, properties: {} };
        const seen = new Set(
          (row.card_input?.activities ?? []).map((a) => a.id ?? `${a.kind}:${a.occurredAt}`),
        );
        const activities = [
          ...(row.card_input?.activities ?? []),
          ...(own.get(row.lead_id) ?? []).filter((a) => !seen.has(a.id ?? `${a.kind}:${a.occurredAt}`)),
        ];
        return { lead, activities, lastEventAt: row.last_event_at.toISOString() };
      });
    },
  };
}

async function foldEvents(pool: Pool, connectionId: string, ids: string[]): Promise<Map<string, Lead>> {
  const out = new Map<string, Lead>();
  if (ids.length === 0) return out;
  const r = await pool.query<{
    object_id: string;
    object_type: string;
    crm: string;
    property_name: string | null;
    property_value: string | null;
    fields: Record<string, unknown> | null;
  }>(
    `SELECT object_id, object_type, payload->>'crm' AS crm, payload->>'propertyName' AS property_name,
            payload->>'propertyValue' AS property_value, payload->'raw'->'fields' AS fields
       FROM events WHERE connection_id = $1 AND object_id = ANY($2) AND object_type IN ('contact', 'lead')
      ORDER BY occurred_at, event_key`,
    [connectionId, ids],
  );
  const folds = new Map<
    string,
    { crm: string; type: string; props: Record<string, string | null>; fields: Record<string, unknown> }
  >();
  for (const row of r.rows) {
    let f = folds.get(row.object_id);
    if (!f) {
      f = { crm: row.crm, type: row.object_type, props: {}, fields: {} };
      folds.set(row.object_id, f);
    }
    if (row.property_name) f.props[row.property_name] = row.property_value;
    if (row.fields) Object.assign(f.fields, row.fields);
  }
  for (const [id, f] of folds) {
    // The mappers own the CRM's field names.
    if (f.crm === "salesforce") {
      const record = { ...f.fields, Id: id };
      out.set(id, f.type === "contact" ? toContactLead(record) : salesforceToLead(record));
    } else out.set(id, hubSpotToLead({ id, properties: f.props }));
  }
  return out;
}

async function ownActivities(
  pool: Pool,
  connectionId: string,
  ids: string[],
): Promise<Map<string, Activity[]>> {
  const out = new Map<string, Activity[]>();
  if (ids.length === 0) return out;
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
      WHERE connection_id = $1 AND lead_id = ANY($2) ORDER BY occurred_at DESC`,
    [connectionId, ids],
  );
  for (const row of r.rows) {
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
