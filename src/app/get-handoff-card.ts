import type { HandoffRecord, LeadStore } from "../ports/leads";
import { buildHandoffCard, type HandoffCard, type HandoffCardInput } from "../domain/handoff-card";

/**
 * The card of a lead's latest handoff, from Handoff's own store (no CRM call, so it answers in
 * milliseconds), with the live state laid over the stored snapshot: feedback and first touch.
 */
export async function getHandoffCard(
  leads: LeadStore,
  connectionId: string,
  leadId: string,
  now: Date,
): Promise<HandoffCard | null> {
  const handoff = await leads.latestHandoff(connectionId, leadId);
  if (!handoff) return null;
  return buildHandoffCard(liveCardInput(handoff), now);
}

export function liveCardInput(handoff: HandoffRecord): HandoffCardInput {
  const input: HandoffCardInput = { ...handoff.cardInput };
  if (handoff.status === "accepted" || handoff.status === "rejected") {
    input.feedback = {
      decision: handoff.status === "accepted" ? "accept" : "reject",
      at: handoff.feedbackAt ?? handoff.createdAt,
      ...(handoff.rejectReason ? { reason: handoff.rejectReason } : {}),
    };
    input.stage = handoff.status === "accepted" ? "sql" : "nurture";
  }
  if (handoff.firstTouchAt && input.cadence)
    input.cadence = { ...input.cadence, firstTouchAt: handoff.firstTouchAt };
  return input;
}
