import { PostgresAssignmentStore, toOwnerStatus } from "../../src/adapters/postgres/assignment-store";
import { PostgresRepAvailabilityStore } from "../../src/adapters/postgres/rep-availability-store";
import { routeLead } from "../../src/domain/routing";
import { canonicalize, type RoutingInput } from "../../src/domain/routing-snapshot";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { DEMO_OWNERS, MONDAY_MORNING_EU, aLead, demoRules } from "../helpers/routing-builders";
import { cappedDachRules, insertConnection } from "./routing/routing-fixtures";

let db: TestDatabase;
const now = new Date(MONDAY_MORNING_EU);

beforeAll(async () => {
  db = await createTestDatabase();
  for (const id of ["c-basic", "c-idem", "c-race", "c-lead", "c-away", "c-release"])
    await insertConnection(db.pool, id);
});
afterAll(async () => db.close());

async function openCounts(connectionId: string): Promise<Record<string, number>> {
  const rows = await db.pool.query<{ rep_key: string; open_count: number }>(
    "SELECT rep_key, open_count FROM rep_state WHERE connection_id = $1",
    [connectionId],
  );
  return Object.fromEntries(rows.rows.map((r) => [r.rep_key, r.open_count]));
}

describe("AssignmentStore", () => {
  it("commits the chosen rep, the counters, the pool's fairness and a replayable decision together", async () => {
    const store = new PostgresAssignmentStore({ pool: db.pool });
    const picks: string[] = [];
    for (let i = 0; i < 6; i++) {
      const { decision } = await store.assign({
        connectionId: "c-basic",
        lead: aLead({ id: `l-${i}` }),
        rules: demoRules(),
        owners: DEMO_OWNERS,
        now,
        eventKey: `e-${i}`,
        slaHash: "sha256:abc",
      });
      picks.push(decision.repKey ?? "-");
    }
    expect(picks).toEqual(["anna", "ben", "anna", "anna", "ben", "anna"]);
    expect(await openCounts("c-basic")).toEqual({ anna: 4, ben: 2 });
    const counts = await db.pool.query(
      "SELECT rep_key, period, assigned FROM rep_assignment_counts WHERE connection_id = 'c-basic' ORDER BY 1, 2",
    );
    expect(counts.rows).toEqual([
      { rep_key: "anna", period: "d:2026-11-23", assigned: 4 },
      { rep_key: "anna", period: "m:2026-11", assigned: 4 },
      { rep_key: "anna", period: "w:2026-W48", assigned: 4 },
      { rep_key: "ben", period: "d:2026-11-23", assigned: 2 },
      { rep_key: "ben", period: "m:2026-11", assigned: 2 },
      { rep_key: "ben", period: "w:2026-W48", assigned: 2 },
    ]);
    const row = await db.pool.query<{
      id: string;
      inputs: { routing: RoutingInput };
      outcome: { routing: unknown };
    }>("SELECT id, inputs, outcome FROM decisions WHERE connection_id = 'c-basic' AND lead_id = 'l-5'");
    const stored = row.rows[0]!;
    // The stored inputs reproduce the stored outcome exactly.
    expect(routeLead(canonicalize(stored.inputs.routing))).toEqual(stored.outcome.routing);
    expect(stored.inputs.routing.repStates.anna).toMatchObject({ open: 3, today: 3, week: 3 });
  });

  it("returns the first decision when the same event is assigned again, taking no second slot", async () => {
    const store = new PostgresAssignmentStore({ pool: db.pool });
    const request = {
      connectionId: "c-idem",
      lead: aLead({ id: "l-1" }),
      rules: demoRules(),
      owners: DEMO_OWNERS,
      now,
      eventKey: "e-1",
    };
    const first = await store.assign(request);
    const again = await store.assign(request);
    expect(again).toEqual({ ...first, replayed: true });
    const another = await store.assign({ ...request, eventKey: "e-2" });
    expect(another.decision).toMatchObject({
      method: "already_assigned",
      repKey: first.decision.repKey,
      counts: false,
    });
    expect(await openCounts("c-idem")).toEqual({ anna: 1, ben: 0 });
  });

  it("never lets two concurrent assignments take the same slot: 0 cap overshoot", async () => {
    const store = new PostgresAssignmentStore({ pool: db.pool });
    const rules = cappedDachRules(5, 10);
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        store.assign({
          connectionId: "c-race",
          lead: aLead({ id: `l-${i}` }),
          rules,
          owners: DEMO_OWNERS,
          now,
        }),
      ),
    );
    expect(await openCounts("c-race")).toEqual({ anna: 10, ben: 5 });
    expect(results.filter((r) => r.decision.method === "fallback")).toHaveLength(25);
    const last = results.find((r) => r.decision.method === "fallback")!.decision;
    expect(last.reason).toContain("anna: 10/10 open");
    expect(last.reason).toContain("ben: 5/5 open");
  });

  it("assigns one lead once even when many events for it arrive at the same time", async () => {
    const store = new PostgresAssignmentStore({ pool: db.pool });
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        store.assign({
          connectionId: "c-lead",
          lead: aLead({ id: "same" }),
          rules: demoRules(),
          owners: DEMO_OWNERS,
          now,
          eventKey: `e-${i}`,
        }),
      ),
    );
    expect(results.filter((r) => r.decision.counts)).toHaveLength(1);
    const owners = new Set(results.map((r) => r.decision.ownerId));
    expect(owners.size).toBe(1);
    const sum = Object.values(await openCounts("c-lead")).reduce((a, b) => a + b, 0);
    expect(sum).toBe(1);
  });

  it("re-reads availability before every assignment: a rep set away gets nothing, and the change is audited", async () => {
    const store = new PostgresAssignmentStore({ pool: db.pool });
    const reps = new PostgresRepAvailabilityStore(db.pool, () => now);
    await reps.setAway(
      "c-away",
      "anna",
      { reason: "vacation", until: new Date("2026-11-30T00:00:00Z") },
      "rep:anna",
    );
    await reps.setCaps("c-away", "ben", { open: 1 }, "team_lead:maria");
    const a = await store.assign({
      connectionId: "c-away",
      lead: aLead({ id: "l-1" }),
      rules: demoRules(),
      owners: DEMO_OWNERS,
      now,
    });
    const b = await store.assign({
      connectionId: "c-away",
      lead: aLead({ id: "l-2" }),
      rules: demoRules(),
      owners: DEMO_OWNERS,
      now,
    });
    expect(a.decision.repKey).toBe("ben");
    expect(b.decision.method).toBe("fallback");
    expect(b.decision.reason).toContain("anna: away until 2026-11-30 (vacation)");
    expect(b.decision.reason).toContain("ben: 1/1 open");
    await reps.setBack("c-away", "anna", "rep:anna");
    const c = await store.assign({
      connectionId: "c-away",
      lead: aLead({ id: "l-3" }),
      rules: demoRules(),
      owners: DEMO_OWNERS,
      now,
    });
    expect(c.decision.repKey).toBe("anna");
    const audit = await db.pool.query(
      "SELECT actor, action, subject FROM audit_log WHERE connection_id = 'c-away' ORDER BY id",
    );
    expect(audit.rows).toEqual([
      { actor: "rep:anna", action: "rep.away", subject: "rep:anna" },
      { actor: "team_lead:maria", action: "rep.caps", subject: "rep:ben" },
      { actor: "rep:anna", action: "rep.back", subject: "rep:anna" },
    ]);
  });

  it("frees the slot when a lead is released", async () => {
    const store = new PostgresAssignmentStore({ pool: db.pool });
    const first = await store.assign({
      connectionId: "c-release",
      lead: aLead({ id: "l-1" }),
      rules: demoRules(),
      owners: DEMO_OWNERS,
      now,
    });
    expect(await store.release("c-release", "l-1", "converted", now)).toBe(true);
    expect(await store.release("c-release", "l-1", "converted", now)).toBe(false);
    expect(await openCounts("c-release")).toEqual({ anna: 0, ben: 0 });
    await expect(store.getDecision("c-other", first.decisionId)).rejects.toMatchObject({ code: "not_found" });
    expect((await store.getDecision("c-release", first.decisionId)).leadId).toBe("l-1");
  });
});

describe("toOwnerStatus", () => {
  it("keeps queue names for the fallback and drops people's names", () => {
    expect(
      toOwnerStatus({
        id: "80010",
        firstName: "Inbound triage",
        lastName: "",
        active: true,
        kind: "queue",
        teams: [],
      }),
    ).toEqual({ id: "80010", active: true, kind: "queue", name: "Inbound triage" });
    expect(
      toOwnerStatus({
        id: "80006",
        firstName: "Felix",
        lastName: "Hart",
        active: false,
        kind: "person",
        teams: [],
      }),
    ).toEqual({ id: "80006", active: false, kind: "person" });
  });
});

describe("reassignment", () => {
  it("moves an assigned lead away from an excluded previous owner and frees their slot", async () => {
    await insertConnection(db.pool, "c-reassign");
    const store = new PostgresAssignmentStore({ pool: db.pool });
    const base = {
      connectionId: "c-reassign",
      lead: aLead({ id: "l-1" }),
      rules: demoRules(),
      owners: DEMO_OWNERS,
      now,
    };
    const first = await store.assign(base);
    expect(first.decision.repKey).toBe("anna");
    const again = await store.assign({ ...base, excludeOwnerIds: ["80001"] });
    expect(again.decision).toMatchObject({ method: "round_robin", repKey: "ben" });
    expect(again.decision.steps[0]).toContain("reassigning: current owner 80001");
    expect(await openCounts("c-reassign")).toEqual({ anna: 0, ben: 1 });
    const open = await db.pool.query(
      "SELECT rep_key FROM lead_assignments WHERE connection_id = 'c-reassign' AND released_at IS NULL",
    );
    expect(open.rows).toEqual([{ rep_key: "ben" }]);
  });
});
