import type { Activity, Lead } from "../domain/lead";

/** A real lead of the connection as Handoff last saw it, to preview a draft on. */
export interface RecentLead {
  lead: Lead;
  activities: Activity[];
  lastEventAt: string;
}

export interface RecentLeads {
  /** The `limit` leads with the newest events, newest first. */
  recent(connectionId: string, limit: number): Promise<RecentLead[]>;
}
