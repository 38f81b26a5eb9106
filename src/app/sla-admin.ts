import { isScalar, parseDocument } from "yaml";
import { AppError, InvalidPayloadError, NotFoundError } from "../domain/errors";
import type { Sla } from "../domain/sla";
import type { Clock } from "../ports/clock";
import { planPublish, type Team } from "../domain/sla-publish";
import type { RecentLeads } from "../ports/sla-admin";
import type { ActiveSla, SlaVersion, SlaVersionStore } from "../ports/sla-versions";
import { diffSla, type SlaChange } from "../sla/diff-sla";
import { checkSlaText, parseSla } from "../sla/load-sla";
import { parsePreviewLeads, previewLeads, type LeadPreview, type PreviewInput } from "../sla/preview";
import { registerRoutingPreview } from "../sla/preview-routing";
import type { SlaProblem } from "../sla/sla-problem";

export interface SlaAdminDeps {
  versions: SlaVersionStore;
  recentLeads: RecentLeads;
  connectionExists(connectionId: string): Promise<boolean>;
  /** The text of the SLA in force: the published version's, or the file an unpublished connection runs on. */
  liveSource(connectionId: string): Promise<{ source: string; hash: string; published: boolean }>;
  /** The SLA in force for a connection: "live" in every comparison. */
  slaFor(connectionId: string): Promise<ActiveSla>;
  now: Clock;
}

/** The file name problems are reported against on the SLA page. */
const DRAFT_FILE = "draft.yaml";
/** Real leads a preview takes at most. */
export const PREVIEW_MAX_LEADS = 200;

export interface SlaCheck {
  ok: boolean;
  hash: string | null;
  version: number | null;
  errors: number;
  warnings: number;
  problems: SlaProblem[];
}

/** `POST /admin/api/sla/check`: every problem of a draft with its line, column and field (`handoff sla lint`). */
export function checkDraft(text: string): SlaCheck {
  const report = checkSlaText(text, DRAFT_FILE);
  const errors = report.problems.filter((p) => p.severity === "error").length;
  return {
    ok: errors === 0,
    hash: errors === 0 ? (report.hash ?? null) : null,
    version: report.sla?.sla.version ?? null,
    errors,
    warnings: report.problems.length - errors,
    problems: report.problems,
  };
}

/** One lead under the live SLA and the draft, and what changes. */
export interface PreviewComparison {
  leadId: string;
  /** `recent` (a real lead of the connection) or `sample` (pasted, with its line). */
  from: "recent" | "sample";
  line: number | null;
  live: PreviewSide;
  draft: PreviewSide;
  changes: ("stage" | "owner" | "score")[];
}

export interface PreviewSide {
  fit: number;
  engagement: number;
  total: number;
  stage: string;
  handoff: boolean;
  action: string;
  reason: string;
  owner: string | null;
  routing: string | null;
  reasons: string[];
}

export interface SlaPreview {
  at: string;
  live: { name: string; version: number; hash: string };
  draft: { name: string; version: number; hash: string };
  leads: PreviewComparison[];
  sampleErrors: { line: number; message: string }[];
  summary: {
    leads: number;
    stageChanges: number;
    ownerChanges: number;
    scoreChanges: number;
    handoffsLive: number;
    handoffsDraft: number;
  };
}

/**
 * `POST /admin/api/sla/preview` (`handoff preview`, side by side): the draft and the live SLA on the
 * connection's last `last` real leads and on pasted NDJSON sample leads, at the same instant, each lead
 * routed by a simulation in order; nothing is written. Says who would change stage, owner or score.
 */
export async function previewDraft(
  deps: SlaAdminDeps,
  request: { connectionId: string; draft: string; last: number; samples?: string },
): Promise<SlaPreview> {
  const draft = parseSla(request.draft, DRAFT_FILE);
  const live = await deps.slaFor(request.connectionId);
  const at = deps.now().toISOString();
  const recent = request.last > 0 ? await deps.recentLeads.recent(request.connectionId, request.last) : [];
  const parsed = request.samples ? parsePreviewLeads(request.samples) : { inputs: [], errors: [] };
  const inputs: (PreviewInput & { from: "recent" | "sample" })[] = [
    ...recent.map((r, i) => ({
      line: i + 1,
      lead: r.lead,
      activities: r.activities,
      history: [],
      from: "recent" as const,
    })),
    ...parsed.inputs.map((p) => ({ ...p, from: "sample" as const })),
  ];
  registerRoutingPreview();
  const [liveRows, draftRows] = [
    await previewLeads(inputs, live.sla, at),
    await previewLeads(inputs, draft.sla, at),
  ];
  const leads = inputs.map((input, i): PreviewComparison => {
    const a = side(liveRows[i]!);
    const b = side(draftRows[i]!);
    const changes: PreviewComparison["changes"] = [];
    if (a.stage !== b.stage || a.handoff !== b.handoff) changes.push("stage");
    if (a.owner !== b.owner) changes.push("owner");
    if (a.total !== b.total || a.fit !== b.fit || a.engagement !== b.engagement) changes.push("score");
    return {
      leadId: input.lead.id,
      from: input.from,
      line: input.from === "sample" ? input.line : null,
      live: a,
      draft: b,
      changes,
    };
  });
  return {
    at,
    live: { name: live.sla.sla.name, version: live.sla.sla.version, hash: live.hash },
    draft: { name: draft.sla.sla.name, version: draft.sla.sla.version, hash: draft.hash },
    leads,
    sampleErrors: parsed.errors,
    summary: {
      leads: leads.length,
      stageChanges: leads.filter((l) => l.changes.includes("stage")).length,
      ownerChanges: leads.filter((l) => l.changes.includes("owner")).length,
      scoreChanges: leads.filter((l) => l.changes.includes("score")).length,
      handoffsLive: leads.filter((l) => l.live.handoff).length,
      handoffsDraft: leads.filter((l) => l.draft.handoff).length,
    },
  };
}

function side(row: LeadPreview): PreviewSide {
  const routing = row.extra.routing?.data as {
    ownerId: string | null;
    rep: string | null;
    reason: string;
  } | null;
  return {
    fit: row.score.fit,
    engagement: row.score.engagement,
    total: row.score.total,
    stage: row.decision.stage,
    handoff: row.decision.handoff,
    action: row.decision.action,
    reason: row.decision.reason,
    owner: routing ? (routing.rep ?? routing.ownerId) : null,
    routing: routing?.reason ?? null,
    reasons: row.score.reasons.map((r) => r.evidence),
  };
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/**
 * `POST /admin/api/sla/sign` (`handoff sla sign`): one team's sign-off over the exact text (its canonical
 * hash), with name, e-mail and the time it was recorded.
 */
export async function signDraft(
  deps: Pick<SlaAdminDeps, "versions" | "now">,
  request: { connectionId: string; source: string; team: Team; name: string; email: string },
) {
  const issues = [];
  if (request.name.trim() === "") issues.push({ path: "name", message: "the signer's name is required" });
  if (!EMAIL.test(request.email)) issues.push({ path: "email", message: "not an e-mail address" });
  if (issues.length > 0) {
    throw new InvalidPayloadError(
      "the sign-off needs a name and an e-mail",
      issues,
      "e.g. Ana Ruiz, ana@acme.com",
    );
  }
  const loaded = parseSla(request.source, DRAFT_FILE);
  const at = deps.now();
  const signature = await deps.versions.sign(
    request.connectionId,
    { sla: loaded.sla, hash: loaded.hash, source: request.source },
    { team: request.team, name: request.name.trim(), email: request.email.trim() },
    at,
  );
  const version = (await deps.versions.list(request.connectionId)).find((v) => v.hash === loaded.hash);
  const signed = new Set(version?.signatures.map((s) => s.team) ?? [request.team]);
  return {
    hash: loaded.hash,
    version: loaded.sla.sla.version,
    signature: {
      team: signature.team,
      name: signature.name,
      email: signature.email,
      signedAt: signature.signedAt.toISOString(),
    },
    signedBy: { marketing: signed.has("marketing"), sales: signed.has("sales") },
    readyToPublish: signed.has("marketing") && signed.has("sales") && loaded.sla.sla.effective !== undefined,
  };
}

/**
 * `POST /admin/api/sla/publish` (`handoff sla publish`): makes a signed version the connection's SLA. When the
 * text is sent too, it must be the exact text signed (same hash). Refused by the publish policy
 * (`planPublish`) unless both teams signed it, it has an effective date and its version number is new.
 */
export async function publishVersion(
  deps: Pick<SlaAdminDeps, "versions" | "now">,
  request: { connectionId: string; hash: string; source?: string; by: string },
) {
  if (request.source !== undefined) {
    const { hash } = parseSla(request.source, DRAFT_FILE);
    if (hash !== request.hash) {
      throw new AppError("sla_text_changed", "the text differs from the version that was signed", {
        hint: "Any edit changes the hash: both teams sign the text as it is now, then publish it.",
      });
    }
  }
  const version = await deps.versions.publish(
    request.connectionId,
    request.hash,
    request.by,
    deps.now(),
    planPublish,
  );
  return {
    hash: version.hash,
    version: version.version,
    effective: version.effective,
    status: version.status,
    publishedAt: version.publishedAt?.toISOString() ?? null,
    signedBy: version.signatures.map((s) => ({ team: s.team, signedAt: s.signedAt.toISOString() })),
  };
}

/**
 * Roll back = publish an earlier version again: its text with the next free version number and today as the
 * effective date (so it takes over from the version in force). The result is a new hash, which both teams
 * sign again before it is published; the earlier version's signatures never carry over.
 */
export async function rollbackDraft(deps: SlaAdminDeps, request: { connectionId: string; hash: string }) {
  const earlier = await deps.versions.get(request.connectionId, request.hash);
  if (earlier === null) {
    throw new NotFoundError(
      `no SLA version ${request.hash.slice(0, 19)}… for connection ${request.connectionId}`,
      "Take the hash from GET /admin/api/sla/versions.",
    );
  }
  const versions = await deps.versions.list(request.connectionId);
  const next = Math.max(0, ...versions.map((v) => v.version)) + 1;
  const today = deps.now().toISOString().slice(0, 10);
  const source = replaceScalars(earlier.source, [
    [["sla", "version"], String(next)],
    [["sla", "effective"], today],
  ]);
  const loaded = parseSla(source, DRAFT_FILE);
  return {
    source,
    hash: loaded.hash,
    version: next,
    effective: today,
    from: { hash: earlier.hash, version: earlier.sla.sla.version },
  };
}

/**
 * Replaces scalar values in YAML text in place (by the parser's offsets), so everything else — the admins'
 * comments, flow lists, spacing — stays byte for byte as it was.
 */
function replaceScalars(text: string, edits: [string[], string][]): string {
  const doc = parseDocument(text);
  const spans = edits.map(([path, value]) => {
    const node = doc.getIn(path, true);
    if (!isScalar(node) || !node.range) {
      throw new AppError("sla_field_missing", `the earlier version has no ${path.join(".")} to change`, {
        hint: "Edit it as a draft instead: set sla.version and sla.effective by hand.",
      });
    }
    return { start: node.range[0], end: node.range[1], value };
  });
  let out = text;
  for (const span of spans.sort((a, b) => b.start - a.start)) {
    out = out.slice(0, span.start) + span.value + out.slice(span.end);
  }
  return out;
}

/** The text of a stored version, as submitted (comments included), to read it or start a draft from it. */
export async function versionSource(deps: SlaAdminDeps, connectionId: string, hash: string) {
  const found = await deps.versions.get(connectionId, hash);
  if (found === null) {
    throw new NotFoundError(
      `no SLA version ${hash.slice(0, 19)}… for connection ${connectionId}`,
      "Take the hash from GET /admin/api/sla/versions.",
    );
  }
  return { hash: found.hash, version: found.sla.sla.version, name: found.sla.sla.name, source: found.source };
}

/** The SLA in force as text (`GET /admin/api/sla/live`): where a new draft starts. */
export async function liveSource(deps: SlaAdminDeps, connectionId: string) {
  const live = await deps.liveSource(connectionId);
  const { sla } = parseSla(live.source, DRAFT_FILE);
  return { ...live, version: sla.sla.version, name: sla.sla.name };
}

/** What the dashboard shows of a version: sign-offs by team with name and time (no e-mail addresses). */
function versionJson(v: SlaVersion) {
  return {
    hash: v.hash,
    name: v.name,
    version: v.version,
    effective: v.effective,
    status: v.status,
    createdAt: v.createdAt.toISOString(),
    publishedAt: v.publishedAt?.toISOString() ?? null,
    signatures: v.signatures.map((s) => ({ team: s.team, name: s.name, signedAt: s.signedAt.toISOString() })),
    signedBy: {
      marketing: v.signatures.some((s) => s.team === "marketing"),
      sales: v.signatures.some((s) => s.team === "sales"),
    },
  };
}

function vocabularyJson(sla: Sla) {
  const { attract, convert, close, extra } = sla.vocabulary;
  return {
    pairs: [
      { marketing: "attract", sales: attract },
      { marketing: "convert", sales: convert },
      { marketing: "close", sales: close },
      ...Object.entries(extra).map(([marketing, sales]) => ({ marketing, sales })),
    ],
  };
}

/** A connection's versions, newest first with their sign-offs (`handoff sla versions`). */
export async function listVersions(
  deps: Pick<SlaAdminDeps, "versions">,
  connectionId: string,
): Promise<SlaVersion[]> {
  return deps.versions.list(connectionId);
}

/**
 * `GET /admin/api/sla/versions`: versions newest first with sign-off status, plus the in-force (or newest)
 * version's hash, funnel vocabulary, rep keys and commitment.
 */
export async function versionsOverview(deps: Pick<SlaAdminDeps, "versions" | "now">, connectionId: string) {
  const versions = await deps.versions.list(connectionId);
  const active = await deps.versions.active(connectionId, deps.now());
  const shown = active ?? (versions[0] ? await deps.versions.get(connectionId, versions[0].hash) : null);
  return {
    versions: versions.map(versionJson),
    current: shown
      ? {
          hash: shown.hash,
          inForce: active !== null,
          name: shown.sla.sla.name,
          version: shown.sla.sla.version,
          vocabulary: vocabularyJson(shown.sla),
          reps: Object.keys(shown.sla.routing.reps),
          commitment: shown.sla.commitment,
        }
      : null,
  };
}

/** `GET /admin/api/sla/diff`: what changed from stored version `a` to stored version `b`. */
export async function diffVersions(
  deps: Pick<SlaAdminDeps, "versions">,
  request: { connectionId: string; a: string; b: string },
): Promise<{
  a: { hash: string; version: number; name: string };
  b: { hash: string; version: number; name: string };
  changes: SlaChange[];
}> {
  const { connectionId, a, b } = request;
  const [before, after] = await Promise.all([
    deps.versions.get(connectionId, a),
    deps.versions.get(connectionId, b),
  ]);
  if (before === null || after === null) {
    throw new NotFoundError(
      `no SLA version ${(before === null ? a : b).slice(0, 19)}… for connection ${connectionId}`,
      "Take both hashes from GET /admin/api/sla/versions.",
    );
  }
  return {
    a: { hash: a, version: before.sla.sla.version, name: before.sla.sla.name },
    b: { hash: b, version: after.sla.sla.version, name: after.sla.sla.name },
    changes: diffSla(before.sla, after.sla),
  };
}
