import type { StoredEvent } from "../ports/events";
import type { HandoffRecord } from "../ports/leads";
import { AppError } from "../domain/errors";
import { isOwnWrite } from "../domain/event-triage";
import type { HandoffCardInput } from "../domain/handoff-card";
import type { LifecycleEvent, Qualification } from "../domain/lifecycle";
import { qualifyLead } from "../domain/lifecycle";
import { DEFAULT_OPEN_LEADS, openLeadState } from "../domain/open-leads";
import { crmRejectionReason } from "../domain/crm-rejection";
import type { Logger } from "../ports/logger";
import type { PipelineDeps } from "./pipeline-deps";
import {
  buildCardInput,
  loadLeadContext,
  loadRoutingMatches,
  assignOwner,
  scoreSummary,
  type LeadContext,
  type RoutingMatches,
} from "./pipeline-steps";
import { followUpTaskOwner } from "./follow-up-task-owner";
import { takeForSyncedPair } from "./synced-pair";

export type { PipelineDeps } from "./pipeline-deps";

/**
 * One CRM event, end to end: load the lead → qualify by the SLA → route → write back → task → notify →
 * record. Each step is idempotent per event, so a redelivered or replayed event changes nothing twice.
 */
export function createLeadEventHandler(deps: PipelineDeps) {
  return async function handleLeadEvent(event: StoredEvent, log: Logger): Promise<"processed" | "ignored"> {
    const { connectionId } = event;
    const pair = await deps.syncedPairs?.links.ofConnection(connectionId);
    if (pair) {
      const taken = await takeForSyncedPair(deps.syncedPairs!, pair, event, log);
      if (taken !== "pipeline") return taken;
    }
    if (event.kind === "privacy_deleted" || event.kind === "deleted") {
      await forgetLead(deps, event);
      return "processed";
    }
    if (event.kind === "merged" && event.mergedObjectIds) {
      await deps.leads.markMerged(connectionId, event.mergedObjectIds, event.objectId);
    }
    if ((event.objectType !== "contact" && event.objectType !== "lead") || isOwnWrite(event))
      return "ignored";
    if (event.record === "lead_record") {
      // The CRM's Lead record (HubSpot's Leads object), not a person: its stage is sales' word on the handoff.
      const outcome = await deps.recordLeadRecordStage?.(event, log);
      return outcome === undefined || outcome === "ignored" ? "ignored" : "processed";
    }
    const status = await deps.recordLeadStatus?.(event, log);
    if (status === "accepted" || status === "rejected") return "processed";

    if (event.record === "sales_contact") {
      // A Contact a conversion made is the person Handoff already handed over: sales has them, never anew.
      const converted = await deps.leads.conversionByContact(connectionId, [event.objectId]);
      if (converted) {
        log.info("event on a converted contact: already sales'", {
          contactId: event.objectId,
          leadId: converted.leadId,
        });
        return "ignored";
      }
    }
    const ctx = await loadLeadContext(deps, event, log);
    if (!ctx) return "ignored";
    if (ctx.lead.conversion) {
      // Converted: the handoff closes as accepted; a converted Lead is read-only, so nothing is written back.
      await deps.recordConversion?.(ctx.crm, connectionId, ctx.lead, log);
      return "processed";
    }
    await recordManualStageChange(deps, event, ctx);
    await releaseIfClosed(deps, ctx, log);
    await recordCrmDisqualification(deps, event, ctx, log);

    const now = deps.now();
    const q = qualifyLead(ctx.lead, ctx.activities, ctx.history, ctx.sla.sla, now);
    // A retry of this event finds the handoff it already opened (the CRM may already show MQL by then),
    // so the task and messages still happen exactly once.
    const earlier = await deps.leads.handoffByEvent(event.connectionId, event.eventKey, ctx.lead.id);
    const opened = earlier
      ? { handoff: earlier, openedNow: false }
      : q.decision.handoff
        ? await handOver(deps, event, ctx, q, log)
        : null;
    const handoff = opened?.handoff ?? null;
    await writeBack(ctx, q, handoff);
    // Only the event that opened the handoff creates its task and messages (its retries redo them
    // idempotently); another event of the same lead that finds the handoff open leaves them alone.
    if (opened && opened.handoff.eventKey === event.eventKey)
      await followThrough(deps, ctx, opened.handoff, log, !opened.openedNow);
    await record(deps, event, ctx, q);
    log.info("lead qualified", {
      leadId: ctx.lead.id,
      stage: q.decision.stage,
      action: q.decision.action,
      total: q.score.total,
      handoffId: handoff?.id,
    });
    return "processed";
  };
}

/** The open handoff of another record of the same person, if there is one (the oldest). */
async function openHandoffOfDuplicate(
  deps: PipelineDeps,
  connectionId: string,
  duplicates: readonly { id: string }[],
): Promise<HandoffRecord | null> {
  const open: HandoffRecord[] = [];
  for (const duplicate of duplicates) {
    const handoff = await deps.leads.latestHandoff(connectionId, duplicate.id);
    if (handoff?.status === "open") open.push(handoff);
  }
  return open.sort((a, b) => a.startedAt.localeCompare(b.startedAt))[0] ?? null;
}

async function forgetLead(deps: PipelineDeps, event: StoredEvent): Promise<void> {
  await deps.assignments.release(event.connectionId, event.objectId, event.kind, deps.now());
  if (event.kind === "privacy_deleted") await deps.leads.erase(event.connectionId, event.objectId);
  else {
    const open = await deps.leads.latestHandoff(event.connectionId, event.objectId);
    if (open?.status === "open")
      await deps.leads.setFeedback(event.connectionId, open.id, {
        status: "rejected",
        reason: "deleted",
        at: deps.now().toISOString(),
      });
  }
}

/**
 * A lead the CRM shows accepted, converted, an opportunity, a customer or closed no longer takes a slot of its
 * rep's open capacity (the SLA's `routing.open_leads` says what is open). A no-op for leads Handoff holds no slot for.
 */
async function releaseIfClosed(deps: PipelineDeps, ctx: LeadContext, log: Logger): Promise<void> {
  const state = openLeadState(ctx.lead, ctx.sla.sla.routing.openLeads ?? DEFAULT_OPEN_LEADS);
  if (state.open) return;
  if (await deps.assignments.release(ctx.connectionId, ctx.lead.id, state.reason, deps.now())) {
    log.info("open slot freed", { leadId: ctx.lead.id, reason: state.reason });
  }
}

/**
 * A lead whose CRM status means "disqualified" (`feedback.crm_rejections`) is treated as rejected from the
 * moment Handoff learns of it: back to the recycle stage, kept out of the handoff until the SLA's
 * requalification rule lets it back (the cooldown, then new activity). Recorded when the status changes to a
 * rejection, or once for a lead that arrives already so; a status set on an open handoff by a person is sales'
 * feedback and handled by `recordCrmLeadStatus` before this.
 */
async function recordCrmDisqualification(
  deps: PipelineDeps,
  event: StoredEvent,
  ctx: LeadContext,
  log: Logger,
): Promise<void> {
  const reason = crmRejectionReason(ctx.lead.leadStatus, ctx.sla.sla);
  if (reason === undefined) return;
  const statusChanged =
    event.changed?.includes("status") === true &&
    event.propertyValue?.toLowerCase() === ctx.lead.leadStatus?.toLowerCase();
  if (!statusChanged && ctx.history.some((h) => h.type === "rejected")) return;
  const open = await deps.leads.latestHandoff(ctx.connectionId, ctx.lead.id);
  if (open?.status === "open") return;
  const rejected: LifecycleEvent = { type: "rejected", at: event.occurredAt, reason, by: "crm" };
  await deps.leads.addLifecycle(
    ctx.connectionId,
    ctx.lead.id,
    rejected,
    statusChanged ? event.eventKey : "crm-status",
  );
  if (!ctx.history.some((h) => h.type === "rejected" && h.at === rejected.at)) ctx.history.push(rejected);
  log.info("lead disqualified in the CRM", { leadId: ctx.lead.id, reason });
}

/** A person changed the stage in the CRM: respected, and recorded so that nextStage knows. */
async function recordManualStageChange(
  deps: PipelineDeps,
  event: StoredEvent,
  ctx: LeadContext,
): Promise<void> {
  if (!event.changed?.includes("stage") || event.changedBy !== "person" || !ctx.lead.stage) return;
  const manual: LifecycleEvent = {
    type: "stage_set",
    stage: ctx.lead.stage,
    at: event.occurredAt,
    by: "person",
  };
  if (event.actorId) manual.actor = event.actorId;
  await deps.leads.addLifecycle(event.connectionId, ctx.lead.id, manual, event.eventKey);
  ctx.history.push(manual);
}

/** Routes the lead (atomically) and opens the handoff record, once per event; an open handoff is reused. */
async function handOver(
  deps: PipelineDeps,
  event: StoredEvent,
  ctx: LeadContext,
  q: Qualification,
  log: Logger,
): Promise<{ handoff: HandoffRecord; openedNow: boolean } | null> {
  const existing = await deps.leads.handoffByEvent(event.connectionId, event.eventKey, ctx.lead.id);
  if (existing) return { handoff: existing, openedNow: false };
  const open = await deps.leads.latestHandoff(event.connectionId, ctx.lead.id);
  if (open?.status === "open") return { handoff: open, openedNow: false };
  const matches = await loadRoutingMatches(ctx, log);
  const contactIds = matches.duplicates.filter((d) => d.recordKind === "contact").map((d) => d.id);
  const converted = await deps.leads.conversionByContact(event.connectionId, contactIds);
  if (converted) {
    // The same person as a Contact sales converted from a lead Handoff handed over: they are sales' already, so
    // this new Lead (a second web-to-lead, an import) is not a new person to hand over.
    log.info("same person as a converted contact: not handed over again", {
      leadId: ctx.lead.id,
      contactId: converted.contactId,
      convertedLeadId: converted.leadId,
    });
    return null;
  }
  // Records of one person arriving together take turns (on any worker), so the second sees the first's handoff.
  const email = ctx.lead.email;
  if (email && matches.duplicates.length > 0) {
    return deps.leads.withPersonLock(event.connectionId, email, () =>
      linkOrRoute(deps, event, ctx, q, matches, log),
    );
  }
  return linkOrRoute(deps, event, ctx, q, matches, log);
}

async function linkOrRoute(
  deps: PipelineDeps,
  event: StoredEvent,
  ctx: LeadContext,
  q: Qualification,
  matches: RoutingMatches,
  log: Logger,
): Promise<{ handoff: HandoffRecord; openedNow: boolean }> {
  // Another record of the same person (same e-mail) is already with sales: link this one to that handoff, so the
  // owner gets one handoff, one task and one message, and this record gets the same owner.
  const linked = await openHandoffOfDuplicate(deps, event.connectionId, matches.duplicates);
  if (linked) {
    await deps.leads.linkToHandoff(event.connectionId, linked.id, ctx.lead.id, deps.now().toISOString());
    log.info("duplicate record linked to the person's open handoff", {
      leadId: ctx.lead.id,
      handoffId: linked.id,
      linkedTo: linked.leadId,
    });
    return { handoff: linked, openedNow: false };
  }
  const routed = await assignOwner(deps, event, ctx, q, matches);
  if (routed.decision.method === "already_assigned") {
    // Another event of this lead holds the assignment; its handoff stands (or is being written: retry).
    const current = await deps.leads.latestHandoff(event.connectionId, ctx.lead.id);
    if (current?.status === "open") return { handoff: current, openedNow: false };
    throw new AppError("lead_busy", `lead ${ctx.lead.id} is being handed over by another event`, {
      retryable: true,
      hint: "Retried shortly; the other event's handoff is then reused.",
    });
  }
  const cardInput: HandoffCardInput = buildCardInput(ctx, q, routed);
  log.info("lead handed over", {
    leadId: ctx.lead.id,
    method: routed.decision.method,
    decisionId: routed.decisionId,
  });
  const handoff = await deps.leads.createHandoff({
    id: routed.decisionId,
    connectionId: event.connectionId,
    leadId: ctx.lead.id,
    eventKey: event.eventKey,
    ownerId: routed.decision.ownerId ?? null,
    repKey: routed.decision.repKey ?? null,
    method: routed.decision.method,
    startedAt: routed.startedAt,
    dueAt: routed.dueAt,
    slaHash: ctx.sla.hash,
    score: {
      fit: q.score.fit,
      engagement: q.score.engagement,
      total: q.score.total,
      reasons: q.score.reasons,
    },
    source: { leadSource: ctx.lead.leadSource ?? null, ...ctx.lead.utm },
    cardInput,
  });
  return { handoff, openedNow: true };
}

/** Score fields, stage and owner in one batched CRM write (idempotent: same values, same decision id). */
async function writeBack(ctx: LeadContext, q: Qualification, handoff: HandoffRecord | null): Promise<void> {
  await ctx.crm.updateLeads([
    {
      leadId: ctx.lead.id,
      fitScore: q.score.fit,
      engagementScore: q.score.engagement,
      totalScore: q.score.total,
      scoreSummary: scoreSummary(q),
      slaVersion: `${ctx.sla.sla.sla.version}:${ctx.sla.hash.slice(0, 12)}`,
      ...(q.decision.changed ? { stage: q.decision.stage } : {}),
      ...(handoff?.ownerId
        ? { ownerId: handoff.ownerId, decisionId: handoff.id, followUpDueAt: handoff.dueAt }
        : {}),
    },
  ]);
}

/** The rep's task with the deadline, the messages, and the follow-up clock: each once per handoff. */
/**
 * `taskMayExist`: the handoff was opened by an earlier attempt of this event, which may have created the
 * task before it could record it; a handoff opened just now has no task yet, so the CRM is not searched.
 */
async function followThrough(
  deps: PipelineDeps,
  ctx: LeadContext,
  handoff: HandoffRecord,
  log: Logger,
  taskMayExist: boolean,
) {
  if (!handoff.taskId && handoff.ownerId) {
    const taskOwner = followUpTaskOwner(ctx, handoff.ownerId);
    if (taskOwner.ownerId) {
      const task = { ...deps.taskFor(ctx, handoff), ownerId: taskOwner.ownerId, mayExist: taskMayExist };
      const created = await ctx.crm.createTask(task);
      await deps.leads.setTask(ctx.connectionId, handoff.id, created.id);
      log.info("follow-up task created", { handoffId: handoff.id, taskId: created.id });
    } else {
      log.info("no follow-up task: a queue owns the lead and the SLA names no task owner", {
        handoffId: handoff.id,
      });
    }
  }
  await openLeadRecord(deps, ctx, handoff, log);
  await deps.notify(ctx.connectionId, handoff.id);
  await deps.scheduleFollowUp?.(ctx.connectionId, handoff);
}

/**
 * Where the CRM has a Lead object (HubSpot's Leads, Sales Hub Professional+, optional scopes granted), reps work
 * inbound leads from it: the handoff opens the person's Lead record (or reuses the open one), owned by the routed
 * rep (a queue's lead by its task owner: a Lead needs a user with a seat) and carrying Handoff's fields. Once per
 * handoff; elsewhere nothing changes.
 */
async function openLeadRecord(deps: PipelineDeps, ctx: LeadContext, handoff: HandoffRecord, log: Logger) {
  if (!ctx.crm.openLeadRecord || !handoff.ownerId) return;
  if (await deps.leads.leadRecordOfHandoff(ctx.connectionId, handoff.id)) return;
  const ownerId = followUpTaskOwner(ctx, handoff.ownerId).ownerId;
  if (!ownerId) return;
  const lead = ctx.lead;
  const opened = await ctx.crm.openLeadRecord({
    leadId: lead.id,
    name: [lead.firstName, lead.lastName].filter(Boolean).join(" ") || lead.email || `Contact ${lead.id}`,
    ownerId,
    fields: {
      fitScore: handoff.score.fit,
      engagementScore: handoff.score.engagement,
      totalScore: handoff.score.total,
      decisionId: handoff.id,
      followUpDueAt: handoff.dueAt,
      slaVersion: `${ctx.sla.sla.sla.version}:${ctx.sla.hash.slice(0, 12)}`,
    },
  });
  if (!opened) return;
  await deps.leads.saveLeadRecord(
    ctx.connectionId,
    { recordId: opened.record.id, leadId: lead.id, handoffId: handoff.id, created: opened.created },
    deps.now().toISOString(),
  );
  log.info("lead record opened", {
    handoffId: handoff.id,
    recordId: opened.record.id,
    created: opened.created,
  });
}

async function record(
  deps: PipelineDeps,
  event: StoredEvent,
  ctx: LeadContext,
  q: Qualification,
): Promise<void> {
  if (q.decision.changed) {
    await deps.leads.addLifecycle(
      event.connectionId,
      ctx.lead.id,
      { type: "stage_set", stage: q.decision.stage, at: deps.now().toISOString(), by: "handoff" },
      event.eventKey,
    );
  }
  await deps.scores?.record(event.connectionId, ctx.lead.id, {
    eventKey: event.eventKey,
    at: deps.now().toISOString(),
    slaHash: ctx.sla.hash,
    fit: q.score.fit,
    engagement: q.score.engagement,
    total: q.score.total,
    stage: q.decision.stage,
    action: q.decision.action,
    reason: q.decision.reason,
    reasons: q.score.reasons,
  });
  await deps.leads.saveState(event.connectionId, ctx.lead.id, {
    stage: q.decision.stage,
    fit: q.score.fit,
    engagement: q.score.engagement,
    total: q.score.total,
    heldReason: q.decision.action === "hold" ? q.decision.reason : null,
    eventAt: event.occurredAt,
  });
}
