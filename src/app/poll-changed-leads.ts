import type { Clock } from "../ports/clock";
import type { ChangedLead, CrmPort } from "../ports/crm";
import type { EventStore } from "../ports/events";
import type { LeadPollWatermarks } from "../ports/lead-poll";
import type { Logger } from "../ports/logger";
import type { IncomingEvent } from "../domain/screen-event";

export interface PollChangedLeadsDeps {
  crmFor(connectionId: string): Promise<CrmPort>;
  watermarks: LeadPollWatermarks;
  events: Pick<EventStore, "append">;
  logger: Logger;
  now: Clock;
  /**
   * Each poll reads again this far before the watermark: a change is stamped when its transaction starts and
   * may become visible after a later one was already read. Changes read twice are dropped as duplicates.
   * @default 2 minutes
   */
  overlapMs?: number;
  /** A connection's first poll reads the changes of this long before it. @default 1 hour */
  firstLookbackMs?: number;
  /** Pages (one CRM call each, up to 2,000 changes on Salesforce) read per poll at most. @default 10 */
  maxPages?: number;
}

export interface PollResult {
  /** False when the connection needs no polling (its CRM tells Handoff of changes itself). */
  polled: boolean;
  /** What was read: changes after this instant (ISO). */
  since?: string;
  changes: number;
  /** New events stored (and queued): the changes not seen before. */
  stored: number;
  duplicates: number;
  /** CRM calls spent reading changes (the edition check excluded). */
  pages: number;
}

/** Events of one changed lead are keyed by record and change time: the same change read twice is one event. */
export function changedLeadEvent(
  crm: CrmPort["crm"],
  connectionId: string,
  change: ChangedLead,
): IncomingEvent {
  return {
    connectionId,
    crm,
    eventKey: `poll:${change.id}:${change.modifiedAt}`,
    kind: "property_changed",
    objectType: "lead",
    record: "person",
    objectId: change.id,
    occurredAt: change.modifiedAt,
    raw: { source: "poll", fields: change.fields },
  };
}

const APPEND_BATCH = 100;

/**
 * For a connection whose CRM cannot push changes (a Salesforce edition without outbound messages): reads the
 * leads changed since the watermark (less the overlap), stores each change as the same lead event an outbound
 * message gives (deduplicated by record id and change time) and moves the watermark after every page, so a
 * restart resumes where the last stored page ended. Connections whose CRM pushes changes cost one edition check
 * per few hours and nothing else.
 * @example await pollChangedLeads({ crmFor, watermarks, events, logger, now }, "salesforce-00D…")
 */
export async function pollChangedLeads(
  deps: PollChangedLeadsDeps,
  connectionId: string,
): Promise<PollResult> {
  const none: PollResult = { polled: false, changes: 0, stored: 0, duplicates: 0, pages: 0 };
  const crm = await deps.crmFor(connectionId);
  if (!crm.needsChangePolling || !crm.changedLeadPages) return none;
  if (!(await crm.needsChangePolling())) return none;
  const overlapMs = deps.overlapMs ?? 2 * 60_000;
  const maxPages = deps.maxPages ?? 10;
  const watermark = await deps.watermarks.get(connectionId);
  const since = new Date(
    watermark === null
      ? deps.now().getTime() - (deps.firstLookbackMs ?? 60 * 60_000)
      : Date.parse(watermark) - overlapMs,
  ).toISOString();
  const result: PollResult = { polled: true, since, changes: 0, stored: 0, duplicates: 0, pages: 0 };
  for await (const page of crm.changedLeadPages(since)) {
    result.pages++;
    result.changes += page.length;
    const events = page.map((change) => changedLeadEvent(crm.crm, connectionId, change));
    for (let i = 0; i < events.length; i += APPEND_BATCH) {
      const appended = await deps.events.append(events.slice(i, i + APPEND_BATCH));
      result.stored += appended.stored.length + appended.parked.length;
      result.duplicates += appended.duplicates;
    }
    const newest = page.reduce((max, c) => (c.modifiedAt > max ? c.modifiedAt : max), page[0]!.modifiedAt);
    await deps.watermarks.advance(connectionId, newest, deps.now());
    if (result.pages >= maxPages) {
      deps.logger.warn("changed lead poll stopped at its page limit; the next poll goes on from there", {
        connectionId,
        pages: result.pages,
      });
      break;
    }
  }
  // A first poll that found nothing still fixes where the next one starts.
  if (watermark === null && result.pages === 0)
    await deps.watermarks.advance(connectionId, since, deps.now());
  const log = result.stored > 0 ? deps.logger.info : deps.logger.debug;
  log.call(deps.logger, "changed leads polled", {
    connectionId,
    changes: result.changes,
    stored: result.stored,
    duplicates: result.duplicates,
    pages: result.pages,
  });
  return result;
}
