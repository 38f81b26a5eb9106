import { NotFoundError } from "../domain/errors";
import { qualifyLead } from "../domain/lifecycle";
import type { CandidateReport, RoutingDecision } from "../domain/routing-snapshot";
import type { Sla } from "../domain/sla";
import type { Clock } from "../ports/clock";
import type {
  LeadMatch,
  LeadStoryReader,
  LeadStoryRecords,
  StoryDecision,
  StorySlaVersion,
} from "../ports/lead-story";
import type { ReplayDraft, ReplayResult } from "./replay-decision";

export interface LeadStoryDeps {
  stories: LeadStoryReader;
  /** Re-runs a stored routing decision (bit for bit), or with a draft's routing rules. */
  replay(connectionId: string, decisionId: string, draft?: ReplayDraft): Promise<ReplayResult>;
  /** The SLA in force for the connection (what "live" means next to a draft). */
  slaFor(connectionId: string): Promise<{ sla: Sla; hash: string }>;
  now: Clock;
}

/** How many events the story shows (the newest): a lead with years of page views stays readable. */
export const STORY_EVENTS = 500;

/** One candidate of a routing decision, and why it was chosen or skipped, in words. */
export interface CandidateLine {
  rep: string;
  ownerId: string | null;
  chosen: boolean;
  eligible: boolean;
  why: string;
  weight: number | null;
}

/** A routing decision as the story shows it: who got the lead, by which rule, and every candidate. */
export interface DecisionStory {
  id: string;
  at: string;
  eventKey: string | null;
  sla: StorySlaVersion | { hash: string | null; name: null; version: null; status: "file" | "unknown" };
  score: { fit: number; engagement: number; total: number } | null;
  stage: { stage: string; action: string; reason: string } | null;
  routing: {
    method: string;
    ownerId: string | null;
    repKey: string | null;
    territory: string | null;
    pool: string | null;
    reason: string;
    steps: string[];
    candidates: CandidateLine[];
  } | null;
}

export type LeadStory = Omit<LeadStoryRecords, "decisions" | "snapshot"> & {
  connectionId: string;
  leadId: string;
  decisions: DecisionStory[];
  /** Whether a draft can be tried on this lead (Handoff holds a snapshot of it). */
  canTryDraft: boolean;
  limits: { events: number };
};

/** Leads of one connection by CRM id or e-mail (`GET /admin/api/leads?connectionId=&q=`). */
export async function findLeads(
  deps: LeadStoryDeps,
  connectionId: string,
  query: string,
): Promise<LeadMatch[]> {
  return deps.stories.find(connectionId, query.trim(), 20);
}

/**
 * "Why did this lead go to Ben?": everything Handoff stored about one lead, oldest first — events, score
 * over time with reasons, lifecycle changes and who made them, each routing decision with every candidate,
 * the SLA version used, task, messages, follow-up clock and feedback.
 */
export async function getLeadStory(
  deps: LeadStoryDeps,
  connectionId: string,
  leadId: string,
): Promise<LeadStory> {
  const records = await deps.stories.read(connectionId, leadId, { events: STORY_EVENTS });
  if (
    records.events.length === 0 &&
    records.state === null &&
    records.handoffs.length === 0 &&
    records.decisions.length === 0
  ) {
    throw new NotFoundError(
      `no lead ${leadId} in connection ${connectionId}`,
      "Search by the CRM record id or the lead's e-mail (GET /admin/api/leads?connectionId=…&q=…).",
    );
  }
  const { snapshot, decisions, ...rest } = records;
  return {
    connectionId,
    leadId,
    ...rest,
    decisions: decisions.map((d) => decisionStory(d, records.slaVersions)),
    canTryDraft: snapshot !== null,
    limits: { events: STORY_EVENTS },
  };
}

function decisionStory(d: StoryDecision, versions: StorySlaVersion[]): DecisionStory {
  const routing = d.outcome.routing as RoutingDecision | undefined;
  const score = d.inputs.score as DecisionStory["score"] | undefined;
  const stage = d.outcome.stage as string | undefined;
  const version = versions.find((v) => v.hash === d.slaHash);
  return {
    id: d.id,
    at: d.createdAt,
    eventKey: d.eventKey,
    sla: version ?? {
      hash: d.slaHash,
      name: null,
      version: null,
      // A hash no stored version has: the connection ran on the SLA file before anything was published.
      status: d.slaHash ? "file" : "unknown",
    },
    score: score ?? null,
    stage:
      stage === undefined
        ? null
        : {
            stage,
            action: String(d.outcome.action ?? ""),
            reason: String(d.outcome.reason ?? ""),
          },
    routing: routing
      ? {
          method: routing.method,
          ownerId: routing.ownerId ?? null,
          repKey: routing.repKey ?? null,
          territory: routing.territory ?? null,
          pool: routing.pool ?? null,
          reason: routing.reason,
          steps: routing.steps ?? [],
          candidates: (routing.candidates ?? []).map((c) => candidateLine(c, routing)),
        }
      : null,
  };
}

function candidateLine(c: CandidateReport, routing: RoutingDecision): CandidateLine {
  const chosen = routing.repKey !== undefined && c.rep === routing.repKey;
  return {
    rep: c.rep,
    ownerId: c.ownerId ?? null,
    chosen,
    eligible: c.eligible,
    why: chosen
      ? `chosen: ${routing.reason}`
      : (c.skipped ??
        (c.eligible
          ? `eligible, not next${c.credit !== undefined ? ` (credit ${Math.round(c.credit * 100) / 100})` : ""}`
          : "not eligible")),
    weight: c.weight ?? null,
  };
}

/** The replay of one stored decision of this lead: bit for bit, or with a draft's routing rules. */
export async function replayLeadDecision(
  deps: LeadStoryDeps,
  connectionId: string,
  decisionId: string,
  draft?: ReplayDraft,
): Promise<ReplayResult> {
  return deps.replay(connectionId, decisionId, draft);
}

/** What a draft SLA would do to this lead, next to the live SLA: score, stage and every routing decision. */
export interface DraftOnLead {
  at: string;
  live: {
    slaVersion: number;
    fit: number;
    engagement: number;
    total: number;
    stage: string;
    handoff: boolean;
    reason: string;
  };
  draft: {
    slaVersion: number;
    fit: number;
    engagement: number;
    total: number;
    stage: string;
    handoff: boolean;
    reason: string;
  };
  /** Score lines that differ (by rule and evidence). */
  reasons: { live: string[]; draft: string[] };
  decisions: {
    id: string;
    sameOwner: boolean;
    liveOwner: string | null;
    draftOwner: string | null;
    lines: string[];
  }[];
}

/**
 * Scores and stages the lead's snapshot under the live SLA and under the draft at the snapshot's instant,
 * and replays each of its routing decisions with the draft's routing rules. Nothing is written.
 */
export async function tryDraftOnLead(
  deps: LeadStoryDeps,
  connectionId: string,
  leadId: string,
  draft: ReplayDraft,
): Promise<DraftOnLead> {
  const records = await deps.stories.read(connectionId, leadId, { events: 1 });
  if (records.snapshot === null) {
    throw new NotFoundError(
      `Handoff holds no snapshot of lead ${leadId} to try a draft on`,
      "A lead is snapshotted when it is routed; preview sample leads on the SLA page instead.",
    );
  }
  const { lead, activities, at } = records.snapshot;
  const live = await deps.slaFor(connectionId);
  const side = (sla: Sla) => {
    const q = qualifyLead(lead, activities, [], sla, at);
    return {
      q,
      figures: {
        slaVersion: sla.sla.version,
        fit: q.score.fit,
        engagement: q.score.engagement,
        total: q.score.total,
        stage: q.decision.stage,
        handoff: q.decision.handoff,
        reason: q.decision.reason,
      },
    };
  };
  const a = side(live.sla);
  const b = side(draft.sla);
  const liveLines = a.q.score.reasons.map((r) => r.evidence);
  const draftLines = b.q.score.reasons.map((r) => r.evidence);
  const decisions = [];
  for (const d of records.decisions.filter((x) => x.outcome.routing !== undefined)) {
    const r = await deps.replay(connectionId, d.id, draft);
    decisions.push({
      id: d.id,
      sameOwner: r.identical,
      liveOwner: r.stored.ownerId ?? null,
      draftOwner: r.replayed.ownerId ?? null,
      lines: r.lines,
    });
  }
  return {
    at,
    live: a.figures,
    draft: b.figures,
    reasons: {
      live: liveLines.filter((l) => !draftLines.includes(l)),
      draft: draftLines.filter((l) => !liveLines.includes(l)),
    },
    decisions,
  };
}
