import type { StoredEvent } from "../ports/events";
import { crmRejectionReason } from "../domain/crm-rejection";
import type { Logger } from "../ports/logger";
import { applyCrmFeedback, type LeadStatusOutcome } from "./record-crm-lead-status";
import type { FeedbackDeps } from "./record-feedback";

/**
 * Sales works the lead on its Lead record (HubSpot's Leads object, in the prospecting workspace). A change of its
 * stage is sales' word on the handoff: Attempting and Connected are touches (the first one stops the follow-up
 * clock), Qualified is acceptance, Disqualified is rejection with the record's disqualification reason (mapped by
 * `feedback.crm_rejections`, or matching an SLA reject reason by name). The record is read back, so a
 * disqualification whose reason is set a moment after the stage is judged on both.
 */
export async function recordLeadRecordStage(
  deps: FeedbackDeps,
  event: StoredEvent,
  log: Logger,
): Promise<LeadStatusOutcome> {
  if (!event.changed?.includes("record_stage")) return "ignored";
  const { connectionId } = event;
  const link = await deps.leads.leadRecord(connectionId, event.objectId);
  if (!link) return "ignored";
  const handoff = await deps.leads.latestHandoff(connectionId, link.leadId);
  if (!handoff || handoff.status !== "open" || handoff.id !== link.handoffId) return "ignored";
  const crm = await deps.crmFor(connectionId);
  const record = await crm.getLeadRecord?.(event.objectId);
  if (!record) return "ignored";
  if (record.stage === "new" || record.stage === "other") return "ignored";
  if (handoff.firstTouchAt === null && event.occurredAt >= handoff.startedAt) {
    await deps.leads.markFirstTouch(connectionId, handoff.id, event.occurredAt);
  }
  if (record.stage === "attempting" || record.stage === "connected") {
    log.info("lead record worked: first touch", {
      leadId: link.leadId,
      recordId: record.id,
      stage: record.stage,
    });
    return "touched";
  }
  const { sla } = await deps.slaFor(connectionId);
  const raw = record.disqualificationReason;
  const reason =
    record.stage === "disqualified" && raw
      ? (crmRejectionReason(raw, sla) ??
        sla.feedback.rejectReasons.find((r) => r === raw.toLowerCase().replace(/[^a-z0-9]+/g, "_")))
      : undefined;
  return applyCrmFeedback(
    deps,
    event,
    {
      leadId: link.leadId,
      handoffId: handoff.id,
      decision: record.stage === "qualified" ? "accept" : "reject",
      reason,
      what: `lead stage ${record.stage}${raw ? ` (${raw})` : ""}`,
    },
    log,
  );
}
