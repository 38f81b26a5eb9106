import type { Sla } from "../domain/sla";
import type { PublishFacts, PublishPlan, Team } from "../domain/sla-publish";

/** The SLA in force for a connection. */
export interface ActiveSla {
  sla: Sla;
  /** Canonical hash of the version: every decision is stamped with it. */
  hash: string;
}

/** A version's document and the text it was submitted as (comments included). */
export interface StoredSla {
  sla: Sla;
  hash: string;
  source: string;
}

export interface SlaSignature {
  team: Team;
  name: string;
  email: string;
  signedAt: Date;
}

export interface SlaVersion {
  hash: string;
  name: string;
  version: number;
  effective: string | null;
  status: "draft" | "published" | "superseded";
  createdAt: Date;
  publishedAt: Date | null;
  publishedBy: string | null;
  signatures: SlaSignature[];
}

/**
 * A connection's SLA versions and sign-offs, identified by canonical hash. Every method takes the connection id
 * first and reads or writes only that connection's rows.
 */
export interface SlaVersionStore {
  /**
   * The SLA in force at `at`: the latest published version whose effective date has come (in UTC days), or
   * null when none has.
   */
  active(connectionId: string, at: Date): Promise<ActiveSla | null>;
  /** Every stored version, newest first, with its sign-offs (the version history). */
  list(connectionId: string): Promise<SlaVersion[]>;
  get(connectionId: string, hash: string): Promise<StoredSla | null>;
  /**
   * Records one team's sign-off over an exact hash (storing the version as a draft if new); signing again
   * replaces that team's earlier signature on the same hash. Audited.
   */
  sign(
    connectionId: string,
    version: StoredSla,
    signer: { team: Team; name: string; email: string },
    at: Date,
  ): Promise<SlaSignature>;
  /**
   * Publishes a stored version: reads the facts `decide` needs under one lock, and writes its plan (the
   * superseded versions) with the publish and its audit entry, or nothing when `decide` throws.
   */
  publish(
    connectionId: string,
    hash: string,
    by: string,
    at: Date,
    decide: (facts: PublishFacts) => PublishPlan,
  ): Promise<SlaVersion>;
}
