import express from "express";
import request from "supertest";
import { createRepsRouter } from "../../src/http/routes/reps-routes";
import { createErrorHandler } from "../../src/http/error-handler";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { DEMO_OWNERS, aLead, demoRules } from "../helpers/routing-builders";
import { PostgresAssignmentStore } from "../../src/adapters/postgres/assignment-store";
import { PostgresConnectionStore } from "../../src/adapters/postgres/connection-store";
import { PostgresRepAvailabilityStore } from "../../src/adapters/postgres/rep-availability-store";
import { createTokenCipher } from "../../src/adapters/crypto/token-cipher";
import { replayDecision } from "../../src/app/replay-decision";
import { TEST_KEY } from "../helpers/runtime";
import { insertConnection } from "./routing/routing-fixtures";
import { silent } from "../helpers/silent-logger";
import { actorFromTestHeader } from "../helpers/test-actor";

let db: TestDatabase;
let app: express.Express;

beforeAll(async () => {
  db = await createTestDatabase();
  await insertConnection(db.pool, "c-reps");
  const rules = demoRules();
  rules.pools.dach!.lead = "anna";
  app = express();
  app.use(actorFromTestHeader);
  app.use(
    createRepsRouter({
      reps: new PostgresRepAvailabilityStore(db.pool, () => new Date("2026-11-23T10:00:00Z")),
      connections: new PostgresConnectionStore(db.pool, createTokenCipher(TEST_KEY)),
      logger: silent,
      loadRules: async () => rules,
      replayDecision: (connectionId, decisionId) =>
        replayDecision(new PostgresAssignmentStore({ pool: db.pool }), decisionId, undefined, connectionId),
    }),
  );
  app.use(createErrorHandler(silent));
});
afterAll(async () => db.close());

describe("rep self-service and delegated admin", () => {
  it("lets a rep set themselves away with a reason and an end date, and come back", async () => {
    const away = await request(app)
      .post("/reps/ben/away")
      .set("x-test-actor", "rep:ben")
      .send({ connectionId: "c-reps", reason: "vacation", until: "2026-11-30" });
    expect(away.status).toBe(200);
    expect(away.body.rep).toMatchObject({
      repKey: "ben",
      away: true,
      awayReason: "vacation",
      awayUntil: "2026-11-30T00:00:00.000Z",
    });
    const back = await request(app)
      .post("/reps/ben/back")
      .set("x-test-actor", "rep:ben")
      .send({ connectionId: "c-reps" });
    expect(back.body.rep).toMatchObject({ away: false, updatedBy: "rep:ben" });
  });

  it("refuses an away or out-of-office end that is already past, saying so, and leaves the rep in rotation", async () => {
    const away = await request(app)
      .post("/reps/carla/away")
      .send({ connectionId: "c-reps", reason: "vacation", until: "2026-11-22" });
    expect(away.status).toBe(400);
    expect(away.body).toMatchObject({ error: "invalid_request" });
    expect(away.body.message).toBe(
      "away until 2026-11-22T00:00:00.000Z is already in the past (it is now 2026-11-23T10:00:00.000Z), so the rep would count as back at once",
    );
    expect(away.body.hint).toMatch(/end date after now/);
    const ooo = await request(app)
      .post("/reps/carla/ooo")
      .send({ connectionId: "c-reps", from: "2026-11-01", to: "2026-11-20" });
    expect(ooo.status).toBe(400);
    expect(ooo.body.message).toMatch(/^out-of-office until 2026-11-20T00:00:00.000Z is already in the past/);
    const list = await request(app).get("/reps?connectionId=c-reps").expect(200);
    expect(list.body.reps.find((r: { repKey: string }) => r.repKey === "carla")).toBeUndefined();
  });

  it("refuses a rep changing someone else, or their own caps", async () => {
    const other = await request(app)
      .post("/reps/anna/away")
      .set("x-test-actor", "rep:ben")
      .send({ connectionId: "c-reps", reason: "x" });
    expect(other.status).toBe(403);
    expect(other.body).toMatchObject({
      error: "forbidden",
      message: "not allowed: ben may change only their own availability",
    });
    const caps = await request(app)
      .put("/reps/ben/caps")
      .set("x-test-actor", "rep:ben")
      .send({ connectionId: "c-reps", open: 99 });
    expect(caps.status).toBe(403);
  });

  it("lets a team lead manage their pool's caps and availability, but no other pool", async () => {
    const ok = await request(app)
      .put("/reps/ben/caps")
      .set("x-test-actor", "team_lead:anna")
      .send({ connectionId: "c-reps", open: 10, perDay: 3 });
    expect(ok.status).toBe(200);
    expect(ok.body.rep.caps).toEqual({
      open: 10,
      perDay: 3,
      perWeek: null,
      perMonth: null,
      perMonthFor: null,
    });
    const outside = await request(app)
      .post("/reps/carla/away")
      .set("x-test-actor", "team_lead:anna")
      .send({ connectionId: "c-reps", reason: "x" });
    expect(outside.status).toBe(403);
    expect(outside.body.message).toBe("not allowed: carla is not in a pool anna leads (dach)");
    const list = await request(app).get("/reps?connectionId=c-reps").set("x-test-actor", "team_lead:anna");
    expect(list.body.reps.map((r: { repKey: string }) => r.repKey)).toEqual(["ben"]);
  });

  it("audits every change", async () => {
    await request(app)
      .post("/reps/diego/ooo")
      .send({ connectionId: "c-reps", from: "2026-12-01", to: "2026-12-05", reason: "training" })
      .expect(201);
    const audit = await db.pool.query(
      "SELECT actor, action, subject FROM audit_log WHERE connection_id = 'c-reps' ORDER BY id",
    );
    expect(audit.rows).toEqual([
      { actor: "rep:ben", action: "rep.away", subject: "rep:ben" },
      { actor: "rep:ben", action: "rep.back", subject: "rep:ben" },
      { actor: "team_lead:anna", action: "rep.caps", subject: "rep:ben" },
      { actor: "admin", action: "rep.ooo", subject: "rep:diego" },
    ]);
  });

  it("replays a decision over the API, for admins only, scoped to its connection", async () => {
    const store = new PostgresAssignmentStore({ pool: db.pool });
    const { decisionId } = await store.assign({
      connectionId: "c-reps",
      lead: aLead({ id: "l-9" }),
      rules: demoRules(),
      owners: DEMO_OWNERS,
      now: new Date("2026-11-23T10:00:00Z"),
    });
    const ok = await request(app).get(`/decisions/${decisionId}/replay?connectionId=c-reps`).expect(200);
    expect(ok.body).toMatchObject({ identical: true, decision: { method: "round_robin" } });
    await request(app).get(`/decisions/${decisionId}/replay?connectionId=c-other`).expect(404);
    await request(app)
      .get(`/decisions/${decisionId}/replay?connectionId=c-reps`)
      .set("x-test-actor", "rep:ben")
      .expect(403);
  });

  it("lists every problem of a bad body, and 404s an unknown connection", async () => {
    const bad = await request(app)
      .put("/reps/ben/caps")
      .send({ connectionId: "c-reps", open: -1, perWeek: "ten", extra: 1 });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe("invalid_payload");
    expect(bad.body.issues.map((i: { path: string }) => i.path).sort()).toEqual([
      "(body)",
      "open",
      "perWeek",
    ]);
    const missing = await request(app).post("/reps/ben/back").send({ connectionId: "nope" });
    expect(missing.status).toBe(404);
  });

  it("when a rep key is misspelt, then the API answers 404 with the closest key and writes nothing", async () => {
    const typo = await request(app)
      .post("/reps/bne/away")
      .send({ connectionId: "c-reps", reason: "vacation" });
    expect(typo.status).toBe(404);
    expect(typo.body.error).toBe("unknown_rep");
    expect(typo.body.message).toBe('no rep "bne" in c-reps\'s SLA — did you mean "ben"?');
    const far = await request(app).put("/reps/zzzzzz/caps").send({ connectionId: "c-reps", open: 3 });
    expect(far.status).toBe(404);
    expect(far.body.message).toContain("reps: anna, ben");
    const rows = await db.pool.query(
      "SELECT rep_key FROM rep_state WHERE connection_id = 'c-reps' AND rep_key IN ('bne', 'zzzzzz')",
    );
    expect(rows.rowCount).toBe(0);
  });
});
