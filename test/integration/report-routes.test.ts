import { readFileSync } from "node:fs";
import path from "node:path";
import express from "express";
import request from "supertest";
import { PostgresReportStore } from "../../src/adapters/postgres/report-store";
import { createErrorHandler } from "../../src/http/error-handler";
import { createReportRouter } from "../../src/http/routes/report-routes";
import { parseSla } from "../../src/sla/load-sla";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { insertConnection } from "./routing/routing-fixtures";
import { silent } from "../helpers/silent-logger";

const NOW = new Date("2026-11-23T12:00:00.000Z");
// The minimal SLA plus a rule for Portugal, so that a fit of 70 is reachable but not by the Spanish leads here.
const SLA_TEXT = readFileSync(path.join(__dirname, "../fixtures/sla/valid-minimal.yaml"), "utf8").replace(
  "engagement:\n",
  "  - id: portugal\n    when: { country: PT }\n    points: 20\nengagement:\n",
);
const live = parseSla(SLA_TEXT, "valid-minimal.yaml");
let db: TestDatabase;
let app: express.Express;

const vpLead = {
  id: "L1",
  email: "lea@example.es",
  jobTitle: "VP Sales",
  employees: 500,
  country: "ES",
  postalCode: "28013",
  stage: "lead",
  properties: {},
};
const contactMe = (at: string, id: string) => ({
  kind: "form_submission",
  occurredAt: at,
  name: "contact-me",
  id,
});

async function handoff(
  connectionId: string,
  id: string,
  fields: { leadId: string; status: string; rejectReason?: string; rule: string; firstTouchAt?: string },
  cardInput: unknown = {},
): Promise<void> {
  await db.pool.query(
    `INSERT INTO decisions (id, connection_id, lead_id, event_key, sla_hash, created_at, inputs, outcome)
     VALUES ($1, $2, $3, $1, 'h', '2026-11-16T10:00:00Z', '{"score":{"total":90}}',
             '{"routing":{"pool":"iberia","repKey":"carla"}}')`,
    [id, connectionId, fields.leadId],
  );
  await db.pool.query(
    `INSERT INTO handoffs (id, connection_id, lead_id, event_key, rep_key, started_at, due_at, first_touch_at,
                           status, reject_reason, score, source, card_input)
     VALUES ($1, $2, $3, $1, 'carla', '2026-11-16T10:00:00Z', '2026-11-16T10:30:00Z', $4, $5, $6, $7, $8, $9)`,
    [
      id,
      connectionId,
      fields.leadId,
      fields.firstTouchAt ?? null,
      fields.status,
      fields.rejectReason ?? null,
      JSON.stringify({
        fit: 60,
        engagement: 50,
        total: 110,
        reasons: [{ rule: fields.rule, axis: "fit", points: 30, evidence: "x" }],
      }),
      JSON.stringify({
        leadSource: "PAID_SOCIAL",
        source: "linkedin",
        medium: "paid_social",
        campaign: "q4-webinar",
      }),
      JSON.stringify(cardInput),
    ],
  );
}

async function event(
  connectionId: string,
  key: string,
  objectId: string,
  at: string,
  property?: [string, string],
) {
  const payload = {
    connectionId,
    crm: "hubspot",
    eventKey: key,
    kind: "property_changed",
    objectType: "contact",
    objectId,
    occurredAt: at,
    raw: {},
    ...(property ? { propertyName: property[0], propertyValue: property[1] } : {}),
  };
  await db.pool.query(
    `INSERT INTO events (connection_id, event_key, kind, object_type, object_id, occurred_at, payload, status)
     VALUES ($1, $2, 'property_changed', 'contact', $3, $4, $5, 'processed')`,
    [connectionId, key, objectId, at, JSON.stringify(payload)],
  );
}

beforeAll(async () => {
  db = await createTestDatabase();
  await insertConnection(db.pool, "c-a");
  await insertConnection(db.pool, "c-b");
  for (const [c, n] of [
    ["c-a", 3],
    ["c-b", 5],
  ] as const) {
    for (let i = 0; i < n; i += 1) {
      await db.pool.query(
        `INSERT INTO lifecycle_events (connection_id, lead_id, type, stage, by, at) VALUES ($1, $2, 'stage_set', 'mql', 'handoff', $3)`,
        [c, `m${i}`, "2026-11-16T10:00:00Z"],
      );
    }
  }
  // c-a: a VP handed over and accepted (touched in 12 minutes), a second lead rejected as not_icp.
  await handoff(
    "c-a",
    "d-a1",
    { leadId: "L1", status: "accepted", rule: "title", firstTouchAt: "2026-11-16T10:12:00Z" },
    {
      lead: vpLead,
      activities: [contactMe("2026-11-16T09:58:00Z", "f1")],
      // Handed over on the SLA's contact-me tier; d-a2 predates tiers (no tier: the default).
      followUp: { startedAt: "2026-11-16T10:00:00Z", dueAt: "2026-11-16T10:30:00Z", tier: "contact_me" },
    },
  );
  await handoff("c-a", "d-a2", { leadId: "L3", status: "rejected", rejectReason: "not_icp", rule: "size" });
  await event("c-a", "e1", "L1", "2026-11-16T10:00:00Z");
  // L2 was never handed over: its fields come from the property values its events carried.
  const props: [string, string][] = [
    ["email", "max@example.es"],
    ["jobtitle", "Head of Sales"],
    ["country", "ES"],
    ["numemployees", "300"],
    ["zip", "08001"],
  ];
  for (const [i, p] of props.entries()) await event("c-a", `e2-${i}`, "L2", `2026-11-17T10:0${i}:00Z`, p);
  await db.pool.query(
    `INSERT INTO activities (connection_id, lead_id, activity_id, kind, occurred_at, name)
     VALUES ('c-a', 'L2', 'f2', 'form_submission', '2026-11-17T09:55:00Z', 'contact-me')`,
  );
  // c-b: another tenant's data must never show up in c-a's reports.
  await handoff(
    "c-b",
    "d-b1",
    { leadId: "L9", status: "rejected", rejectReason: "competitor", rule: "b-only-rule" },
    { lead: { ...vpLead, id: "L9" }, activities: [contactMe("2026-11-16T09:58:00Z", "f9")] },
  );
  await event("c-b", "e9", "L9", "2026-11-16T10:00:00Z");

  app = express();
  app.use(
    createReportRouter({
      reports: new PostgresReportStore(db.pool),
      slaFor: async () => ({ sla: live.sla, hash: live.hash }),
      logger: silent,
      now: () => NOW,
    }),
  );
  app.use(createErrorHandler(silent));
});
afterAll(async () => db.close());

describe("report routes", () => {
  it("when connectionId is missing, then every route answers 400 with the error shape", async () => {
    for (const url of [
      "/reports/pace",
      "/reports/compliance",
      "/reports/feedback",
      "/reports/channels",
      "/reports/fairness",
      "/decisions/export",
    ]) {
      const res = await request(app).get(url);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: "connection_required",
        message: expect.any(String),
        hint: expect.stringContaining("connectionId"),
        requestId: expect.any(String),
      });
    }
    const forecast = await request(app).post("/forecast").type("application/yaml").send(SLA_TEXT);
    expect(forecast.status).toBe(400);
  });

  it("pace counts only this connection's MQLs of the quarter, labelled in both teams' words", async () => {
    const res = await request(app).get("/reports/pace?connectionId=c-a");
    expect(res.status).toBe(200);
    expect(res.body.pace).toMatchObject({ quarter: "2026-Q4", delivered: 3, commitment: 600 });
    expect(res.body.labels.attract).toBe("attract / prospecting");
    const other = await request(app).get("/reports/pace?connectionId=c-b");
    expect(other.body.pace.delivered).toBe(5);
  });

  it("compliance, feedback and fairness see only this connection's handoffs", async () => {
    const compliance = await request(app).get("/reports/compliance?connectionId=c-a&since=30d");
    expect(compliance.body).toMatchObject({
      handoffs: 2,
      touched: 1,
      breaches: 1,
      p50Minutes: 12,
      firstTouch: "30m",
    });
    expect(compliance.body.byTier).toEqual([
      {
        tier: "contact_me",
        handoffs: 1,
        touched: 1,
        breaches: 0,
        onTimeRate: 1,
        p50Minutes: 12,
        p90Minutes: 12,
      },
      {
        tier: "default",
        handoffs: 1,
        touched: 0,
        breaches: 1,
        onTimeRate: 0,
        p50Minutes: null,
        p90Minutes: null,
      },
    ]);
    const feedback = await request(app).get("/reports/feedback?connectionId=c-a");
    expect(feedback.body).toMatchObject({ accepted: 1, rejected: 1, acceptanceRate: 0.5 });
    expect(feedback.body.rejectReasons).toEqual([{ reason: "not_icp", count: 1 }]);
    expect(feedback.body.rules.map((r: { rule: string }) => r.rule).sort()).toEqual(["size", "title"]);
    expect(JSON.stringify(feedback.body)).not.toContain("competitor");
    const fairness = await request(app).get("/reports/fairness?connectionId=c-a&since=2026-11-16");
    expect(fairness.body.pools[0]).toMatchObject({ pool: "iberia", assigned: 2 });
  });

  it("channels show the UTM campaign of handed-over leads per week", async () => {
    const res = await request(app).get("/reports/channels?connectionId=c-a");
    expect(res.status).toBe(200);
    const webinar = res.body.rows.find((r: { campaign: string }) => r.campaign === "q4-webinar");
    expect(webinar).toMatchObject({ week: "2026-W47", qualified: 2, accepted: 1, rejected: 1 });
    expect(res.body.rows.reduce((n: number, r: { leads: number }) => n + r.leads, 0)).toBe(3);
  });

  it("a bad since is refused with a hint", async () => {
    const res = await request(app).get("/reports/compliance?connectionId=c-a&since=yesterday");
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("invalid_since");
  });

  it("when a draft SLA asks for more fit, then the forecast on the same history shows fewer MQLs than the live one", async () => {
    const draft = SLA_TEXT.replace('mql: { fit: ">= 50"', 'mql: { fit: ">= 70"').replace(
      "version: 1",
      "version: 2",
    );
    const res = await request(app)
      .post("/forecast?connectionId=c-a&since=90d")
      .type("application/yaml")
      .send(draft);
    expect(res.status).toBe(200);
    expect(res.body.history).toMatchObject({ leads: 2, events: 6 });
    expect(res.body.live).toMatchObject({
      label: "live",
      mqls: 2,
      mqlThreshold: { fit: 50, engagement: 40 },
    });
    expect(res.body.draft).toMatchObject({ label: "draft", slaVersion: 2, mqls: 0 });
    expect(res.body.mqlDelta).toBe(-2);
  });

  it("a broken draft is refused listing its problems", async () => {
    const res = await request(app).post("/forecast?connectionId=c-a").type("application/yaml").send("sla: [");
    expect(res.status).toBe(400);
    expect(res.body.error).toBeDefined();
  });

  it("exports this connection's decisions as ndjson, one per line", async () => {
    const res = await request(app)
      .get("/decisions/export?connectionId=c-a&since=2026-11-01")
      .buffer(true)
      .parse((r, cb) => {
        let text = "";
        r.on("data", (c: Buffer) => (text += c.toString()));
        r.on("end", () => cb(null, text));
      });
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toContain("application/x-ndjson");
    const lines = (res.body as string)
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { id: string; connectionId: string });
    expect(lines.map((l) => l.id)).toEqual(["d-a1", "d-a2"]);
    expect(lines.every((l) => l.connectionId === "c-a")).toBe(true);
  });
});
