import type { StoredEvent } from "../adapters/postgres/event-store";
import type { Assignment } from "../adapters/postgres/assignment-store";
import { followUpDeadline, type BusinessCalendar } from "../domain/follow-up";
import { emailDomain, isIgnoredDomain } from "../domain/free-mail-domains";
import type { HandoffCardInput, HandoffTrigger } from "../domain/handoff-card";
import type { Activity, Lead } from "../domain/lead";
import type { LifecycleEvent, Qualification } from "../domain/lifecycle";
import type { CrmOwner, CrmPort } from "../ports/crm";
import type { ActiveSla, PipelineDeps } from "./pipeline-deps";

/** Everything known about one lead at the moment of the decision. */
export interface LeadContext {
  connectionId: string;
  crm: CrmPort;
  sla: ActiveSla;
  lead: Lead;
  activities: Activity[];
  history: LifecycleEvent[];
  owners: CrmOwner[];
  recordUrl: string | undefined;
}

/** How many recent activities scoring looks at (the card shows the last five views). */
const RECENT_ACTIVITY = 50;

/** The lead snapshot (one coalesced batch read), its recent activity (CRM + Handoff's own) and history. */
export async function loadLeadContext(deps: PipelineDeps, event: StoredEvent): Promise<LeadContext | null> {
  const crm = await deps.crmFor(event.connectionId);
  const sla = await deps.slaFor(event.connectionId);
  const [leads, recent, conversion, own, history, owners] = await Promise.all([
    crm.getLeads([event.objectId]),
    crm.getRecentActivities(event.objectId, RECENT_ACTIVITY),
    crm.getLastConversion(event.objectId),
    deps.leads.activities(event.connectionId, event.objectId, RECENT_ACTIVITY),
    deps.leads.history(event.connectionId, event.objectId),
    crm.listOwners(),
  ]);
  const lead = leads[0];
  if (!lead) return null;
  // The last conversion is evidence too (Salesforce has no activity feed; HubSpot may list it already).
  const crmActivities = [...recent];
  if (
    conversion &&
    !recent.some((a) => a.kind === "form_submission" && a.occurredAt === conversion.occurredAt)
  ) {
    crmActivities.push({
      kind: "form_submission",
      occurredAt: conversion.occurredAt,
      name: conversion.name,
      ...(conversion.pageUrl ? { url: conversion.pageUrl } : {}),
      ...(conversion.formId ? { id: conversion.formId } : {}),
    });
  }
  const seen = new Set(crmActivities.map((a) => a.id ?? `${a.kind}:${a.occurredAt}`));
  const activities = [...crmActivities, ...own.filter((a) => !seen.has(a.id ?? `${a.kind}:${a.occurredAt}`))];
  return {
    connectionId: event.connectionId,
    crm,
    sla,
    lead,
    activities,
    history,
    owners,
    recordUrl: deps.recordUrl(event.connectionId, lead.id),
  };
}

export interface Routed extends Assignment {
  startedAt: string;
  dueAt: string;
  calendar: BusinessCalendar | undefined;
}

/** Reads what routing needs fresh from the CRM, then lets the AssignmentStore decide and commit atomically. */
export async function routeLead(
  deps: PipelineDeps,
  event: StoredEvent,
  ctx: LeadContext,
  q: Qualification,
): Promise<Routed> {
  const rules = ctx.sla.sla.routing;
  const domain = emailDomain(ctx.lead.email);
  const [accounts, duplicates] = await Promise.all([
    rules.accountMatch && domain && !isIgnoredDomain(domain) ? ctx.crm.findAccountsByDomain(domain) : [],
    ctx.lead.email ? ctx.crm.findDuplicatesByEmail(ctx.lead.email, ctx.lead.id) : [],
  ]);
  const now = deps.now();
  const assignment = await deps.assignments.assign({
    connectionId: ctx.connectionId,
    lead: ctx.lead,
    rules,
    owners: ctx.owners.map((o) => ({
      id: o.id,
      active: o.active,
      kind: o.kind,
      ...(o.firstName || o.lastName ? { name: [o.firstName, o.lastName].filter(Boolean).join(" ") } : {}),
    })),
    accounts: accounts.map((a) => ({
      id: a.id,
      ...(a.domain ? { domain: a.domain } : {}),
      ...(a.ownerId ? { ownerId: a.ownerId } : {}),
      ...(a.employees !== undefined ? { employees: a.employees } : {}),
    })),
    duplicates: duplicates.map((d) => ({
      id: d.id,
      ...(d.ownerId ? { ownerId: d.ownerId } : {}),
      ...(d.updatedAt ? { updatedAt: d.updatedAt } : {}),
    })),
    now,
    eventKey: event.eventKey,
    slaHash: ctx.sla.hash,
    record: {
      inputs: { score: { fit: q.score.fit, engagement: q.score.engagement, total: q.score.total } },
      outcome: { stage: q.decision.stage, action: q.decision.action, reason: q.decision.reason },
    },
  });
  const calendar = calendarFor(deps, ctx, assignment.decision.repKey, now);
  const followUp = ctx.sla.sla.followUp;
  const startedAt = now.toISOString();
  const dueAt = followUpDeadline(startedAt, {
    minutes: followUp.firstTouch.minutes,
    maxMinutes: followUp.max.minutes,
    ...(followUp.businessHours && calendar ? { calendar } : {}),
  });
  return { ...assignment, startedAt, dueAt, calendar };
}

/** The owner's working calendar (or the SLA's zone on weekdays for the fallback queue). */
function calendarFor(
  deps: PipelineDeps,
  ctx: LeadContext,
  repKey: string | undefined,
  now: Date,
): BusinessCalendar {
  const rep = repKey ? ctx.sla.sla.routing.reps[repKey] : undefined;
  const timeZone = rep?.timezone ?? ctx.sla.sla.sla.timezone;
  const hours = rep?.hours ?? "Mon-Fri 09:00-17:00";
  const from = now.toISOString().slice(0, 10);
  const to = new Date(now.getTime() + 45 * 86_400_000).toISOString().slice(0, 10);
  const code = rep?.holidays;
  const holidays = code ? (deps.holidays.between([code], from, to)[code] ?? []) : [];
  return { hours, timeZone, holidays };
}

/** One line per reason, for the CRM's own views of the lead. */
export function scoreSummary(q: Qualification): string {
  const head = `fit ${q.score.fit} · engagement ${q.score.engagement} · total ${q.score.total} → ${q.decision.stage}`;
  return [head, ...q.score.reasons.map((r) => r.evidence)].join("\n").slice(0, 4000);
}

/** What the card is built from; stored with the handoff so the card is served without a CRM call. */
export function buildCardInput(ctx: LeadContext, q: Qualification, routed: Routed): HandoffCardInput {
  const sla = ctx.sla.sla;
  const firstTrigger = q.score.triggers[0];
  const triggerActivity = firstTrigger
    ? (ctx.activities.find((a) => a.occurredAt === firstTrigger.at) ?? {
        kind: "form_submission" as const,
        occurredAt: firstTrigger.at,
      })
    : undefined;
  const trigger: HandoffTrigger = triggerActivity
    ? { kind: "activity", activity: triggerActivity, rule: firstTrigger!.rule }
    : { kind: "threshold", occurredAt: routed.startedAt };
  const owner = routed.decision.ownerId
    ? ctx.owners.find((o) => o.id === routed.decision.ownerId)
    : undefined;
  const input: HandoffCardInput = {
    connectionId: ctx.connectionId,
    crm: ctx.crm.crm,
    lead: ctx.lead,
    trigger,
    score: {
      fit: q.score.fit,
      engagement: q.score.engagement,
      total: q.score.total,
      reasons: q.score.reasons.map((r) => ({
        rule: r.rule,
        points: r.points,
        evidence: r.evidence,
        axis: r.axis,
      })),
    },
    thresholds: { fit: sla.qualify.mql.fit, engagement: sla.qualify.mql.engagement },
    caps: sla.caps,
    activities: ctx.activities.slice(0, 50),
    owner: routed.decision.ownerId
      ? {
          id: routed.decision.ownerId,
          ...(owner
            ? { name: [owner.firstName, owner.lastName].filter(Boolean).join(" ") || routed.decision.ownerId }
            : {}),
          ...(owner?.email ? { email: owner.email } : {}),
        }
      : null,
    routingReasons: [
      routed.decision.reason,
      ...routed.decision.candidates.filter((c) => c.skipped).map((c) => `${c.rep}: ${c.skipped}`),
    ],
    followUp: { startedAt: routed.startedAt, dueAt: routed.dueAt, businessHours: sla.followUp.businessHours },
    stage: q.decision.stage,
    rejectReasons: sla.feedback.rejectReasons,
    handoffId: routed.decisionId,
    slaVersion: sla.sla.version,
  };
  if (ctx.recordUrl) input.recordUrl = ctx.recordUrl;
  return input;
}
