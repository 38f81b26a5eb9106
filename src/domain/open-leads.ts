/**
 * Which of a rep's leads still take a slot of their open capacity. A lead stops counting as soon as sales
 * accepts it (SQL), it becomes an opportunity or a customer, is converted, or its CRM status says it is
 * closed; the SLA lists the statuses and stages that count as open (`routing.open_leads`).
 */
import type { Lead, Stage } from "./lead";

export interface OpenLeadRule {
  /** CRM lead statuses (HubSpot `hs_lead_status`, Salesforce Lead `Status`) that count as open. */
  statuses: string[];
  /** Stages that count as open when the CRM shows no lead status. */
  stages: Stage[];
}

/** HubSpot's and Salesforce's default open statuses; sales' acceptance ("Sales Accepted", SQL) ends them. */
export const DEFAULT_OPEN_LEADS: OpenLeadRule = {
  statuses: [
    "NEW",
    "OPEN",
    "IN_PROGRESS",
    "ATTEMPTED_TO_CONTACT",
    "Open - Not Contacted",
    "Working - Contacted",
    "Marketing Qualified",
  ],
  stages: ["subscriber", "lead", "mql", "other"],
};

/** Stages the CRM owns (a conversion, a deal, a customer): never open, whatever the status says. */
const CLOSED_STAGES: ReadonlySet<Stage> = new Set<Stage>(["opportunity", "customer"]);

export type OpenLeadState = { open: true } | { open: false; reason: string };

/**
 * Whether the lead still counts against its owner's open capacity.
 * @example openLeadState({ id: "1", stage: "sql", properties: {} }, DEFAULT_OPEN_LEADS) // { open: false, … }
 */
export function openLeadState(lead: Lead, rule: OpenLeadRule = DEFAULT_OPEN_LEADS): OpenLeadState {
  if (lead.stage !== undefined && CLOSED_STAGES.has(lead.stage)) {
    return { open: false, reason: `stage ${lead.stage}` };
  }
  if (lead.leadStatus) {
    const status = lead.leadStatus.toLowerCase();
    return rule.statuses.some((s) => s.toLowerCase() === status)
      ? { open: true }
      : { open: false, reason: `status ${lead.leadStatus}` };
  }
  if (lead.stage !== undefined && !rule.stages.includes(lead.stage)) {
    return { open: false, reason: `stage ${lead.stage}` };
  }
  return { open: true };
}
