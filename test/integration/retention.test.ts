import { DEFAULT_RETENTION, pruneRetention, STRIP_BATCH } from "../../src/adapters/postgres/retention";
import { readConfig } from "../../src/config/read-config";
import { createTestDatabase, type TestDatabase } from "../helpers/db";

const DAY = 86_400_000;

describe("retention: a year of traffic stays bounded", () => {
  let db: TestDatabase;
  // Dates are built from this clock, so the test means the same on any day it runs.
  const now = new Date(Date.UTC(2027, 5, 1, 3, 17));
  const ago = (days: number) => new Date(now.getTime() - days * DAY);

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.pool.query(
      "INSERT INTO connections (id, crm, external_id, name) VALUES ('hs-ret', 'hubspot', '1618033', 'Retention')",
    );
    const event = (key: string, receivedDaysAgo: number, status: string) =>
      db.pool.query(
        `INSERT INTO events (connection_id, event_key, kind, object_type, object_id, occurred_at, received_at, payload, status, raw)
         VALUES ('hs-ret', $1, 'property_changed', 'contact', '51', $2, $2, $3, $4, $5)`,
        [
          key,
          ago(receivedDaysAgo),
          JSON.stringify({ eventKey: key, propertyValue: "VP Sales", raw: { propertyValue: "VP Sales" } }),
          status,
          status === "parked" ? Buffer.from("{}") : null,
        ],
      );
    await event("fresh", 1, "processed");
    await event("week-old", 8, "processed");
    await event("pending-old", 30, "pending");
    await event("year-old", 401, "processed");
    await event("parked-year-old", 401, "parked");
    const decision = (id: string, daysAgo: number) =>
      db.pool.query(
        "INSERT INTO decisions (id, connection_id, lead_id, created_at) VALUES ($1, 'hs-ret', $1, $2)",
        [id, ago(daysAgo)],
      );
    await decision("d-old", 401);
    await decision("d-old-still-assigned", 401);
    await decision("d-recent", 10);
    await db.pool.query(
      `INSERT INTO lead_assignments (connection_id, lead_id, owner_id, decision_id, counted, assigned_at)
       VALUES ('hs-ret', 'd-old-still-assigned', '8001', 'd-old-still-assigned', true, $1)`,
      [ago(401)],
    );
    const handoff = (id: string, daysAgo: number, status: string) =>
      db.pool.query(
        `INSERT INTO handoffs (id, connection_id, lead_id, event_key, started_at, due_at, status, score, card_input, created_at)
         VALUES ($1, 'hs-ret', $1, $1, $2, $2, $3, '{}', '{}', $2)`,
        [id, ago(daysAgo), status],
      );
    await handoff("h-old-closed", 401, "accepted");
    await handoff("h-old-open", 401, "open");
    await handoff("h-recent", 5, "rejected");
    // Conversions recorded for the old closed handoff and the recent one.
    await db.pool.query(
      `INSERT INTO lead_conversions (connection_id, lead_id, handoff_id, converted_on, recorded_at)
       VALUES ('hs-ret', 'h-old-closed', 'h-old-closed', $1::date, $1), ('hs-ret', 'h-recent', 'h-recent', $2::date, $2)`,
      [ago(401), ago(5)],
    );
    await db.pool.query(
      "INSERT INTO audit_log (connection_id, actor, action, at) VALUES ('hs-ret', 'admin', 'x', $1), ('hs-ret', 'admin', 'y', $2)",
      [ago(401), ago(3)],
    );
    // The lead story's score per event: a year-old one and a recent one.
    await db.pool.query(
      `INSERT INTO lead_scores (connection_id, lead_id, event_key, at, fit, engagement, total, stage, action, reason)
       VALUES ('hs-ret', '51', 'old', $1, 1, 1, 2, 'lead', 'keep', 'x'), ('hs-ret', '51', 'new', $2, 1, 1, 2, 'lead', 'keep', 'x')`,
      [ago(401), ago(2)],
    );
  });
  afterAll(async () => db.close());

  it("when the daily job runs, then raw payloads go after 7 days, year-old rows after 400, and open work stays", async () => {
    const report = await pruneRetention(db.pool, DEFAULT_RETENTION, now);
    expect(report).toMatchObject({
      eventPayloadsStripped: 1,
      eventsDeleted: 2,
      decisionsDeleted: 1,
      handoffsDeleted: 1,
      conversionsDeleted: 1,
      auditDeleted: 1,
      scoresDeleted: 1,
    });
    const events = await db.pool.query<{ event_key: string; payload: Record<string, unknown> }>(
      "SELECT event_key, payload FROM events ORDER BY event_key",
    );
    expect(events.rows.map((r) => r.event_key)).toEqual(["fresh", "pending-old", "week-old"]);
    const byKey = new Map(events.rows.map((r) => [r.event_key, r.payload]));
    expect(byKey.get("week-old")).toEqual({ eventKey: "week-old", raw: {} });
    expect(byKey.get("fresh")).toMatchObject({ propertyValue: "VP Sales" });
    expect(byKey.get("pending-old")).toMatchObject({ propertyValue: "VP Sales" });
    const decisions = await db.pool.query("SELECT id FROM decisions ORDER BY id");
    expect(decisions.rows.map((r) => r.id)).toEqual(["d-old-still-assigned", "d-recent"]);
    const handoffs = await db.pool.query("SELECT id FROM handoffs ORDER BY id");
    expect(handoffs.rows.map((r) => r.id)).toEqual(["h-old-open", "h-recent"]);
    // A second run the same day finds nothing left to do.
    expect(Object.values(await pruneRetention(db.pool, DEFAULT_RETENTION, now)).every((n) => n === 0)).toBe(
      true,
    );
  });

  it("when the strip looks for payloads to remove, then it reads the index of unstripped events, not a year of stripped ones", async () => {
    const client = await db.pool.connect();
    try {
      // Priced out, a sequential scan shows whether the strip's WHERE lets the planner use the partial index.
      await client.query("SET enable_seqscan = off");
      const plan = await client.query(`EXPLAIN (FORMAT JSON) ${STRIP_BATCH}`, [ago(7), 5000]);
      expect(JSON.stringify(plan.rows[0]["QUERY PLAN"])).toContain('"Index Name":"events_unstripped"');
    } finally {
      client.release();
    }
    // The index holds the events still carrying a payload (fresh, pending), not the stripped week-old one.
    const indexed = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM events
       WHERE payload->'raw' <> '{}'::jsonb OR payload ? 'propertyValue' OR raw IS NOT NULL`,
    );
    expect(indexed.rows[0]!.n).toBe(2);
  });

  it("when an admin sets RETENTION_* variables, then the policy follows, and a raw-payload window shorter than the CRMs' retries is refused", () => {
    expect(
      readConfig({ RETENTION_AUDIT_DAYS: "730", RETENTION_RAW_PAYLOAD_DAYS: "3" }).retention,
    ).toMatchObject({
      auditDays: 730,
      rawPayloadDays: 3,
      decisionsDays: 400,
    });
    expect(() => readConfig({ RETENTION_RAW_PAYLOAD_DAYS: "1" })).toThrow(/redeliver for 24 hours/);
  });
});
