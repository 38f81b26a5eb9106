import { replayAllParked, replayParkedEvent, type ReplayParkedDeps } from "../../../src/app/replay-parked";
import type { AuditEntry } from "../../../src/ports/audit-log";
import type { Connection } from "../../../src/ports/connections";
import type { StoredEvent } from "../../../src/ports/events";

/** An event log holding `count` parked events of connection c1, and an audit log that keeps what it is told. */
function parkedLog(count: number) {
  const parked = new Set(Array.from({ length: count }, (_, i) => `e-${i}`));
  const audited: AuditEntry[] = [];
  const deps: ReplayParkedDeps = {
    events: {
      listParked: async (connectionId, limit = 100) =>
        connectionId === undefined || connectionId === "c1"
          ? [...parked].slice(0, limit).map((eventKey) => ({ connectionId: "c1", eventKey }) as StoredEvent)
          : [],
      replay: async (connectionId, eventKey) => connectionId === "c1" && parked.delete(eventKey),
    },
    connections: { get: async (id) => (id === "c1" ? ({ id } as Connection) : null) },
    audit: { record: async (entry) => void audited.push(entry) },
  };
  return { deps, parked, audited };
}

describe("replaying parked events (admin API and `handoff replay --parked`)", () => {
  it("when more events are parked than one page holds, then every one goes back and the audit log says how many, once", async () => {
    const { deps, parked, audited } = parkedLog(2_345);
    await expect(replayAllParked(deps, { connectionId: "c1", actor: "cli:ops" })).resolves.toBe(2_345);
    expect(parked.size).toBe(0);
    expect(audited).toEqual([
      { connectionId: "c1", actor: "cli:ops", action: "replay_all_parked", details: { replayed: 2_345 } },
    ]);
  });

  it("when the connection id names no connection, then nothing is replayed or audited and the error says so", async () => {
    const { deps, parked, audited } = parkedLog(3);
    await expect(replayAllParked(deps, { connectionId: "c-typo", actor: "admin" })).rejects.toMatchObject({
      code: "unknown_connection",
      message: "no connection c-typo",
    });
    expect(parked.size).toBe(3);
    expect(audited).toEqual([]);
  });

  it("when one event is replayed, then it is audited with its key; an event that is not parked is 'not found'", async () => {
    const { deps, audited } = parkedLog(1);
    await replayParkedEvent(deps, { connectionId: "c1", eventKey: "e-0", actor: "admin" });
    await expect(
      replayParkedEvent(deps, { connectionId: "c1", eventKey: "e-0", actor: "admin" }),
    ).rejects.toMatchObject({ code: "not_found" });
    expect(audited).toEqual([
      { connectionId: "c1", actor: "admin", action: "replay_parked", subject: "e-0" },
    ]);
  });
});
