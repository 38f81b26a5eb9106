import type { LeadContext } from "./pipeline-deps";

/**
 * Who gets the follow-up task of a lead owned by `ownerId`. A person gets their own; a queue owns the lead but
 * not its task (Salesforce refuses a Task owned by a queue whose QueueSobject does not list Task), so the task
 * goes to the rep the SLA names in routing.fallback.task_owner, or there is none and `note` says why.
 */
export function followUpTaskOwner(
  ctx: Pick<LeadContext, "owners" | "sla">,
  ownerId: string,
): { ownerId?: string; note?: string } {
  const owner = ctx.owners.find((o) => o.id === ownerId);
  if (owner?.kind !== "queue") return { ownerId };
  const key = ctx.sla.sla.routing.fallback.taskOwner;
  const rep = key ? ctx.sla.sla.routing.reps[key] : undefined;
  if (!rep) {
    return {
      note: "No follow-up task: the lead is owned by a queue, which cannot own tasks; set routing.fallback.task_owner to give its task to a rep",
    };
  }
  return {
    ownerId: rep.crmId,
    note: `The queue owns the lead; its follow-up task went to ${rep.name ?? key}`,
  };
}
