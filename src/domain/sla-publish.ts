/**
 * The publish policy of the SLA both teams sign: what may be published, and what it takes over from. Pure: the
 * store reads the facts (under one lock), this decides, the store writes the plan.
 */
import { AppError } from "./errors";

export type Team = "marketing" | "sales";
/** The two teams whose sign-off every published version needs. */
export const TEAMS: readonly Team[] = ["marketing", "sales"];

/** A stored version as the policy sees it. */
export interface VersionFacts {
  hash: string;
  name: string;
  version: number;
  /** YYYY-MM-DD, or null when the document has no `sla.effective`. */
  effective: string | null;
  status: "draft" | "published" | "superseded";
}

/** What is known about a publish request. */
export interface PublishFacts {
  connectionId: string;
  hash: string;
  /** The version asked for; null when this hash was never stored (nobody signed it). */
  candidate: VersionFacts | null;
  /** Teams that signed this exact hash. */
  signedBy: readonly Team[];
  /** The connection's other stored versions. */
  others: readonly VersionFacts[];
}

/** What publishing does besides marking the candidate published. */
export interface PublishPlan {
  /** Published versions the candidate takes over from (effective on or before its date): now superseded. */
  supersede: string[];
}

/** Publishing was refused; the message lists what is missing and the hint how to get it. */
export class SlaPublishRefusedError extends AppError {
  readonly missing: string[];
  constructor(message: string, missing: string[], hint: string) {
    super("sla_publish_refused", message, { hint, details: { missing } });
    this.missing = missing;
  }
}

/**
 * Decides a publish: refused unless marketing and sales both signed this exact hash, the document has an
 * effective date, and its version number was not published before with other content. Versions in force
 * from an earlier (or the same) date are superseded.
 * @example planPublish({ connectionId: "hs-1", hash, candidate, signedBy: ["marketing", "sales"], others: [] })
 */
export function planPublish(facts: PublishFacts): PublishPlan {
  const { candidate, connectionId } = facts;
  const short = facts.hash.slice(0, 19);
  if (candidate === null) {
    throw new SlaPublishRefusedError(
      `no signed version ${short}… for connection ${connectionId}`,
      [...TEAMS],
      "Both teams sign this exact file first: handoff sla sign <file> --as marketing|sales --connection <id>",
    );
  }
  const missing: string[] = TEAMS.filter((t) => !facts.signedBy.includes(t));
  if (candidate.effective === null) missing.push("effective date");
  if (missing.length > 0) {
    throw new SlaPublishRefusedError(
      `cannot publish ${short}… for connection ${connectionId}: missing ${missing.join(", ")}`,
      missing,
      missing.includes("effective date")
        ? "Set sla.effective: YYYY-MM-DD in the file; the hash changes, so both teams sign again."
        : `Run handoff sla sign <file> --as ${missing.join("|")} over this exact file (any edit changes the hash).`,
    );
  }
  const others = facts.others.filter((v) => v.hash !== candidate.hash);
  const clash = others.some(
    (v) => v.status !== "draft" && v.name === candidate.name && v.version === candidate.version,
  );
  if (clash) {
    throw new SlaPublishRefusedError(
      `version ${candidate.version} of "${candidate.name}" was already published with different content`,
      ["new version number"],
      "Raise sla.version in the file, then sign and publish it.",
    );
  }
  const effective = candidate.effective;
  return {
    supersede: others
      .filter((v) => v.status === "published" && v.effective !== null && v.effective <= (effective ?? ""))
      .map((v) => v.hash),
  };
}
