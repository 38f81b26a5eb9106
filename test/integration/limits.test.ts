import { PostgresAssignmentStore } from "../../src/adapters/postgres/assignment-store";
import { scoreLead } from "../../src/domain/scoring";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { DEMO_OWNERS, aLead, demoRules, withPool } from "../helpers/routing-builders";
import { anSla, engagementRule } from "../unit/sla/builders";
import { insertConnection } from "./routing/routing-fixtures";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  await insertConnection(db.pool, "c-month");
});
afterAll(async () => db.close());

describe("limits peers offer", () => {
  it("when a rep reached the pool's monthly cap, then further leads that month go elsewhere and the next month they are back", async () => {
    const base = demoRules();
    for (const rep of Object.values(base.reps)) delete rep.holidays;
    const rules = withPool(base, {
      ...base.pools.dach!,
      members: [{ rep: "anna", weight: 1 }],
      capPerMonth: 3,
    });
    const store = new PostgresAssignmentStore({ pool: db.pool });
    const assign = async (i: number, at: string) =>
      (
        await store.assign({
          connectionId: "c-month",
          lead: aLead({ id: `m-${i}` }),
          rules,
          owners: DEMO_OWNERS,
          now: new Date(at),
          eventKey: `e-${i}`,
        })
      ).decision;
    // Four leads on four November weekdays (10:00 in Berlin).
    const november = ["2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26"];
    const picks = [];
    for (const [i, day] of november.entries()) picks.push(await assign(i, `${day}T09:00:00.000Z`));
    expect(picks.map((d) => d.method)).toEqual(["round_robin", "round_robin", "round_robin", "fallback"]);
    expect(picks[3]!.candidates).toContainEqual(
      expect.objectContaining({ rep: "anna", skipped: "3/3 this month" }),
    );
    const december = await assign(9, "2026-12-01T09:00:00.000Z");
    expect(december).toMatchObject({ method: "round_robin", repKey: "anna" });
  });

  it("when an engagement rule has a daily cap, then no more than that counts per day besides its lifetime max", () => {
    const sla = anSla({
      engagement: [
        engagementRule({ id: "email-click", on: "email_click", points: 3, max: 30, maxPerDay: 10 }),
      ],
    });
    const clicks = [
      ...[8, 9, 10, 11, 12, 13].map((h) => `2026-11-20T${String(h).padStart(2, "0")}:00:00.000Z`),
      "2026-11-21T09:00:00.000Z",
      "2026-11-21T10:00:00.000Z",
    ].map((occurredAt) => ({ kind: "email_click" as const, occurredAt, name: "Newsletter" }));
    const score = scoreLead(aLead(), clicks, sla, "2026-11-22T00:00:00.000Z");
    // 20 Nov: 3 + 3 + 3 + 1 (the cap of 10), two more not counted; 21 Nov: 3 + 3.
    expect(score.engagement).toBe(16);
    expect(score.reasons.map((r) => r.evidence)).toContainEqual(
      "email-click counts at most 10 a day: 2 more activities on capped days not counted",
    );
  });
});
