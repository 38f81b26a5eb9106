import express from "express";
import request from "supertest";
import {
  createSalesforcePkce,
  exchangeSalesforceCode,
  refreshSalesforceAccessToken,
  revokeSalesforceToken,
  salesforceAuthorizeUrl,
  type SalesforceOAuthConfig,
} from "../../../../src/adapters/salesforce/salesforce-oauth";
import { CrmAuthError } from "../../../../src/domain/errors";
import { createSalesforceSandboxRouter } from "../../../../src/sandbox/salesforce/router";
import {
  SALESFORCE_DEMO_QUEUE_ID,
  SALESFORCE_DEMO_USERS,
  salesforceDemoLeadId,
} from "../../../../src/sandbox/salesforce/seed";
import { startSalesforceSandbox } from "../../../../src/sandbox/salesforce/start";
import { parseSoql, SOQL_STATEMENT_MAX, SoqlError } from "../../../../src/sandbox/salesforce/soql";
import {
  createSalesforceSandboxState,
  SALESFORCE_SANDBOX_DEMO,
  setApiCallsUsed,
  type SalesforceSandboxState,
} from "../../../../src/sandbox/salesforce/state";

const V = "/salesforce/services/data/v62.0";
const auth = { Authorization: `Bearer ${SALESFORCE_SANDBOX_DEMO.accessToken}` };

let state: SalesforceSandboxState;
let app: express.Express;

beforeEach(() => {
  state = createSalesforceSandboxState({ now: () => Date.parse("2026-11-23T10:00:00Z"), dailyApiLimit: 100 });
  app = express();
  app.use("/salesforce", createSalesforceSandboxRouter(state));
});

const soql = (q: string) => request(app).get(`${V}/query`).query({ q }).set(auth);

describe("limits and sessions", () => {
  test("every API response carries Sforce-Limit-Info, errors included", async () => {
    const ok = await request(app).get(`${V}/limits`).set(auth);
    expect(ok.status).toBe(200);
    expect(ok.headers["sforce-limit-info"]).toBe("api-usage=1/100");
    const missing = await request(app).get(`${V}/sobjects/Lead/00Q5g0000009999AAA`).set(auth);
    expect(missing.status).toBe(404);
    expect(missing.headers["sforce-limit-info"]).toBe("api-usage=2/100");
  });

  test("past the daily allocation the org answers 403 REQUEST_LIMIT_EXCEEDED and does not count the call", async () => {
    setApiCallsUsed(state, 100);
    const res = await soql("SELECT Id FROM Lead LIMIT 1");
    expect(res.status).toBe(403);
    expect(res.body).toEqual([
      { message: "TotalRequests Limit exceeded.", errorCode: "REQUEST_LIMIT_EXCEEDED" },
    ]);
    expect(res.headers["sforce-limit-info"]).toBe("api-usage=100/100");
  });

  test("calls roll out of the 24-hour window", async () => {
    let now = Date.parse("2026-11-23T10:00:00Z");
    state.now = () => now;
    setApiCallsUsed(state, 100);
    now += 24 * 60 * 60 * 1000 + 60_000;
    expect((await soql("SELECT Id FROM Lead LIMIT 1")).status).toBe(200);
  });

  test("a missing, unknown or expired token gets 401 INVALID_SESSION_ID", async () => {
    for (const headers of [{}, { Authorization: "Bearer nope" }]) {
      const res = await request(app).get(`${V}/limits`).set(headers);
      expect(res.status).toBe(401);
      expect(res.body).toEqual([{ message: "Session expired or invalid", errorCode: "INVALID_SESSION_ID" }]);
    }
    await request(app).post("/salesforce/__sandbox/faults").send({ expireSessions: true }).expect(200);
    expect((await request(app).get(`${V}/limits`).set(auth)).status).toBe(401);
  });

  test("injected faults answer first, latency is added, and both can be cleared", async () => {
    await request(app)
      .post("/salesforce/__sandbox/faults")
      .send({
        latencyMs: 30,
        rules: [{ status: 503, errorCode: "SERVER_UNAVAILABLE", count: 1, pathIncludes: "/query" }],
      })
      .expect(200);
    const started = Date.now();
    const faulted = await soql("SELECT Id FROM Lead LIMIT 1");
    expect(faulted.status).toBe(503);
    expect(faulted.body).toEqual([
      { errorCode: "SERVER_UNAVAILABLE", message: "injected SERVER_UNAVAILABLE" },
    ]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    expect((await soql("SELECT Id FROM Lead LIMIT 1")).status).toBe(200);
    const summary = await request(app).post("/salesforce/__sandbox/faults").send({ clear: true });
    expect(summary.body).toMatchObject({ latencyMs: 0, pendingFaults: 0, orgId: "00D5g000004bE2xEAE" });
  });
});

test("more concurrent long-running requests than the org allows get REQUEST_LIMIT_EXCEEDED", async () => {
  state.concurrentLongRunningLimit = 2;
  state.longRunningMs = 40;
  state.faults.latencyMs = 50;
  const results = await Promise.all([1, 2, 3].map(() => request(app).get(`${V}/limits`).set(auth)));
  expect(results.map((r) => r.status).sort()).toEqual([200, 200, 403]);
  expect(results.find((r) => r.status === 403)?.body).toEqual([
    { message: "ConcurrentPerOrgLongTxn Limit exceeded.", errorCode: "REQUEST_LIMIT_EXCEEDED" },
  ]);
  expect(state.longRunningInFlight).toBe(0);
});

describe("SOQL subset", () => {
  test("COUNT GROUP BY OwnerId with an alias, as the capacity query asks", async () => {
    const res = await soql(
      `SELECT OwnerId, COUNT(Id) openCount FROM Lead WHERE IsConverted = false AND Status IN ('Open - Not Contacted', 'Working - Contacted', 'Marketing Qualified', 'Sales Accepted') AND OwnerId IN ('${SALESFORCE_DEMO_USERS.anna}', '${SALESFORCE_DEMO_USERS.carla}') GROUP BY OwnerId ORDER BY OwnerId`,
    );
    expect(res.status).toBe(200);
    expect(res.body.records).toEqual([
      { attributes: { type: "AggregateResult" }, OwnerId: SALESFORCE_DEMO_USERS.anna, openCount: 3 },
      { attributes: { type: "AggregateResult" }, OwnerId: SALESFORCE_DEMO_USERS.carla, openCount: 1 },
    ]);
    const unaliased = await soql("SELECT COUNT(Id) FROM Lead");
    expect(unaliased.body.records).toEqual([{ attributes: { type: "AggregateResult" }, expr0: 31 }]);
  });

  test("WHERE with LIKE, OR, NOT, datetimes, ORDER BY DESC and LIMIT", async () => {
    const res = await soql(
      "select Id, Company, PostalCode from lead where (PostalCode like '28%' or CountryCode = 'pt') and not Status = 'Marketing Qualified' order by PostalCode desc limit 3",
    );
    expect(res.body.records.map((r: { PostalCode: string }) => r.PostalCode)).toEqual([
      "28020",
      "28013",
      "28001",
    ]);
    expect(res.body.records[0].attributes).toEqual({
      type: "Lead",
      url: `/services/data/v62.0/sobjects/Lead/${res.body.records[0].Id}`,
    });
    const recent = await soql(
      "SELECT Id FROM Lead WHERE SystemModstamp > 2026-11-22T10:00:00Z ORDER BY SystemModstamp ASC",
    );
    expect(recent.body.totalSize).toBe(1);
  });

  test("AND binds tighter than OR, and NOT applies to the group that follows it", async () => {
    const count = async (where: string): Promise<number> =>
      (await soql(`SELECT COUNT(Id) n FROM Lead${where}`)).body.records[0].n as number;
    const all = await count("");
    const loose = await count(
      " WHERE CountryCode = 'PT' OR CountryCode = 'ES' AND Status = 'Marketing Qualified'",
    );
    const grouped = await count(
      " WHERE CountryCode = 'PT' OR (CountryCode = 'ES' AND Status = 'Marketing Qualified')",
    );
    expect(loose).toBe(grouped);
    const either = await count(" WHERE (CountryCode = 'PT' OR CountryCode = 'ES')");
    expect(either).toBeGreaterThan(0);
    expect(await count(" WHERE NOT (CountryCode = 'PT' OR CountryCode = 'ES')")).toBe(all - either);
  });

  test("SOQL beyond the subset Handoff sends is refused as MALFORMED_QUERY, never guessed at", async () => {
    for (const query of [
      "SELECT Id FROM Lead WHERE CreatedDate = TODAY",
      "SELECT Id FROM Lead WHERE Id IN (SELECT WhoId FROM Task)",
      "SELECT OwnerId, COUNT(Id) FROM Lead GROUP BY OwnerId HAVING COUNT(Id) > 1",
      "SELECT Id, (SELECT Id FROM Tasks) FROM Lead",
      "SELECT Id FROM Lead ORDER BY Company, Email",
    ]) {
      const res = await soql(query);
      expect({ query, status: res.status, code: res.body[0]?.errorCode }).toEqual({
        query,
        status: 400,
        code: "MALFORMED_QUERY",
      });
    }
  });

  test("when a SOQL statement is longer than 100,000 characters, then it is refused as MALFORMED_QUERY", () => {
    const values = (n: number) => Array.from({ length: n }, (_, i) => `'lead${i}@example.com'`).join(", ");
    const within = `SELECT Id FROM Lead WHERE Email IN (${values(100)})`;
    expect(parseSoql(within).from).toBe("Lead");
    const beyond = `SELECT Id FROM Lead WHERE Email IN (${values(5_000)})`;
    expect(beyond.length).toBeGreaterThan(SOQL_STATEMENT_MAX);
    expect(() => parseSoql(beyond)).toThrow(SoqlError);
    expect(() => parseSoql(beyond)).toThrow(/longer than 100000/);
  });

  test("a bad field or malformed query is a 400 with Salesforce's code", async () => {
    const field = await soql("SELECT Id, Nope__c FROM Lead");
    expect(field.status).toBe(400);
    expect(field.body[0]).toMatchObject({ errorCode: "INVALID_FIELD" });
    const malformed = await soql("SELECT Id FROM Lead WHERE");
    expect(malformed.body[0]).toMatchObject({ errorCode: "MALFORMED_QUERY" });
    const type = await soql("SELECT Id FROM Nope");
    expect(type.body[0]).toMatchObject({ errorCode: "INVALID_TYPE" });
  });
});

describe("writes", () => {
  test("a Lead write without Sforce-Auto-Assign: FALSE is re-assigned by the org's assignment rule", async () => {
    const id = salesforceDemoLeadId(3);
    await request(app)
      .patch(`${V}/sobjects/Lead/${id}`)
      .set(auth)
      .send({ OwnerId: SALESFORCE_DEMO_USERS.ben })
      .expect(204);
    expect(state.records.get("Lead")?.get(id)?.OwnerId).toBe(SALESFORCE_DEMO_QUEUE_ID);
    await request(app)
      .patch(`${V}/sobjects/Lead/${id}`)
      .set({ ...auth, "Sforce-Auto-Assign": "FALSE" })
      .send({ OwnerId: SALESFORCE_DEMO_USERS.ben })
      .expect(204);
    expect(state.records.get("Lead")?.get(id)?.OwnerId).toBe(SALESFORCE_DEMO_USERS.ben);
  });

  test("collections report per-record errors with statusCode; allOrNone rolls the rest back", async () => {
    const records = [
      { attributes: { type: "Lead" }, id: salesforceDemoLeadId(1), Status: "Sales Accepted" },
      { attributes: { type: "Lead" }, id: salesforceDemoLeadId(2), Status: "Bogus" },
    ];
    const partial = await request(app)
      .patch(`${V}/composite/sobjects`)
      .set(auth)
      .send({ allOrNone: false, records });
    expect(partial.body).toEqual([
      { id: salesforceDemoLeadId(1), success: true, errors: [] },
      {
        id: null,
        success: false,
        errors: [
          {
            statusCode: "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
            message: expect.stringContaining("Bogus"),
            fields: ["Status"],
          },
        ],
      },
    ]);
    records[0] = { attributes: { type: "Lead" }, id: salesforceDemoLeadId(4), Status: "Sales Accepted" };
    const all = await request(app)
      .patch(`${V}/composite/sobjects`)
      .set(auth)
      .send({ allOrNone: true, records });
    expect(all.body[0].errors[0].statusCode).toBe("ALL_OR_NONE_OPERATION_ROLLED_BACK");
    expect(state.records.get("Lead")?.get(salesforceDemoLeadId(4))?.Status).toBe("Open - Not Contacted");
    const tooMany = await request(app)
      .patch(`${V}/composite/sobjects`)
      .set(auth)
      .send({ records: Array.from({ length: 201 }, () => records[0]) });
    expect(tooMany.status).toBe(400);
  });

  test("composite runs subrequests in order with references and counts as one call", async () => {
    const before = state.apiCallsTotal;
    const res = await request(app)
      .post(`${V}/composite`)
      .set(auth)
      .send({
        allOrNone: true,
        compositeRequest: [
          {
            method: "POST",
            url: "/services/data/v62.0/sobjects/Lead",
            referenceId: "newLead",
            body: { LastName: "Ng", Company: "Ng Ltd" },
          },
          {
            method: "POST",
            url: "/services/data/v62.0/sobjects/Task",
            referenceId: "task",
            body: { WhoId: "@{newLead.id}", OwnerId: SALESFORCE_DEMO_USERS.anna, Subject: "Call" },
          },
          {
            method: "GET",
            url: "/services/data/v62.0/sobjects/Task/@{task.id}?fields=WhoId,Status",
            referenceId: "read",
          },
        ],
      });
    expect(res.status).toBe(200);
    const [lead, task, read] = res.body.compositeResponse;
    expect(lead).toMatchObject({ httpStatusCode: 201, referenceId: "newLead" });
    expect(task).toMatchObject({ httpStatusCode: 201 });
    expect(read.body).toMatchObject({ WhoId: lead.body.id, Status: "Not Started" });
    expect(state.apiCallsTotal - before).toBe(1);
  });

  test("when a composite holds more than 5 collection or query subrequests, then Salesforce refuses it as LIMIT_EXCEEDED and counts one call", async () => {
    const query = (i: number) => ({
      method: "GET",
      url: `/services/data/v62.0/query?q=${encodeURIComponent("SELECT Id FROM User")}`,
      referenceId: `q${i}`,
    });
    const five = await request(app)
      .post(`${V}/composite`)
      .set(auth)
      .send({ compositeRequest: Array.from({ length: 5 }, (_, i) => query(i)) });
    expect(five.status).toBe(200);
    const six = await request(app)
      .post(`${V}/composite`)
      .set(auth)
      .send({ compositeRequest: Array.from({ length: 6 }, (_, i) => query(i)) });
    expect(six.status).toBe(400);
    expect(six.body[0]).toMatchObject({ errorCode: "LIMIT_EXCEEDED" });
  });

  test("writing an inactive owner fails with INACTIVE_OWNER_OR_USER", async () => {
    const res = await request(app)
      .patch(`${V}/sobjects/Lead/${salesforceDemoLeadId(1)}`)
      .set({ ...auth, "Sforce-Auto-Assign": "FALSE" })
      .send({ OwnerId: SALESFORCE_DEMO_USERS.felix });
    expect(res.status).toBe(400);
    expect(res.body[0]).toMatchObject({ errorCode: "INACTIVE_OWNER_OR_USER", fields: ["OwnerId"] });
  });

  test("when a Task is given to a queue whose QueueSobject lists only Lead, then Salesforce's FIELD_INTEGRITY_EXCEPTION refuses it; the Lead may be queue-owned", async () => {
    const lead = await request(app)
      .patch(`${V}/sobjects/Lead/${salesforceDemoLeadId(1)}`)
      .set({ ...auth, "Sforce-Auto-Assign": "FALSE" })
      .send({ OwnerId: SALESFORCE_DEMO_QUEUE_ID });
    expect(lead.status).toBe(204);
    const task = await request(app)
      .post(`${V}/sobjects/Task`)
      .set(auth)
      .send({ WhoId: salesforceDemoLeadId(1), OwnerId: SALESFORCE_DEMO_QUEUE_ID, Subject: "Call" });
    expect(task.status).toBe(400);
    expect(task.body).toEqual([
      {
        errorCode: "FIELD_INTEGRITY_EXCEPTION",
        message: `Assigned To ID: id value of incorrect type: ${SALESFORCE_DEMO_QUEUE_ID}`,
        fields: ["OwnerId"],
      },
    ]);
    const listed = await soql(
      `SELECT QueueId, SobjectType FROM QueueSobject WHERE QueueId = '${SALESFORCE_DEMO_QUEUE_ID}'`,
    );
    expect(listed.body.records.map((r: { SobjectType: string }) => r.SobjectType)).toEqual(["Lead"]);
  });

  test("describe lists Handoff's custom fields with types and the Status picklist", async () => {
    const res = await request(app).get(`${V}/sobjects/Lead/describe`).set(auth);
    const names = res.body.fields.map((f: { name: string }) => f.name);
    expect(names).toEqual(
      expect.arrayContaining(["Handoff_Score__c", "Handoff_Follow_Up_Due__c", "CountryCode"]),
    );
    const status = res.body.fields.find((f: { name: string }) => f.name === "Status");
    expect(status.picklistValues.map((p: { value: string }) => p.value)).toContain("Marketing Qualified");
  });
});

describe("OAuth web-server flow through the adapter's OAuth functions", () => {
  test("authorize → code (PKCE) → tokens with org id; refresh; revoke ends the refresh token", async () => {
    const sandbox = await startSalesforceSandbox();
    try {
      const config: SalesforceOAuthConfig = {
        clientId: SALESFORCE_SANDBOX_DEMO.clientId,
        clientSecret: SALESFORCE_SANDBOX_DEMO.clientSecret,
        redirectUri: "http://127.0.0.1:3000/oauth/salesforce/callback",
        loginUrl: sandbox.instanceUrl,
      };
      const pkce = createSalesforcePkce();
      const url = salesforceAuthorizeUrl(config, { state: "s-123", codeChallenge: pkce.challenge });
      expect(url).toMatch(/\/services\/oauth2\/authorize\?/);
      expect(new URL(url).searchParams.get("scope")).toBe("api refresh_token");
      const redirect = await fetch(url, { redirect: "manual" });
      expect(redirect.status).toBe(302);
      const callback = new URL(redirect.headers.get("location") ?? "");
      expect(callback.searchParams.get("state")).toBe("s-123");
      const code = callback.searchParams.get("code") ?? "";

      await expect(exchangeSalesforceCode(config, code, "wrong-verifier")).rejects.toBeInstanceOf(
        CrmAuthError,
      );
      const second = new URL((await fetch(url, { redirect: "manual" })).headers.get("location") ?? "");
      const install = await exchangeSalesforceCode(
        config,
        second.searchParams.get("code") ?? "",
        pkce.verifier,
      );
      expect(install).toMatchObject({
        organizationId: "00D5g000004bE2xEAE",
        userId: SALESFORCE_SANDBOX_DEMO.adminUserId,
        tokens: { instanceUrl: sandbox.instanceUrl },
      });
      const refreshToken = install.tokens.refreshToken ?? "";
      const refreshed = await refreshSalesforceAccessToken(config, refreshToken);
      expect(refreshed.accessToken).not.toBe(install.tokens.accessToken);
      expect(refreshed.refreshToken).toBe(refreshToken);

      await revokeSalesforceToken(config, refreshToken);
      await expect(refreshSalesforceAccessToken(config, refreshToken)).rejects.toMatchObject({
        code: "crm_auth",
        message: expect.stringContaining("invalid_grant"),
      });
    } finally {
      await sandbox.close();
    }
  });
});

describe("the org's edition", () => {
  it.each([
    ["professional", "Professional Edition"],
    ["enterprise", "Enterprise Edition"],
    ["unlimited", "Unlimited Edition"],
  ] as const)("when the org is %s, then SOQL on Organization names it %s", async (edition, type) => {
    const org = createSalesforceSandboxState({ edition, seed: false });
    const api = express().use("/salesforce", createSalesforceSandboxRouter(org));
    const res = await request(api)
      .get(`${V}/query`)
      .query({ q: "SELECT OrganizationType FROM Organization" })
      .set(auth);
    expect(res.status).toBe(200);
    expect(res.body.records).toEqual([expect.objectContaining({ OrganizationType: type })]);
  });

  it("when a client tries to insert an Organization, then it is refused as Salesforce refuses it", async () => {
    const res = await request(app).post(`${V}/sobjects/Organization`).set(auth).send({ Name: "Another org" });
    expect(res.status).toBe(400);
    expect(res.body).toEqual([
      expect.objectContaining({
        errorCode: "INVALID_TYPE_FOR_OPERATION",
        message: "entity type cannot be inserted: Organization",
      }),
    ]);
  });
});
