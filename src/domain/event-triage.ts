import type { LeadEvent } from "./lead";

/**
 * A CRM echoes Handoff's own writes back as webhooks; they carry no news.
 */
export function isOwnWrite(event: Pick<LeadEvent, "changedBy">): boolean {
  return event.changedBy === "handoff";
}

/**
 * True when the event needs no work at all (no CRM call, no record): an event about an object that is
 * not a lead or contact (companies, deals…), or the echo of Handoff's own write. Deletions, privacy
 * deletions and merges always need work, whatever the object. Such events are settled as "ignored"
 * where they are fanned out, without a job of their own.
 */
export function settlesWithoutWork(
  event: Pick<LeadEvent, "kind" | "objectType" | "changedBy" | "mergedObjectIds">,
): boolean {
  if (event.kind === "deleted" || event.kind === "privacy_deleted") return false;
  if (event.kind === "merged" && event.mergedObjectIds) return false;
  return (event.objectType !== "contact" && event.objectType !== "lead") || isOwnWrite(event);
}

/**
 * How urgent an event is: a form submission ("contact me", demo request…) is a person waiting, so it is
 * live; a change from an import or a batch update is bulk; anything else (a person editing the record) is
 * normal. An imported conversion date is bulk too: nobody submitted anything just now.
 */
export function eventPriority(event: Pick<LeadEvent, "kind" | "bulk">): "live" | "normal" | "bulk" {
  if (event.bulk) return "bulk";
  if (event.kind === "form_submitted") return "live";
  return "normal";
}
