import type { StoredEvent } from "../ports/events";
import { crmRejectionReason } from "../domain/crm-rejection";
import { AppError } from "../domain/errors";
import type { LeadStatusMap } from "../ports/crm";
import type { Logger } from "../ports/logger";
import { recordFeedback, type FeedbackDeps } from "./record-feedback";

/**
 * One map of several CRMs' lead-status values (each CRM folder names its own defaults), so a status either CRM
 * ships with means the same wherever it is set.
 */
export function combineLeadStatusMaps(...maps: LeadStatusMap[]): LeadStatusMap {
  return {
    accepted: maps.flatMap((m) => m.accepted),
    rejected: maps.flatMap((m) => m.rejected),
    reasons: Object.assign({}, ...maps.map((m) => m.reasons)) as Record<string, string>,
  };
}

export type LeadStatusOutcome =
  "accepted" | "rejected" | "needs_reason" | "forbidden" | "touched" | "ignored";

/**
 * A person changed the lead status in the CRM. A status that maps to accepted or rejected records sales'
 * feedback on the open handoff, exactly as the card and the CLI do (rejections need a reason from the SLA:
 * a status that names none is not taken as a rejection, and the log says so). Any status change by a person
 * is a touch: the first one is recorded as the first touch, so the follow-up clock stops at its next timer. Any
 * status `map` does not name (`ATTEMPTED_TO_CONTACT`, `Working - Contacted`, …) is only a touch.
 * @returns what the event meant; `accepted`/`rejected` events need no further qualification.
 */
export async function recordCrmLeadStatus(
  deps: FeedbackDeps,
  event: StoredEvent,
  log: Logger,
  map: LeadStatusMap,
): Promise<LeadStatusOutcome> {
  const value = event.propertyValue;
  if (!event.changed?.includes("status") || !value) return "ignored";
  // A status set by an integration or a workflow is not sales' word; a change whose source is unknown is taken as a person's.
  if (event.changedBy !== undefined && event.changedBy !== "person") return "ignored";
  const { connectionId, objectId: leadId } = event;
  const handoff = await deps.leads.latestHandoff(connectionId, leadId);
  if (!handoff || handoff.status !== "open") return "ignored";
  if (handoff.firstTouchAt === null && event.occurredAt >= handoff.startedAt) {
    await deps.leads.markFirstTouch(connectionId, handoff.id, event.occurredAt);
  }
  const { sla } = await deps.slaFor(connectionId);
  const is = (list: string[]) => list.some((s) => s.toLowerCase() === value.toLowerCase());
  const slaReason = crmRejectionReason(value, sla);
  const decision = is(map.accepted)
    ? "accept"
    : slaReason !== undefined || is(map.rejected)
      ? "reject"
      : undefined;
  if (!decision) return "touched";
  const reason =
    decision === "reject" ? (slaReason ?? rejectReason(value, map, sla.feedback.rejectReasons)) : undefined;
  return applyCrmFeedback(deps, event, { leadId, handoffId: handoff.id, decision, reason, what: value }, log);
}

/**
 * Records a decision sales made in the CRM as feedback on the open handoff, by the same rules as the card (the
 * owner, their manager or team lead; a rejection needs an SLA reason). What the CRM change cannot be taken for is
 * logged and returned: `needs_reason`, `forbidden` (audited, still a touch), or `ignored` when feedback was given.
 */
export async function applyCrmFeedback(
  deps: FeedbackDeps,
  event: StoredEvent,
  change: {
    leadId: string;
    handoffId: string;
    decision: "accept" | "reject";
    reason: string | undefined;
    /** The CRM value that meant the decision, for the log (a status or stage, never personal data). */
    what: string;
  },
  log: Logger,
): Promise<LeadStatusOutcome> {
  const { connectionId } = event;
  const { leadId, decision, reason } = change;
  const { actorId } = event;
  try {
    await recordFeedback(deps, {
      connectionId,
      leadId,
      decision,
      reason,
      source: "crm",
      actor: actorId ? { kind: "crm_user", id: actorId } : { kind: "unknown" },
    });
  } catch (err) {
    if (err instanceof AppError && (err.code === "reason_required" || err.code === "unknown_reason")) {
      log.warn("CRM change looks like a rejection but names no SLA reason; not recorded", {
        leadId,
        handoffId: change.handoffId,
        status: change.what,
        code: err.code,
      });
      return "needs_reason";
    }
    if (err instanceof AppError && err.code === "feedback_already_given") return "ignored";
    if (err instanceof AppError && err.code === "forbidden") {
      // Audited by recordFeedback; the change still counts as a touch, never as sales' decision.
      log.warn("CRM change by someone who may not decide on this lead; not recorded as feedback", {
        leadId,
        handoffId: change.handoffId,
        status: change.what,
      });
      return "forbidden";
    }
    throw err;
  }
  return decision === "accept" ? "accepted" : "rejected";
}

function rejectReason(status: string, map: LeadStatusMap, reasons: string[]): string | undefined {
  const mapped = Object.entries(map.reasons).find(([s]) => s.toLowerCase() === status.toLowerCase())?.[1];
  if (mapped && reasons.includes(mapped)) return mapped;
  const normalised = status.toLowerCase().replace(/[^a-z0-9]+/g, "_");
  return reasons.includes(normalised) ? normalised : undefined;
}
