import type { Pool } from "pg";
import type { Activity } from "../../domain/lead";

/** A row of `activities`. */
export interface ActivityRow {
  lead_id: string;
  activity_id: string;
  kind: Activity["kind"];
  occurred_at: Date;
  url: string | null;
  name: string | null;
  title: string | null;
}

/** One row of `activities` as the domain's `Activity` (empty optional columns are left out). */
export function toActivity(row: Omit<ActivityRow, "lead_id">): Activity {
  const a: Activity = { kind: row.kind, occurredAt: row.occurred_at.toISOString(), id: row.activity_id };
  if (row.url) a.url = row.url;
  if (row.name) a.name = row.name;
  if (row.title) a.title = row.title;
  return a;
}

/**
 * The activity Handoff recorded itself for a connection's leads, grouped per lead, newest first: of the leads
 * named, or (without `leadIds`) of every lead, up to `until` when given.
 */
export async function readActivities(
  pool: Pool,
  connectionId: string,
  which: { leadIds?: readonly string[]; until?: Date },
): Promise<Map<string, Activity[]>> {
  const out = new Map<string, Activity[]>();
  if (which.leadIds?.length === 0) return out;
  const r = await pool.query<ActivityRow>(
    `SELECT lead_id, activity_id, kind, occurred_at, url, name, title FROM activities
      WHERE connection_id = $1 AND ($2::text[] IS NULL OR lead_id = ANY($2))
        AND ($3::timestamptz IS NULL OR occurred_at <= $3)
      ORDER BY occurred_at DESC`,
    [connectionId, which.leadIds ?? null, which.until?.toISOString() ?? null],
  );
  for (const row of r.rows) {
    const list = out.get(row.lead_id);
    if (list) list.push(toActivity(row));
    else out.set(row.lead_id, [toActivity(row)]);
  }
  return out;
}

/** A snapshot's activities plus the ones Handoff recorded, each once (by id, else kind and instant). */
export function mergeActivities(snapshot: readonly Activity[], own: readonly Activity[]): Activity[] {
  if (own.length === 0) return [...snapshot];
  const key = (a: Activity) => a.id ?? `${a.kind}:${a.occurredAt}`;
  const seen = new Set(snapshot.map(key));
  return [...snapshot, ...own.filter((a) => !seen.has(key(a)))];
}
