import { eventPriority, settlesWithoutWork } from "../../domain/event-triage";
import type { IncomingEvent } from "../../domain/screen-event";
import { asAppError } from "../../jobs/retry-policy";
import type { EventStore } from "../../ports/events";
import type { Logger } from "../../ports/logger";
import { withWorkPriority } from "../../ports/work-priority";
import type { HandoffProduct } from "../compose";

/** What the history played for one connection. */
export interface QuarterCounts {
  leads: number;
  events: number;
  parked: number;
}

/**
 * The intake of a replayed past: events normalised from what the CRM sent are stored (deduplicated) and each
 * runs through the pipeline at once, at the moment it happened, as the intake's fan-out and the worker would run
 * them: events that need no work are settled at once, the others at their priority; a failure is parked where an
 * admin sees it, as the worker would park it after its retries.
 */
export function replayIntake(deps: {
  connectionId: string;
  events: EventStore;
  history: HandoffProduct;
  logger: Logger;
  counts: QuarterCounts;
}): (incoming: IncomingEvent[]) => Promise<void> {
  const { connectionId, events, history, logger, counts } = deps;
  return async (incoming) => {
    const result = await events.append(incoming);
    for (const key of result.stored) {
      const claimed = await events.claim(connectionId, key, 60);
      if (claimed === null || "heldForMs" in claimed) continue;
      counts.events += 1;
      if (settlesWithoutWork(claimed)) {
        await events.markProcessed(connectionId, key, "ignored");
        continue;
      }
      const log = logger.child({ connectionId, eventKey: key });
      try {
        const outcome = await withWorkPriority(eventPriority(claimed), () =>
          history.handleLeadEvent(claimed, log),
        );
        await events.markProcessed(connectionId, key, outcome);
      } catch (err) {
        const error = asAppError(err);
        await events.park(connectionId, key, error);
        counts.parked += 1;
        log.warn("demo history: event parked", { code: error.code });
      }
    }
  };
}
