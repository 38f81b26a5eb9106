import type { StoredEvent } from "../ports/events";
import type { Assignment } from "../ports/assignments";
import { followUpDeadline, type BusinessCalendar } from "../domain/follow-up";
import { chooseFollowUpTier, tierFacts, type ChosenTier } from "../domain/follow-up-tier";
import { emailDomain, isIgnoredDomain } from "../domain/free-mail-domains";
import { fieldsUsedBySla } from "../domain/sla-fields";
import type { HandoffCardInput, HandoffTrigger } from "../domain/handoff-card";
import type { Lead } from "../domain/lead";
import type { Qualification } from "../domain/lifecycle";
import { AppError } from "../domain/errors";
import type { CrmAccount } from "../ports/crm";
import type { Logger } from "../ports/logger";
import { ownerCalendar } from "./follow-up";
import { followUpTaskOwner } from "./follow-up-task-owner";
import type { LeadContext, PipelineDeps } from "./pipeline-deps";

export type { LeadContext } from "./pipeline-deps";

/** Everything known about one lead at the moment of the decision. */
/** How many recent activities scoring looks at (the card shows the last five views). */
const RECENT_ACTIVITY = 50;

/** Attempts of an event that a passing CRM fault on optional context may fail before the handoff goes on without it. */
export const OPTIONAL_CONTEXT_RETRIES = 2;

/**
 * Context that only enriches the card (content views, conversion details, the account): when the CRM refuses or
 * fails it, the handoff goes on without it; the failure is logged and named on the card, never parks the event.
 */
export async function optionalContext<T>(
  what: string,
  load: () => Promise<T>,
  fallback: T,
  gaps: string[],
  log: Logger | undefined,
  attempts = OPTIONAL_CONTEXT_RETRIES,
): Promise<T> {
  try {
    return await load();
  } catch (e) {
    // A passing fault (a 429, a 5xx) is retried with the event first: deciding on partial context could miss
    // the "contact me" conversion that makes this lead urgent. Only a refusal, or a fault that outlasts a few
    // attempts, lets the handoff go on without it.
    if (e instanceof AppError && e.retryable && attempts < OPTIONAL_CONTEXT_RETRIES) throw e;
    const code = e instanceof AppError ? e.code : "unexpected";
    log?.warn("optional lead context not loaded", { what, code });
    gaps.push(`${what}: not loaded (${code})`);
    return fallback;
  }
}

/**
 * The lead snapshot (one coalesced batch read), its recent activity (CRM + Handoff's own) and history. Only the
 * lead itself (and the owners routing needs) are required; content views and the last conversion are optional.
 */
export async function loadLeadContext(
  deps: PipelineDeps,
  event: StoredEvent,
  log?: Logger,
): Promise<LeadContext | null> {
  const crm = await deps.crmFor(event.connectionId);
  const sla = await deps.slaFor(event.connectionId);
  const gaps: string[] = [];
  const [leads, recent, conversion, own, history, owners] = await Promise.all([
    // Custom properties the SLA scores on (`property:<name>`) are read with the lead.
    crm.getLeads([event.objectId], fieldsUsedBySla(sla.sla).properties),
    optionalContext(
      "content views",
      () => crm.getRecentActivities(event.objectId, RECENT_ACTIVITY),
      [],
      gaps,
      log,
      event.attempts,
    ),
    optionalContext(
      "last conversion details",
      () => crm.getLastConversion(event.objectId),
      null,
      gaps,
      log,
      event.attempts,
    ),
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
  const activities = [
    ...crmActivities,
    ...own
      .filter((a) => !seen.has(a.id ?? `${a.kind}:${a.occurredAt}`))
      .map((a) => ({ ...a, source: a.source ?? ("handoff" as const) })),
  ];
  return {
    connectionId: event.connectionId,
    crm,
    sla,
    lead,
    activities,
    history,
    owners,
    recordUrl: deps.recordUrl(event.connectionId, lead.id),
    gaps,
  };
}

export interface Routed extends Assignment {
  startedAt: string;
  dueAt: string;
  calendar: BusinessCalendar | undefined;
  /** The follow-up tier that applies, and why. */
  followUp: ChosenTier;
}

/** The account and the other records of the same person, read fresh from the CRM for routing. */
export interface RoutingMatches {
  accounts: CrmAccount[];
  duplicates: Lead[];
}

/** Reads the matching account (by e-mail domain, optional) and the duplicates by e-mail. */
export async function loadRoutingMatches(ctx: LeadContext, log?: Logger): Promise<RoutingMatches> {
  const rules = ctx.sla.sla.routing;
  const domain = emailDomain(ctx.lead.email);
  const [accounts, duplicates] = await Promise.all([
    rules.accountMatch && domain && !isIgnoredDomain(domain)
      ? optionalContext<CrmAccount[]>(
          "the matching account",
          () => ctx.crm.findAccountsByDomain(domain),
          [],
          ctx.gaps,
          log,
        )
      : [],
    ctx.lead.email ? ctx.crm.findDuplicatesByEmail(ctx.lead.email, ctx.lead.id) : [],
  ]);
  return { accounts, duplicates };
}

/** Assigns the lead an owner: the AssignmentStore decides by `routeLead` (domain) from the matches and commits atomically; the follow-up deadline follows from the owner's calendar. */
export async function assignOwner(
  deps: PipelineDeps,
  event: StoredEvent,
  ctx: LeadContext,
  q: Qualification,
  { accounts, duplicates }: RoutingMatches,
): Promise<Routed> {
  const rules = ctx.sla.sla.routing;
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
  const calendar = ownerCalendar(ctx.sla.sla, assignment.decision.repKey, deps.holidays, now);
  const chosen = chooseFollowUpTier(
    ctx.sla.sla.followUp,
    tierFacts(q.decision.qualifiedBy, q.score, assignment.decision, ctx.lead, rules),
  );
  const terms = chosen.terms;
  const startedAt = now.toISOString();
  const dueAt = followUpDeadline(startedAt, {
    minutes: terms.firstTouch.minutes,
    maxMinutes: terms.max.minutes,
    ...(terms.businessHours && calendar ? { calendar } : {}),
  });
  return { ...assignment, startedAt, dueAt, calendar, followUp: chosen };
}

/** One line per reason, for the CRM's own views of the lead. */
export function scoreSummary(q: Qualification): string {
  const head = `fit ${q.score.fit} · engagement ${q.score.engagement} · total ${q.score.total} → ${q.decision.stage}`;
  return [head, ...q.score.reasons.map((r) => r.evidence)].join("\n").slice(0, 4000);
}

/**
 * Why the lead is handed over now, as the stage decision saw it: the `trigger: handoff` rule that fired with
 * the activity of that rule's kind at that instant (a page view at the same second is not it), or the MQL
 * minimums with the values that met them.
 */
function whyNow(ctx: LeadContext, q: Qualification, startedAt: string): HandoffTrigger {
  const by = q.decision.qualifiedBy;
  if (by?.kind !== "trigger") {
    return { kind: "threshold", occurredAt: startedAt, ...(by ? { met: by.met } : {}) };
  }
  const rule = ctx.sla.sla.engagement.find((r) => r.id === by.rule);
  const kind = rule?.on ?? "form_submission";
  const activity = ctx.activities.find((a) => a.occurredAt === by.at && a.kind === kind) ?? {
    kind,
    occurredAt: by.at,
  };
  return { kind: "activity", activity, rule: by.rule };
}

/** What the card is built from; stored with the handoff so the card is served without a CRM call. */
export function buildCardInput(ctx: LeadContext, q: Qualification, routed: Routed): HandoffCardInput {
  const sla = ctx.sla.sla;
  const trigger = whyNow(ctx, q, routed.startedAt);
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
    followUp: {
      startedAt: routed.startedAt,
      dueAt: routed.dueAt,
      businessHours: routed.followUp.terms.businessHours,
      tier: routed.followUp.terms.tier,
      ...(routed.followUp.evidence.length ? { tierReasons: routed.followUp.evidence } : {}),
    },
    stage: q.decision.stage,
    rejectReasons: sla.feedback.rejectReasons,
    handoffId: routed.decisionId,
    slaVersion: sla.sla.version,
  };
  if (ctx.recordUrl) input.recordUrl = ctx.recordUrl;
  if (ctx.gaps.length > 0) input.gaps = [...ctx.gaps];
  const taskOwner = routed.decision.ownerId ? followUpTaskOwner(ctx, routed.decision.ownerId) : undefined;
  if (taskOwner?.note) input.taskNote = taskOwner.note;
  if (taskOwner?.note && !taskOwner.ownerId) input.noTask = "queue_owner";
  return input;
}
