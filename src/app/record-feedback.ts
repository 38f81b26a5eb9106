import type { AssignmentStore } from "../adapters/postgres/assignment-store";
import type { LeadStore } from "../adapters/postgres/lead-store";
import { AppError, NotFoundError } from "../domain/errors";
import type { HandoffCard } from "../domain/handoff-card";
import type { CrmPort } from "../ports/crm";
import type { Logger } from "../ports/logger";
import { getHandoffCard } from "./get-handoff-card";
import type { ActiveSla } from "./pipeline-deps";

export interface FeedbackRequest {
  connectionId: string;
  leadId: string;
  decision: "accept" | "reject";
  reason?: string | undefined;
  /** Where it came from (card, cli, crm) and who, as an id. */
  source: string;
  actorId?: string | undefined;
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
 * open handoff. The decision is recorded once; the CRM gets the new stage and the rep's open slot is freed.
 * @throws AppError `reason_required` / `unknown_reason` (400), NotFoundError, `feedback_already_given` (409)
 */
export async function recordFeedback(
  deps: FeedbackDeps,
  request: FeedbackRequest,
): Promise<HandoffCard | null> {
  const { connectionId, leadId, decision } = request;
  const { sla } = await deps.slaFor(connectionId);
  const reasons = sla.feedback.rejectReasons;
  if (decision === "reject") {
    if (!request.reason) {
      throw new AppError("reason_required", "a rejection needs a reason", {
        status: 400,
        hint: `Pick one of the SLA's reject reasons: ${reasons.join(", ")}.`,
      });
    }
    if (!reasons.includes(request.reason)) {
      throw new AppError("unknown_reason", `"${request.reason}" is not a reject reason of this SLA`, {
        status: 400,
        hint: `Use one of: ${reasons.join(", ")}; or add it to feedback.reject_reasons in the SLA.`,
      });
    }
  }
  const handoff = await deps.leads.latestHandoff(connectionId, leadId);
  if (!handoff) throw new NotFoundError(`lead ${leadId} has no handoff in connection ${connectionId}`);
  const at = deps.now().toISOString();
  const recorded = await deps.leads.setFeedback(
    connectionId,
    handoff.id,
    decision === "accept" ? "accepted" : "rejected",
    decision === "reject" ? (request.reason ?? null) : null,
    at,
  );
  if (!recorded) {
    throw new AppError(
      "feedback_already_given",
      `the handoff of lead ${leadId} is already ${handoff.status}`,
      {
        status: 409,
        hint: "Feedback is recorded once per handoff; a new handoff opens when the lead requalifies.",
      },
    );
  }
  await deps.leads.addLifecycle(
    connectionId,
    leadId,
    decision === "accept"
      ? { type: "accepted", at, ...(request.actorId ? { by: request.actorId } : {}) }
      : {
          type: "rejected",
          at,
          reason: request.reason!,
          ...(request.actorId ? { by: request.actorId } : {}),
        },
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
  });
  return getHandoffCard(deps.leads, connectionId, leadId, deps.now());
}
