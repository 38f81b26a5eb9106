import { computePace, quarterBounds } from "../../domain/pace";
import {
  channelsByWeek,
  followUpCompliance,
  funnelLabels,
  poolFairness,
  salesFeedback,
  type ChannelFact,
  type HandoffFact,
} from "../../domain/reports";
import type { Clock } from "../../ports/clock";
import type { ReportReader } from "../../ports/report-reading";
import type { ActiveSla } from "../pipeline-deps";
import type {
  ChannelsReport,
  ComplianceReport,
  FairnessReport,
  FeedbackReport,
  PaceReport,
  ReportEnvelope,
} from "./types";

/** What the report use cases read from: the stored rows, the connection's SLA in force and the clock. */
export interface ReportDeps {
  reports: ReportReader;
  slaFor: (connectionId: string) => Promise<ActiveSla>;
  now: Clock;
}

export interface ReportWindow {
  from: Date;
  to: Date;
}

function envelope(connectionId: string, sla: ActiveSla, now: Date, window: ReportWindow): ReportEnvelope {
  return {
    connectionId,
    generatedAt: now.toISOString(),
    from: window.from.toISOString(),
    to: window.to.toISOString(),
    timezone: sla.sla.sla.timezone,
    slaVersion: sla.sla.sla.version,
    labels: funnelLabels(sla.sla.vocabulary),
  };
}

/** Weekly MQLs of the current quarter (SLA zone) against the commitment. */
export async function getPaceReport(deps: ReportDeps, connectionId: string): Promise<PaceReport> {
  const sla = await deps.slaFor(connectionId);
  const now = deps.now();
  const bounds = quarterBounds(now, sla.sla.sla.timezone);
  const window = { from: new Date(bounds.startAt), to: now };
  const mqlAt = await deps.reports.mqlInstants(connectionId, window.from, new Date(bounds.endAt));
  const pace = computePace({
    mqlAt,
    commitment: sla.sla.commitment.mqlPerQuarter,
    timezone: sla.sla.sla.timezone,
    now,
  });
  return { ...envelope(connectionId, sla, now, window), pace };
}

export async function getComplianceReport(
  deps: ReportDeps,
  connectionId: string,
  window: ReportWindow,
): Promise<ComplianceReport> {
  const sla = await deps.slaFor(connectionId);
  const now = deps.now();
  const handoffs = await deps.reports.handoffFacts(connectionId, window.from, window.to);
  return {
    ...envelope(connectionId, sla, now, window),
    firstTouch: sla.sla.followUp.firstTouch.text,
    ...followUpCompliance(handoffs, now),
  };
}

export async function getFeedbackReport(
  deps: ReportDeps,
  connectionId: string,
  window: ReportWindow,
): Promise<FeedbackReport> {
  const sla = await deps.slaFor(connectionId);
  const handoffs = await deps.reports.handoffFacts(connectionId, window.from, window.to);
  return { ...envelope(connectionId, sla, deps.now(), window), ...salesFeedback(handoffs) };
}

export async function getChannelsReport(
  deps: ReportDeps,
  connectionId: string,
  window: ReportWindow,
): Promise<ChannelsReport> {
  const sla = await deps.slaFor(connectionId);
  const handoffs = await deps.reports.handoffFacts(connectionId, window.from, window.to);
  // Leads never handed over carry their channel only in the property values of their events.
  const history = await deps.reports.leadHistory(connectionId, { since: window.from, until: window.to });
  const byId = new Map(history.ids.map((id, i) => [id, history.leads[i]?.lead]));
  const sourceOf = (leadId: string): HandoffFact["source"] | undefined => {
    const lead = byId.get(leadId);
    if (!lead) return undefined;
    return {
      leadSource: lead.leadSource ?? null,
      source: lead.utm?.source ?? null,
      medium: lead.utm?.medium ?? null,
      campaign: lead.utm?.campaign ?? null,
    };
  };
  const [sightings, leadOf] = await Promise.all([
    deps.reports.leadSightings(connectionId, window.from, window.to),
    deps.reports.handoffLeads(connectionId, window.from, window.to),
  ]);
  // Each handoff (with its source) in its week, and every other lead seen at its first event in the window.
  const facts: ChannelFact[] = handoffs.map((h) => ({
    leadId: leadOf.get(h.id) ?? h.id,
    at: h.startedAt,
    source: h.source,
    handoff: h.status,
  }));
  const handed = new Set(facts.map((f) => f.leadId));
  for (const seen of sightings) {
    if (handed.has(seen.leadId)) continue;
    facts.push({ leadId: seen.leadId, at: seen.at, source: sourceOf(seen.leadId) ?? {}, handoff: null });
  }
  return {
    ...envelope(connectionId, sla, deps.now(), window),
    rows: channelsByWeek(facts, sla.sla.sla.timezone),
  };
}

export async function getFairnessReport(
  deps: ReportDeps,
  connectionId: string,
  window: ReportWindow,
): Promise<FairnessReport> {
  const sla = await deps.slaFor(connectionId);
  const [handoffs, absences] = await Promise.all([
    deps.reports.handoffFacts(connectionId, window.from, window.to),
    deps.reports.absences(connectionId, window.from, window.to),
  ]);
  const pools = poolFairness({
    pools: sla.sla.routing.pools,
    reps: sla.sla.routing.reps,
    handoffs,
    absences,
    from: window.from,
    to: window.to,
  });
  return { ...envelope(connectionId, sla, deps.now(), window), pools };
}
