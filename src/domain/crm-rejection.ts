/**
 * CRM lead statuses that mean "sales turned this lead down" (HubSpot `UNQUALIFIED`, Salesforce
 * `Closed - Not Converted`, …) and the SLA reject reason each stands for (`feedback.crm_rejections`).
 */
import type { Sla } from "./sla";

/** The SLA reject reason a CRM lead status stands for, or undefined when the status is not a rejection. */
export function crmRejectionReason(status: string | undefined, sla: Sla): string | undefined {
  if (!status) return undefined;
  const wanted = status.toLowerCase();
  return Object.entries(sla.feedback.crmRejections ?? {}).find(([s]) => s.toLowerCase() === wanted)?.[1];
}
