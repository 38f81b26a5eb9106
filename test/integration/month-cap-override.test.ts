import express from "express";
import request from "supertest";
import { PostgresAssignmentStore } from "../../src/adapters/postgres/assignment-store";
import { PostgresConnectionStore } from "../../src/adapters/postgres/connection-store";
import { PostgresRepAvailabilityStore } from "../../src/adapters/postgres/rep-availability-store";
import { createTokenCipher } from "../../src/adapters/crypto/token-cipher";
import { createErrorHandler } from "../../src/http/error-handler";
import { createRepsRouter } from "../../src/http/routes/reps-routes";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { DEMO_OWNERS, aLead, demoRules, withPool } from "../helpers/routing-builders";
import { TEST_KEY } from "../helpers/runtime";
import { silent } from "../helpers/silent-logger";
import { actorFromTestHeader } from "../helpers/test-actor";
import { insertConnection } from "./routing/routing-fixtures";

const CONNECTION = "c-month-override";
// Monday 2026-11-23, 10:00 in Berlin.
const NOVEMBER = new Date("2026-11-23T09:00:00.000Z");

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  await insertConnection(db.pool, CONNECTION);
});
afterAll(async () => db.close());

function rules() {
  const base = demoRules();
  for (const rep of Object.values(base.reps)) delete rep.holidays;
  base.reps.ben = { ...base.reps.ben!, managerKey: "maria" };
  base.reps.maria = { key: "maria", crmId: "80007", hours: "Mon-Fri 09:00-18:00", timezone: "Europe/Madrid" };
  // Ben alone in DACH, 2 new leads a month by the SLA; Anna leads the pool, Maria is Ben's manager.
  return withPool(base, {
    ...base.pools.dach!,
    members: [{ rep: "ben", weight: 1 }],
    capPerMonth: 2,
    lead: "anna",
  });
}

function appFor(now: Date) {
  const sla = rules();
  const app = express();
  app.use(actorFromTestHeader);
  app.use(
    createRepsRouter({
      reps: new PostgresRepAvailabilityStore(db.pool, () => now),
      connections: new PostgresConnectionStore(db.pool, createTokenCipher(TEST_KEY)),
      logger: silent,
      loadRules: () => Promise.resolve(sla),
      replayDecision: () => Promise.reject(new Error("not used")),
    }),
  );
  app.use(createErrorHandler(silent));
  return app;
}

describe("a team lead's override of a rep's monthly cap", () => {
  it("when Ben's manager raises his monthly cap for this month, then routing gives him one more lead, only this month, and the change is audited", async () => {
    const store = new PostgresAssignmentStore({ pool: db.pool });
    let n = 0;
    const assign = async (at: Date) => {
      n += 1;
      return (
        await store.assign({
          connectionId: CONNECTION,
          lead: aLead({ id: `mo-${n}` }),
          rules: rules(),
          owners: DEMO_OWNERS,
          now: at,
          eventKey: `mo-e-${n}`,
        })
      ).decision;
    };
    const day = (d: number) => new Date(NOVEMBER.getTime() + d * 3_600_000);
    expect((await assign(day(0))).repKey).toBe("ben");
    expect((await assign(day(1))).repKey).toBe("ben");
    expect(await assign(day(2))).toMatchObject({ method: "fallback" });

    const app = appFor(day(3));
    // Ben himself may not, nor a team lead of another pool; the refusal says who may.
    const self = await request(app)
      .put("/reps/ben/caps")
      .set("x-test-actor", "rep:ben")
      .send({ connectionId: CONNECTION, perMonth: 50 });
    expect(self.status).toBe(403);
    expect(self.body.message).toBe(
      "not allowed: ben's monthly cap is set by anna (team lead of dach), maria (manager) or an admin",
    );
    const other = await request(app)
      .put("/reps/ben/caps")
      .set("x-test-actor", "team_lead:carla")
      .send({ connectionId: CONNECTION, perMonth: 50 });
    expect(other.status).toBe(403);
    // Maria is Ben's manager: she may change his monthly cap, and only that.
    const open = await request(app)
      .put("/reps/ben/caps")
      .set("x-test-actor", "team_lead:maria")
      .send({ connectionId: CONNECTION, open: 50 });
    expect(open.status).toBe(403);
    const ok = await request(app)
      .put("/reps/ben/caps")
      .set("x-test-actor", "team_lead:maria")
      .send({ connectionId: CONNECTION, perMonth: 3 });
    expect(ok.status).toBe(200);
    expect(ok.body.rep.caps).toMatchObject({ perMonth: 3, perMonthFor: "2026-11" });

    expect((await assign(day(4))).repKey).toBe("ben");
    expect(await assign(day(5))).toMatchObject({ method: "fallback" });
    const audit = await db.pool.query(
      "SELECT actor, action, subject, details FROM audit_log WHERE connection_id = $1 AND action = 'rep.caps'",
      [CONNECTION],
    );
    expect(audit.rows).toEqual([
      {
        actor: "team_lead:maria",
        action: "rep.caps",
        subject: "rep:ben",
        details: { perMonth: 3, month: "2026-11" },
      },
    ]);

    // December: the override was for November; the SLA's 2 a month applies again.
    const december = new Date("2026-12-01T09:00:00.000Z");
    expect((await assign(december)).repKey).toBe("ben");
    expect((await assign(new Date(december.getTime() + 3_600_000))).repKey).toBe("ben");
    expect(await assign(new Date(december.getTime() + 7_200_000))).toMatchObject({ method: "fallback" });
  });
});
