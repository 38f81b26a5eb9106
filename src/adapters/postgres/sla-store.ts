/**
 * SLA versions and sign-offs per connection. A version is identified by its canonical hash. Whether a version
 * may be published is the domain's rule (`planPublish` in src/domain/sla-publish.ts); this store reads the
 * facts it needs under a lock and writes what it decided.
 */
import type { Pool, PoolClient } from "pg";
import { NotFoundError } from "../../domain/errors";
import type { Sla } from "../../domain/sla";
import type { PublishFacts, PublishPlan, Team, VersionFacts } from "../../domain/sla-publish";
import type {
  ActiveSla,
  SlaSignature,
  SlaVersion,
  SlaVersionStore,
  StoredSla,
} from "../../ports/sla-versions";
import { inTransaction } from "./transaction";

interface VersionRow {
  hash: string;
  name: string;
  version: number;
  effective: string | null;
  status: SlaVersion["status"];
  created_at: Date;
  published_at: Date | null;
  published_by: string | null;
}

interface SignatureRow {
  hash: string;
  team: Team;
  signer_name: string;
  signer_email: string;
  signed_at: Date;
}

const VERSION_COLUMNS =
  "hash, name, version, to_char(effective, 'YYYY-MM-DD') AS effective, status, created_at, published_at, published_by";
const SIGNATURE_COLUMNS = "hash, team, signer_name, signer_email, signed_at";

function toSignature(r: SignatureRow): SlaSignature {
  return { team: r.team, name: r.signer_name, email: r.signer_email, signedAt: r.signed_at };
}

function toVersion(r: VersionRow, signatures: SlaSignature[]): SlaVersion {
  return {
    hash: r.hash,
    name: r.name,
    version: r.version,
    effective: r.effective,
    status: r.status,
    createdAt: r.created_at,
    publishedAt: r.published_at,
    publishedBy: r.published_by,
    signatures,
  };
}

function toFacts(r: VersionRow): VersionFacts {
  return { hash: r.hash, name: r.name, version: r.version, effective: r.effective, status: r.status };
}

export class PostgresSlaStore implements SlaVersionStore {
  constructor(private readonly pool: Pool) {}

  async active(connectionId: string, at: Date): Promise<ActiveSla | null> {
    const { rows } = await this.pool.query<{ document: Sla; hash: string }>(
      `SELECT document, hash FROM sla_versions
       WHERE connection_id = $1 AND status IN ('published', 'superseded') AND effective <= $2::date
       ORDER BY effective DESC, published_at DESC LIMIT 1`,
      [connectionId, at.toISOString().slice(0, 10)],
    );
    const row = rows[0];
    return row === undefined ? null : { sla: row.document, hash: row.hash };
  }

  async list(connectionId: string): Promise<SlaVersion[]> {
    const versions = await this.pool.query<VersionRow>(
      `SELECT ${VERSION_COLUMNS} FROM sla_versions WHERE connection_id = $1 ORDER BY created_at DESC, version DESC`,
      [connectionId],
    );
    const signatures = await this.pool.query<SignatureRow>(
      `SELECT ${SIGNATURE_COLUMNS} FROM sla_signatures WHERE connection_id = $1 ORDER BY team`,
      [connectionId],
    );
    return versions.rows.map((v) =>
      toVersion(v, signatures.rows.filter((s) => s.hash === v.hash).map(toSignature)),
    );
  }

  async get(connectionId: string, hash: string): Promise<StoredSla | null> {
    const { rows } = await this.pool.query<{ document: Sla; source: string }>(
      "SELECT document, source FROM sla_versions WHERE connection_id = $1 AND hash = $2",
      [connectionId, hash],
    );
    const row = rows[0];
    return row === undefined ? null : { sla: row.document, hash, source: row.source };
  }

  async sign(
    connectionId: string,
    version: StoredSla,
    signer: { team: Team; name: string; email: string },
    at: Date,
  ): Promise<SlaSignature> {
    return inTransaction(this.pool, async (client) => {
      await client.query(
        `INSERT INTO sla_versions (connection_id, hash, name, version, effective, document, source)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (connection_id, hash) DO NOTHING`,
        [
          connectionId,
          version.hash,
          version.sla.sla.name,
          version.sla.sla.version,
          version.sla.sla.effective ?? null,
          JSON.stringify(version.sla),
          version.source,
        ],
      );
      const { rows } = await client.query<SignatureRow>(
        `INSERT INTO sla_signatures (connection_id, hash, team, signer_name, signer_email, signed_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (connection_id, hash, team)
         DO UPDATE SET signer_name = EXCLUDED.signer_name, signer_email = EXCLUDED.signer_email, signed_at = EXCLUDED.signed_at
         RETURNING ${SIGNATURE_COLUMNS}`,
        [connectionId, version.hash, signer.team, signer.name, signer.email, at],
      );
      await client.query(
        "INSERT INTO audit_log (connection_id, actor, action, subject, details, at) VALUES ($1, $2, 'sla.sign', $3, $4, $5)",
        [connectionId, `team:${signer.team}`, version.hash, JSON.stringify({ team: signer.team }), at],
      );
      const row = rows[0];
      if (row === undefined) throw new Error("signature insert returned no row");
      return toSignature(row);
    });
  }

  async publish(
    connectionId: string,
    hash: string,
    by: string,
    at: Date,
    decide: (facts: PublishFacts) => PublishPlan,
  ): Promise<SlaVersion> {
    return inTransaction(this.pool, async (client) => {
      // Every version of the connection is locked, so two publishes at once are decided one after the other.
      const versions = await client.query<VersionRow>(
        `SELECT ${VERSION_COLUMNS} FROM sla_versions WHERE connection_id = $1 ORDER BY hash FOR UPDATE`,
        [connectionId],
      );
      const candidate = versions.rows.find((v) => v.hash === hash);
      const signed = await client.query<{ team: Team }>(
        "SELECT team FROM sla_signatures WHERE connection_id = $1 AND hash = $2",
        [connectionId, hash],
      );
      const plan = decide({
        connectionId,
        hash,
        candidate: candidate === undefined ? null : toFacts(candidate),
        signedBy: signed.rows.map((r) => r.team),
        others: versions.rows.filter((v) => v.hash !== hash).map(toFacts),
      });
      await client.query(
        `UPDATE sla_versions SET status = 'superseded' WHERE connection_id = $1 AND hash = ANY($2)`,
        [connectionId, plan.supersede],
      );
      const updated = await client.query<VersionRow>(
        `UPDATE sla_versions SET status = 'published', published_at = $3, published_by = $4
         WHERE connection_id = $1 AND hash = $2 RETURNING ${VERSION_COLUMNS}`,
        [connectionId, hash, at, by],
      );
      const result = updated.rows[0];
      if (result === undefined) {
        throw new NotFoundError(`SLA version ${hash.slice(0, 19)}… vanished during publish`);
      }
      await client.query(
        "INSERT INTO audit_log (connection_id, actor, action, subject, details, at) VALUES ($1, $2, 'sla.publish', $3, $4, $5)",
        [
          connectionId,
          by,
          hash,
          JSON.stringify({ version: result.version, effective: result.effective }),
          at,
        ],
      );
      return toVersion(result, await signatures(client, connectionId, hash));
    });
  }
}

async function signatures(client: PoolClient, connectionId: string, hash: string): Promise<SlaSignature[]> {
  const { rows } = await client.query<SignatureRow>(
    `SELECT ${SIGNATURE_COLUMNS} FROM sla_signatures WHERE connection_id = $1 AND hash = $2 ORDER BY team`,
    [connectionId, hash],
  );
  return rows.map(toSignature);
}
