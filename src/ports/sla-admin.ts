import type { Activity, Lead } from "../domain/lead";
import type { Sla } from "../domain/sla";

export type Team = "marketing" | "sales";

export interface SlaSignatureRecord {
  team: Team;
  name: string;
  email: string;
  signedAt: Date;
}

export interface SlaVersionRecord {
  hash: string;
  name: string;
  version: number;
  effective: string | null;
  status: "draft" | "published" | "superseded";
  createdAt: Date;
  publishedAt: Date | null;
  publishedBy: string | null;
  signatures: SlaSignatureRecord[];
}

/**
 * A connection's SLA versions and sign-offs. `publish` holds the one publish policy (both teams signed this
 * exact hash, an effective date, no reused version number) and refuses with `SlaPublishRefusedError`.
 */
export interface SlaVersions {
  list(connectionId: string): Promise<SlaVersionRecord[]>;
  get(connectionId: string, hash: string): Promise<{ sla: Sla; hash: string; source: string } | null>;
  sign(
    connectionId: string,
    version: { sla: Sla; hash: string; source: string },
    signer: { team: Team; name: string; email: string },
    at: Date,
  ): Promise<SlaSignatureRecord>;
  publish(connectionId: string, hash: string, by: string, at: Date): Promise<SlaVersionRecord>;
}

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
