import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { runAssignWorker } from "./routing/run-assign-worker";
import { insertConnection } from "./routing/routing-fixtures";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  await insertConnection(db.pool, "c-routing");
});
afterAll(async () => db.close());

it("3 processes × 10 concurrent assignments: 0 cap overshoot and 0 double assignment", async () => {
  const reports = await Promise.all(
    ["1", "2", "3"].map((worker) =>
      runAssignWorker({
        DATABASE_URL: db.url,
        CONNECTION_ID: "c-routing",
        WORKER: worker,
        COUNT: "100",
        CONCURRENCY: "10",
      }),
    ),
  );
  expect(reports.map((r) => r.count)).toEqual([100, 100, 100]);

  // Caps (cappedDachRules): anna 60 open, ben 40 open. 280 distinct leads compete for 100 slots.
  const open = await db.pool.query<{ rep_key: string; open_count: number }>(
    "SELECT rep_key, open_count FROM rep_state WHERE connection_id = 'c-routing' ORDER BY rep_key",
  );
  expect(open.rows).toEqual([
    { rep_key: "anna", open_count: 60 },
    { rep_key: "ben", open_count: 40 },
  ]);
  const assignments = await db.pool.query<{ leads: string; rows: string }>(
    "SELECT count(DISTINCT lead_id) AS leads, count(*) AS rows FROM lead_assignments WHERE connection_id = 'c-routing'",
  );
  expect(assignments.rows[0]).toEqual({ leads: "100", rows: "100" });
  const doubles = await db.pool.query(
    `SELECT lead_id FROM decisions WHERE connection_id = 'c-routing' AND (outcome->'routing'->>'counts')::boolean
      GROUP BY lead_id HAVING count(*) > 1`,
  );
  expect(doubles.rows).toEqual([]);
  const decisions = await db.pool.query<{ n: string }>(
    "SELECT count(*) AS n FROM decisions WHERE connection_id = 'c-routing'",
  );
  expect(decisions.rows[0]?.n).toBe("300");
  // Every shared lead (sent by all three processes) was assigned at most once and kept by the others.
  const shared = await db.pool.query<{ method: string; n: string }>(
    `SELECT outcome->'routing'->>'method' AS method, count(*) AS n FROM decisions
      WHERE connection_id = 'c-routing' AND lead_id LIKE 'shared-%' GROUP BY 1 ORDER BY 1`,
  );
  const byMethod = Object.fromEntries(shared.rows.map((r) => [r.method, Number(r.n)]));
  expect((byMethod.round_robin ?? 0) + (byMethod.fallback ?? 0)).toBeGreaterThanOrEqual(10);
  expect(byMethod.already_assigned ?? 0).toBe(30 - (byMethod.round_robin ?? 0) - (byMethod.fallback ?? 0));
}, 120_000);
