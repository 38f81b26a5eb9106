/**
 * SLA versions and sign-offs per connection. A version is identified by its canonical hash; publishing
 * needs both teams' signatures over that exact hash and an effective date. Every function takes the
 * connection id first and reads or writes only that connection's rows.
 */
import type { Pool, PoolClient } from "pg";
import { AppError, NotFoundError } from "../../domain/errors";
import type { Sla } from "../../domain/sla";
import { inTransaction } from "./transaction";

export type Team = "marketing" | "sales";
export const TEAMS: readonly Team[] = ["marketing", "sales"];

export interface SlaSignature {
  team: Team;
  name: string;
  email: string;
  signedAt: Date;
}

export interface SlaVersion {
  connectionId: string;
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

export interface ActiveSla {
  sla: Sla;
  hash: string;
}

/** Publishing was refused; the message lists what is missing and the hint how to get it. */
export class SlaPublishRefusedError extends AppError {
  readonly missing: string[];
  constructor(message: string, missing: string[], hint: string) {
    super("sla_publish_refused", message, { hint, details: { missing } });
    this.missing = missing;
  }
}

interface VersionRow {
  connection_id: string;
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
  "connection_id, hash, name, version, to_char(effective, 'YYYY-MM-DD') AS effective, status, created_at, published_at, published_by";

function toSignature(r: SignatureRow): SlaSignature {
  return { team: r.team, name: r.signer_name, email: r.signer_email, signedAt: r.signed_at };
}

function toVersion(r: VersionRow, signatures: SlaSignature[]): SlaVersion {
  return {
    connectionId: r.connection_id,
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

/** Stores a version (as a draft) unless that exact hash is already stored. */
export async function saveSlaVersion(
  pool: Pool | PoolClient,
  connectionId: string,
  version: { sla: Sla; hash: string; source: string },
): Promise<void> {
  await pool.query(
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
}

/**
 * Records one team's sign-off over an exact hash (storing the version if new). Signing again replaces that
 * team's earlier signature on the same hash.
 */
export async function signSla(
  pool: Pool,
  connectionId: string,
  version: { sla: Sla; hash: string; source: string },
  signer: { team: Team; name: string; email: string },
  now: Date,
): Promise<SlaSignature> {
  return inTransaction(pool, async (client) => {
    await saveSlaVersion(client, connectionId, version);
    const { rows } = await client.query<SignatureRow>(
      `INSERT INTO sla_signatures (connection_id, hash, team, signer_name, signer_email, signed_at)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (connection_id, hash, team)
       DO UPDATE SET signer_name = EXCLUDED.signer_name, signer_email = EXCLUDED.signer_email, signed_at = EXCLUDED.signed_at
       RETURNING hash, team, signer_name, signer_email, signed_at`,
      [connectionId, version.hash, signer.team, signer.name, signer.email, now],
    );
    await client.query(
      "INSERT INTO audit_log (connection_id, actor, action, subject, details, at) VALUES ($1, $2, 'sla.sign', $3, $4, $5)",
      [connectionId, `team:${signer.team}`, version.hash, JSON.stringify({ team: signer.team }), now],
    );
    const row = rows[0];
    if (row === undefined) throw new Error("signature insert returned no row");
    return toSignature(row);
  });
}

/** The signatures over one hash. */
export async function listSlaSignatures(
  pool: Pool | PoolClient,
  connectionId: string,
  hash: string,
): Promise<SlaSignature[]> {
  const { rows } = await pool.query<SignatureRow>(
    `SELECT hash, team, signer_name, signer_email, signed_at FROM sla_signatures
     WHERE connection_id = $1 AND hash = $2 ORDER BY team`,
    [connectionId, hash],
  );
  return rows.map(toSignature);
}

/**
 * Publishes a stored version. Refuses unless marketing and sales both signed this exact hash and the
 * document has an effective date. Versions in force earlier are marked superseded.
 */
export async function publishSla(
  pool: Pool,
  connectionId: string,
  hash: string,
  publishedBy: string,
  now: Date,
): Promise<SlaVersion> {
  return inTransaction(pool, async (client) => {
    const found = await client.query<VersionRow>(
      `SELECT ${VERSION_COLUMNS} FROM sla_versions WHERE connection_id = $1 AND hash = $2 FOR UPDATE`,
      [connectionId, hash],
    );
    const row = found.rows[0];
    const short = hash.slice(0, 19);
    if (row === undefined) {
      throw new SlaPublishRefusedError(
        `no signed version ${short}… for connection ${connectionId}`,
        ["marketing", "sales"],
        "Both teams sign this exact file first: handoff sla sign <file> --as marketing|sales --connection <id>",
      );
    }
    const signed = await client.query<{ team: Team }>(
      "SELECT team FROM sla_signatures WHERE connection_id = $1 AND hash = $2",
      [connectionId, hash],
    );
    const teams = new Set(signed.rows.map((r) => r.team));
    const missing: string[] = TEAMS.filter((t) => !teams.has(t));
    if (row.effective === null) missing.push("effective date");
    if (missing.length > 0) {
      throw new SlaPublishRefusedError(
        `cannot publish ${short}… for connection ${connectionId}: missing ${missing.join(", ")}`,
        missing,
        missing.includes("effective date")
          ? "Set sla.effective: YYYY-MM-DD in the file; the hash changes, so both teams sign again."
          : `Run handoff sla sign <file> --as ${missing.join("|")} over this exact file (any edit changes the hash).`,
      );
    }
    const clash = await client.query<{ hash: string }>(
      `SELECT hash FROM sla_versions WHERE connection_id = $1 AND name = $2 AND version = $3
       AND status <> 'draft' AND hash <> $4`,
      [connectionId, row.name, row.version, hash],
    );
    if (clash.rows.length > 0) {
      throw new SlaPublishRefusedError(
        `version ${row.version} of "${row.name}" was already published with different content`,
        ["new version number"],
        "Raise sla.version in the file, then sign and publish it.",
      );
    }
    await client.query(
      `UPDATE sla_versions SET status = 'superseded'
       WHERE connection_id = $1 AND status = 'published' AND hash <> $2 AND effective <= $3::date`,
      [connectionId, hash, row.effective],
    );
    const updated = await client.query<VersionRow>(
      `UPDATE sla_versions SET status = 'published', published_at = $3, published_by = $4
       WHERE connection_id = $1 AND hash = $2 RETURNING ${VERSION_COLUMNS}`,
      [connectionId, hash, now, publishedBy],
    );
    await client.query(
      "INSERT INTO audit_log (connection_id, actor, action, subject, details, at) VALUES ($1, $2, 'sla.publish', $3, $4, $5)",
      [
        connectionId,
        publishedBy,
        hash,
        JSON.stringify({ version: row.version, effective: row.effective }),
        now,
      ],
    );
    const result = updated.rows[0];
    if (result === undefined) throw new NotFoundError(`SLA version ${short}… vanished during publish`);
    return toVersion(result, await listSlaSignatures(client, connectionId, hash));
  });
}

/** Every stored version for a connection, newest first, with its sign-offs (for the dashboard). */
export async function listSlaVersions(pool: Pool, connectionId: string): Promise<SlaVersion[]> {
  const versions = await pool.query<VersionRow>(
    `SELECT ${VERSION_COLUMNS} FROM sla_versions WHERE connection_id = $1 ORDER BY created_at DESC, version DESC`,
    [connectionId],
  );
  const signatures = await pool.query<SignatureRow>(
    `SELECT hash, team, signer_name, signer_email, signed_at FROM sla_signatures WHERE connection_id = $1 ORDER BY team`,
    [connectionId],
  );
  return versions.rows.map((v) =>
    toVersion(v, signatures.rows.filter((s) => s.hash === v.hash).map(toSignature)),
  );
}

/** One stored version's document and source. */
export async function getSlaVersion(
  pool: Pool,
  connectionId: string,
  hash: string,
): Promise<{ sla: Sla; hash: string; source: string } | null> {
  const { rows } = await pool.query<{ document: Sla; source: string }>(
    "SELECT document, source FROM sla_versions WHERE connection_id = $1 AND hash = $2",
    [connectionId, hash],
  );
  const row = rows[0];
  return row === undefined ? null : { sla: row.document, hash, source: row.source };
}

/**
 * The SLA in force for a connection at `now`: the latest published version whose effective date has
 * come (in UTC days), or null when none has. Decisions record the returned hash.
 */
export async function getActiveSla(pool: Pool, connectionId: string, now: Date): Promise<ActiveSla | null> {
  const { rows } = await pool.query<{ document: Sla; hash: string }>(
    `SELECT document, hash FROM sla_versions
     WHERE connection_id = $1 AND status IN ('published', 'superseded') AND effective <= $2::date
     ORDER BY effective DESC, published_at DESC LIMIT 1`,
    [connectionId, now.toISOString().slice(0, 10)],
  );
  const row = rows[0];
  return row === undefined ? null : { sla: row.document, hash: row.hash };
}
