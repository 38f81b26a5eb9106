import { NotFoundError, UnknownConnectionError } from "../domain/errors";
import type { AuditLog } from "../ports/audit-log";
import type { ConnectionStore } from "../ports/connections";
import type { EventStore } from "../ports/events";

/** What replaying parked events needs: the event log, the connections (to refuse a typo) and the audit log. */
export interface ReplayParkedDeps {
  events: Pick<EventStore, "listParked" | "replay">;
  connections: Pick<ConnectionStore, "get">;
  audit: AuditLog;
}

/** Parked events are put back a page at a time, so a year of parked events never sits in memory at once. */
const PAGE = 1000;

/**
 * Puts one parked event back on the queue with a fresh attempt budget (the admin page's "Replay"), audited.
 * @throws NotFoundError when the event is not parked (already replayed, or another connection's)
 */
export async function replayParkedEvent(
  deps: ReplayParkedDeps,
  request: { connectionId: string; eventKey: string; actor: string },
): Promise<void> {
  const { connectionId, eventKey, actor } = request;
  if (!(await deps.events.replay(connectionId, eventKey))) {
    throw new NotFoundError(`no parked event ${eventKey} for connection ${connectionId}`);
  }
  await deps.audit.record({ connectionId, actor, action: "replay_parked", subject: eventKey });
}

/**
 * Puts every parked event back (of one connection, or of all when `connectionId` is undefined), after whatever
 * parked them was fixed: `POST /admin/api/parked/replay-all` and `handoff replay --parked`. Audited once with
 * the count. A connection id that names no connection is refused, so a typo never reads as "nothing parked".
 * @returns how many events were put back
 */
export async function replayAllParked(
  deps: ReplayParkedDeps,
  request: { connectionId: string | undefined; actor: string },
): Promise<number> {
  const { connectionId, actor } = request;
  if (connectionId !== undefined && !(await deps.connections.get(connectionId))) {
    throw new UnknownConnectionError(connectionId, {
      hint: "List connections with GET /admin/api/connections.",
    });
  }
  let replayed = 0;
  for (;;) {
    const page = await deps.events.listParked(connectionId, PAGE);
    let putBack = 0;
    for (const e of page) if (await deps.events.replay(e.connectionId, e.eventKey)) putBack += 1;
    replayed += putBack;
    // A short page was the last; a page of which nothing went back would come back the same.
    if (page.length < PAGE || putBack === 0) break;
  }
  await deps.audit.record({
    connectionId: connectionId ?? null,
    actor,
    action: "replay_all_parked",
    details: { replayed },
  });
  return replayed;
}
