import type { AssignmentStore } from "../ports/assignments";
import type { HandoffRecord, LeadStore } from "../ports/leads";
import { AppError, ForbiddenError, NotFoundError } from "../domain/errors";
import { feedbackPermission, type FeedbackActor } from "../domain/feedback-permission";
import type { HandoffCard } from "../domain/handoff-card";
import type { Sla } from "../domain/sla";
import type { CrmPort } from "../ports/crm";
import type { Logger } from "../ports/logger";
import { getHandoffCard } from "./get-handoff-card";
import type { ActiveSla } from "./pipeline-deps";

/** Who sends the feedback, as the surface knows them. */
export type FeedbackRequester =
  /** The dashboard's admin, the CLI (it holds the database), the embedded demo's local user. */
  | { kind: "admin"; id?: string }
  /** A CRM user or owner id the CRM vouched for (HubSpot card `userId`, Canvas user, status change's user). */
  | { kind: "crm_user"; id: string }
  /** Nobody the surface could vouch for. */
  | { kind: "unknown" };

export interface FeedbackRequest {
  connectionId: string;
  leadId: string;
  decision: "accept" | "reject";
  reason?: string | undefined;
  /** The rep's own words, kept with the handoff. */
  note?: string | undefined;
  /** Where it came from (card surface, cli, crm). */
  source: string;
  /** Who: checked against the lead's owner, their manager and team lead, and admins. */
  actor: FeedbackRequester;
}

export interface FeedbackDeps {
  leads: LeadStore;
  assignments: AssignmentStore;
  crmFor(connectionId: string): Promise<CrmPort>;
  slaFor(connectionId: string): Promise<ActiveSla>;
  logger: Logger;
  now(): Date;
}

/**
 * Sales accepts (→ SQL) or rejects (→ recycled to nurture, reason required from the SLA's list) the lead's
 * open handoff. Only the lead's current owner, their manager or team lead (as the SLA names them) or an admin
 * may; every attempt, allowed or not, is written to the audit log. The decision is recorded once; the CRM gets
 * the new stage and the rep's open slot is freed.
 * @throws ForbiddenError (403, naming who may), AppError `reason_required` / `unknown_reason` (400),
 *   NotFoundError, `feedback_already_given` (409)
 */
export async function recordFeedback(
  deps: FeedbackDeps,
  request: FeedbackRequest,
): Promise<HandoffCard | null> {
  const { connectionId, leadId } = request;
  const handoff = await deps.leads.latestHandoff(connectionId, leadId);
  let actor: FeedbackActor = { kind: "unknown" };
  let outcome = "error";
  try {
    if (!handoff) throw new NotFoundError(`lead ${leadId} has no handoff in connection ${connectionId}`);
    const { sla } = await deps.slaFor(connectionId);
    actor = await resolveActor(deps, connectionId, request.actor);
    const permission = feedbackPermission(actor, handoff.ownerId, sla.routing);
    if (!permission.allowed) {
      outcome = "forbidden";
      throw new ForbiddenError(
        `you may not ${request.decision} lead ${leadId}: only ${permission.who} may`,
        "Ask the lead's owner or their manager, or reassign the lead first.",
      );
    }
    const card = await applyFeedback(deps, request, handoff, sla, permission.as);
    outcome = "recorded";
    return card;
  } catch (err) {
    if (outcome === "error" && err instanceof AppError) outcome = err.code;
    throw err;
  } finally {
    await deps.leads.audit(connectionId, {
      actor: actorLabel(actor, request.actor),
      action: `handoff.${request.decision}`,
      subject: leadId,
      details: {
        source: request.source,
        outcome,
        ...(handoff ? { handoffId: handoff.id } : {}),
        ...(request.reason ? { reason: request.reason } : {}),
      },
      at: deps.now().toISOString(),
    });
  }
}

async function applyFeedback(
  deps: FeedbackDeps,
  request: FeedbackRequest,
  handoff: HandoffRecord,
  sla: Sla,
  as: string,
): Promise<HandoffCard | null> {
  const { connectionId, leadId, decision } = request;
  const reasons = sla.feedback.rejectReasons;
  if (decision === "reject") {
    if (!request.reason) {
      throw new AppError("reason_required", "a rejection needs a reason", {
        hint: `Pick one of the SLA's reject reasons: ${reasons.join(", ")}.`,
      });
    }
    if (!reasons.includes(request.reason)) {
      throw new AppError("unknown_reason", `"${request.reason}" is not a reject reason of this SLA`, {
        hint: `Use one of: ${reasons.join(", ")}; or add it to feedback.reject_reasons in the SLA.`,
      });
    }
  }
  const at = deps.now().toISOString();
  const recorded = await deps.leads.setFeedback(connectionId, handoff.id, {
    status: decision === "accept" ? "accepted" : "rejected",
    reason: decision === "reject" ? (request.reason ?? null) : null,
    at,
    note: request.note?.trim() ? request.note.trim() : null,
  });
  if (!recorded) {
    throw new AppError(
      "feedback_already_given",
      `the handoff of lead ${leadId} is already ${handoff.status}`,
      {
        hint: "Feedback is recorded once per handoff; a new handoff opens when the lead requalifies.",
      },
    );
  }
  const by =
    request.actor.kind === "admin"
      ? undefined
      : request.actor.kind === "crm_user"
        ? request.actor.id
        : undefined;
  await deps.leads.addLifecycle(
    connectionId,
    leadId,
    decision === "accept"
      ? { type: "accepted", at, ...(by ? { by } : {}) }
      : { type: "rejected", at, reason: request.reason!, ...(by ? { by } : {}) },
    `feedback:${handoff.id}`,
  );
  const stage = decision === "accept" ? "sql" : sla.recycle.stage;
  await deps.leads.saveState(connectionId, leadId, {
    stage,
    fit: handoff.score.fit,
    engagement: handoff.score.engagement,
    total: handoff.score.total,
    heldReason: null,
    eventAt: at,
  });
  // Either way the lead no longer takes a slot of the rep's open capacity: accepted leads are sales' pipeline.
  await deps.assignments.release(
    connectionId,
    leadId,
    decision === "reject" ? `rejected: ${request.reason}` : "accepted",
    deps.now(),
  );
  const crm = await deps.crmFor(connectionId);
  await crm.updateLeads([{ leadId, stage }]);
  deps.logger.info("handoff feedback recorded", {
    connectionId,
    leadId,
    handoffId: handoff.id,
    decision,
    reason: request.reason,
    source: request.source,
    as,
  });
  return getHandoffCard(deps.leads, connectionId, leadId, deps.now());
}

/** A CRM user id becomes the owner it stands for (HubSpot cards send the user id, not the owner id). */
async function resolveActor(
  deps: FeedbackDeps,
  connectionId: string,
  requester: FeedbackRequester,
): Promise<FeedbackActor> {
  if (requester.kind === "admin")
    return requester.id ? { kind: "admin", id: requester.id } : { kind: "admin" };
  if (requester.kind === "unknown") return { kind: "unknown" };
  const owners = await (await deps.crmFor(connectionId)).listOwners();
  const owner =
    owners.find((o) => o.kind === "person" && o.id === requester.id) ??
    owners.find((o) => o.kind === "person" && o.userId === requester.id);
  return owner ? { kind: "owner", ownerId: owner.id } : { kind: "unknown", id: requester.id };
}

function actorLabel(actor: FeedbackActor, requester: FeedbackRequester): string {
  if (actor.kind === "admin") return `admin${actor.id ? `:${actor.id}` : ""}`;
  if (actor.kind === "owner") return `crm_owner:${actor.ownerId}`;
  return requester.kind === "crm_user" ? `crm_user:${requester.id}` : "unknown";
}
