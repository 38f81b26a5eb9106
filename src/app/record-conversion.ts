import type { AssignmentStore } from "../ports/assignments";
import type { ConversionRecord, LeadStore } from "../ports/leads";
import type { Lead } from "../domain/lead";
import type { Clock } from "../ports/clock";
import type { CrmPort } from "../ports/crm";
import type { Logger } from "../ports/logger";

export interface ConversionDeps {
  leads: LeadStore;
  assignments: AssignmentStore;
  /** Stops the handoff's follow-up timers at once (reminders, escalation, reassignment; the cadence stays). */
  stopFollowUp(connectionId: string, handoffId: string, why: string): Promise<void>;
  now: Clock;
}

/**
 * Sales converted the lead in the CRM (Salesforce: to a Contact, an Account and maybe an Opportunity). That is
 * the strongest acceptance there is: an open handoff closes as accepted (SQL), the rep's open slot is freed, the
 * follow-up clock stops, and the conversion is recorded with what it made, so that reports count it and the
 * converted Contact is known as this person. A conversion that gave the new records to someone other than the
 * rep the handoff chose is recorded as such (`ownerChanged`). Nothing is written to the CRM: a converted Lead is
 * read-only there. Idempotent: the Flow, a follow-up timer and the reconcile job may all report the same one.
 * @returns the conversion as recorded, or null when the lead is not converted
 */
export async function recordConversion(
  deps: ConversionDeps,
  crm: CrmPort,
  connectionId: string,
  lead: Lead,
  log: Logger,
): Promise<ConversionRecord | null> {
  const conversion = lead.conversion;
  if (!conversion) return null;
  const known = await deps.leads.conversion(connectionId, lead.id);
  const handoff = await deps.leads.latestHandoff(connectionId, lead.id);
  const recorded =
    known ??
    (await (async () => {
      const convertedOwnerId = (await crm.conversionOwner?.(conversion)) ?? lead.ownerId ?? null;
      const handoffOwnerId = handoff?.ownerId ?? null;
      return deps.leads.recordConversion(
        {
          connectionId,
          leadId: lead.id,
          handoffId: handoff?.id ?? null,
          convertedOn: conversion.convertedOn,
          contactId: conversion.contactId ?? null,
          accountId: conversion.accountId ?? null,
          opportunityId: conversion.opportunityId ?? null,
          handoffOwnerId,
          convertedOwnerId,
          ownerChanged:
            handoffOwnerId !== null && convertedOwnerId !== null && handoffOwnerId !== convertedOwnerId,
        },
        deps.now().toISOString(),
      );
    })());
  // The slot and the clock first: an accepted handoff then always has both settled.
  await deps.assignments.release(connectionId, lead.id, "converted", deps.now());
  if (handoff) await deps.stopFollowUp(connectionId, handoff.id, `converted on ${conversion.convertedOn}`);
  if (handoff?.status === "open") {
    const at = deps.now().toISOString();
    if (await deps.leads.setFeedback(connectionId, handoff.id, { status: "accepted", reason: null, at })) {
      await deps.leads.addLifecycle(
        connectionId,
        lead.id,
        { type: "accepted", at, by: "crm" },
        `conversion:${handoff.id}`,
      );
      await deps.leads.saveState(connectionId, lead.id, {
        stage: "sql",
        fit: handoff.score.fit,
        engagement: handoff.score.engagement,
        total: handoff.score.total,
        heldReason: null,
        eventAt: at,
      });
    }
  }
  if (!known) {
    log.info("lead converted", {
      leadId: lead.id,
      handoffId: recorded.handoffId,
      contactId: recorded.contactId,
      opportunityId: recorded.opportunityId,
      ownerChanged: recorded.ownerChanged,
      ...(recorded.ownerChanged ? { convertedOwnerId: recorded.convertedOwnerId } : {}),
    });
  }
  return recorded;
}
