import type { AssignmentStore, RepOpenCount } from "../ports/assignments";
import { DEFAULT_OPEN_LEADS, openLeadState } from "../domain/open-leads";
import type { Clock } from "../ports/clock";
import type { Lead } from "../domain/lead";
import type { CrmPort } from "../ports/crm";
import type { Logger } from "../ports/logger";
import type { ActiveSla } from "./pipeline-deps";

export interface ReconcileOpenLeadsDeps {
  assignments: AssignmentStore;
  crmFor(connectionId: string): Promise<CrmPort>;
  slaFor(connectionId: string): Promise<ActiveSla>;
  logger: Logger;
  now: Clock;
  /** Sales converted the lead: closes the handoff as accepted and stops its clock (`recordConversion`). */
  recordConversion?(crm: CrmPort, connectionId: string, lead: Lead, log: Logger): Promise<unknown>;
  /**
   * Whether the lead's owner was written by a sync (HubSpot's Salesforce connector in a synced pair) rather than a
   * person: such an owner is not a reassignment, so the slot stays. @default never
   */
  ownerSetBySync?(connectionId: string, lead: Lead): Promise<boolean>;
}

export interface ReconcileResult {
  /** Handoff's assignments the CRM shows closed, reassigned or gone: their slots were freed. */
  released: { leadId: string; repKey: string; reason: string }[];
  counts: RepOpenCount[];
}

/** HubSpot's batch read takes 100 ids, Salesforce's query is chunked by the adapter. */
const READ_BATCH = 100;

/**
 * Makes each rep's open count follow what is really open in the CRM: every lead Handoff handed over is read
 * back (batched) and its slot freed when the CRM shows it accepted, converted, closed, deleted or owned by
 * someone else; then the CRM's own count of each rep's open leads (`countOpenLeadsByOwner`, by the SLA's open
 * statuses) sets the part of the count Handoff did not hand over. Runs on a schedule and is safe to repeat.
 */
export async function reconcileOpenLeads(
  deps: ReconcileOpenLeadsDeps,
  connectionId: string,
): Promise<ReconcileResult> {
  const [{ sla }, crm, open] = await Promise.all([
    deps.slaFor(connectionId),
    deps.crmFor(connectionId),
    deps.assignments.openAssignments(connectionId),
  ]);
  const rule = sla.routing.openLeads ?? DEFAULT_OPEN_LEADS;
  const released: ReconcileResult["released"] = [];
  for (let i = 0; i < open.length; i += READ_BATCH) {
    const batch = open.slice(i, i + READ_BATCH);
    const leads = new Map((await crm.getLeads(batch.map((a) => a.leadId))).map((l) => [l.id, l]));
    for (const assignment of batch) {
      const lead = leads.get(assignment.leadId);
      const state = lead ? openLeadState(lead, rule) : { open: false as const, reason: "not in the CRM" };
      const reason = !state.open
        ? state.reason
        : lead?.ownerId &&
            lead.ownerId !== assignment.ownerId &&
            !(await deps.ownerSetBySync?.(connectionId, lead))
          ? "owner changed in the CRM"
          : undefined;
      if (reason === undefined) continue;
      if (lead?.conversion && deps.recordConversion) {
        // The conversion frees the slot too, and closes the handoff and its clock with it.
        await deps.recordConversion(crm, connectionId, lead, deps.logger);
        released.push({ leadId: assignment.leadId, repKey: assignment.repKey, reason: "converted" });
        continue;
      }
      if (
        await deps.assignments.release(connectionId, assignment.leadId, `reconcile: ${reason}`, deps.now())
      ) {
        released.push({ leadId: assignment.leadId, repKey: assignment.repKey, reason });
      }
    }
  }
  const reps = Object.values(sla.routing.reps);
  const byOwner = await crm.countOpenLeadsByOwner(
    reps.map((r) => r.crmId),
    rule.statuses,
  );
  const crmOpen: Record<string, number> = {};
  for (const rep of reps) {
    const count = byOwner[rep.crmId];
    if (count !== undefined) crmOpen[rep.key] = count;
  }
  const counts = await deps.assignments.reconcileOpenCounts(connectionId, crmOpen, deps.now());
  deps.logger.info("open lead counts reconciled", {
    connectionId,
    released: released.length,
    reps: counts.length,
  });
  return { released, counts };
}
