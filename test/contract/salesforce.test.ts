/**
 * The CrmPort contract for the Salesforce adapter on the sandbox, and the adapter's write shapes checked on a
 * loopback recorder against expectations built from reference/salesforce.md. Read shapes: salesforce-nock.test.ts.
 */
import type { AddressInfo } from "node:net";
import express from "express";
import type { SalesforceCrm } from "../../src/adapters/salesforce/salesforce-crm";
import { CrmValidationError } from "../../src/domain/errors";
import {
  SALESFORCE_DEMO_ACCOUNTS,
  SALESFORCE_DEMO_QUEUE_ID,
  SALESFORCE_DEMO_USERS,
  salesforceDemoLeadId,
} from "../../src/sandbox/salesforce/seed";
import { salesforceId } from "../../src/sandbox/salesforce/ids";
import { startSalesforceSandbox } from "../../src/sandbox/salesforce/start";
import { SALESFORCE_SANDBOX_DEMO } from "../../src/sandbox/salesforce/state";
import { crmPortContract } from "./crm-port.contract";
import { salesforceTestCrm } from "../helpers/salesforce-test-crm";

function salesforceCrm(
  instanceUrl: string,
  loginUrl: string,
  tokens?: { accessToken: string; refreshToken: string },
): SalesforceCrm {
  return salesforceTestCrm({ instanceUrl, loginUrl, coalesceWindowMs: 5, ...(tokens ? { tokens } : {}) }).crm;
}

crmPortContract("Salesforce on the sandbox", async () => {
  const sandbox = await startSalesforceSandbox();
  const lead = sandbox.state.records.get("Lead")?.get(salesforceDemoLeadId(7));
  return {
    crm: salesforceCrm(sandbox.instanceUrl, sandbox.instanceUrl),
    seed: {
      lead: { id: salesforceDemoLeadId(7), email: String(lead?.Email), country: "ES", employees: 310 },
      leadIds: [salesforceDemoLeadId(7), salesforceDemoLeadId(8), salesforceDemoLeadId(9)],
      missingLeadId: salesforceId("00Q", 999_999),
      activeOwnerId: SALESFORCE_DEMO_USERS.carla,
      inactiveOwnerId: SALESFORCE_DEMO_USERS.felix,
      queueOwnerId: SALESFORCE_DEMO_QUEUE_ID,
      account: { domain: "madridsoft.es", ownerId: SALESFORCE_DEMO_USERS.carla },
      duplicate: {
        email: String(sandbox.state.records.get("Lead")?.get(salesforceDemoLeadId(1))?.Email),
        leadId: salesforceDemoLeadId(1),
        duplicateId: salesforceDemoLeadId(31),
      },
      conversion: { leadId: salesforceDemoLeadId(7), name: "Web" },
      // Salesforce alone has no page views: they come from Handoff's own activity records.
      pageViews: { leadId: salesforceDemoLeadId(7), minCount: 0 },
      scoreProperty: "Handoff_Score__c",
    },
    teardown: () => sandbox.close(),
  };
});

/**
 * Writes are checked on a loopback recorder rather than nock: jsforce 3.10 streams request bodies, and nock 15
 * (mswjs interceptors) stalls such a request when it starts from a timer, which is exactly how coalesced
 * writes leave the adapter. The expectations are the same kind: method, path, headers, body, in order, all met.
 */
describe("Salesforce write shapes (loopback recorder, from reference/salesforce.md)", () => {
  interface Expectation {
    method: string;
    path: string;
    headers?: Record<string, string>;
    body?: unknown;
    /** A function gets the recorder's own URL (for `instance_url`). */
    reply: { status: number; body?: unknown };
  }
  const V = "/services/data/v62.0";
  const LEAD = "00QHz00000Lx7aAMAR";
  const OWNER = "005Hz00000Rp1aAIAR";

  async function recorder(expectations: Expectation[]) {
    const problems: string[] = [];
    let next = 0;
    let url = "";
    const app = express();
    app.use(express.text({ type: () => true }));
    app.use((req, res) => {
      const expected = expectations[next++];
      const body =
        typeof req.body === "string" && req.body !== ""
          ? req.body.startsWith("{") || req.body.startsWith("[")
            ? JSON.parse(req.body)
            : req.body
          : undefined;
      if (
        !expected ||
        expected.method !== req.method ||
        expected.path !== decodeURIComponent(req.originalUrl)
      ) {
        problems.push(`unexpected ${req.method} ${decodeURIComponent(req.originalUrl)}`);
        res.status(500).json([{ errorCode: "UNEXPECTED", message: "unexpected request" }]);
        return;
      }
      for (const [name, value] of Object.entries(expected.headers ?? {})) {
        if (req.get(name) !== value)
          problems.push(`${req.method} ${req.path}: header ${name} was ${req.get(name)}, expected ${value}`);
      }
      if (expected.body !== undefined) {
        try {
          expect(body).toEqual(expected.body);
        } catch (err) {
          problems.push(`${req.method} ${req.path}: body differs: ${(err as Error).message}`);
        }
      }
      res.set("Sforce-Limit-Info", "api-usage=120/15000");
      const replyBody =
        typeof expected.reply.body === "function"
          ? (expected.reply.body as (u: string) => unknown)(url)
          : expected.reply.body;
      if (replyBody === undefined) res.status(expected.reply.status).end();
      else res.status(expected.reply.status).json(replyBody);
    });
    const server = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return {
      url,
      done: async () => {
        await new Promise((resolve) => server.close(resolve));
        expect(problems).toEqual([]);
        expect(next).toBe(expectations.length);
      },
    };
  }

  test("owner writes: PATCH /composite/sobjects with Sforce-Auto-Assign: FALSE; per-record errors keyed statusCode", async () => {
    const sf = await recorder([
      {
        method: "PATCH",
        path: `${V}/composite/sobjects`,
        headers: {
          "sforce-auto-assign": "FALSE",
          "content-type": "application/json",
          authorization: `Bearer ${SALESFORCE_SANDBOX_DEMO.accessToken}`,
        },
        body: {
          allOrNone: false,
          records: [
            {
              attributes: { type: "Lead" },
              id: LEAD,
              Handoff_Score__c: 105,
              OwnerId: OWNER,
              Status: "Marketing Qualified",
            },
            { attributes: { type: "Lead" }, id: "00QHz00000Lx7aBMAR", OwnerId: OWNER },
          ],
        },
        reply: {
          status: 200,
          body: [
            { id: LEAD, success: true, errors: [] },
            {
              success: false,
              errors: [
                {
                  statusCode: "FIELD_CUSTOM_VALIDATION_EXCEPTION",
                  message: "Owner region must match",
                  fields: [],
                },
              ],
            },
          ],
        },
      },
    ]);
    const crm = salesforceCrm(sf.url, sf.url);
    const ok = crm.updateLeads([{ leadId: LEAD, totalScore: 105, ownerId: OWNER, stage: "mql" }]);
    const refused = crm.updateLeads([{ leadId: "00QHz00000Lx7aBMAR", ownerId: OWNER }]);
    await expect(ok).resolves.toBeUndefined();
    await expect(refused).rejects.toBeInstanceOf(CrmValidationError);
    await expect(refused).rejects.toMatchObject({
      message: expect.stringContaining("FIELD_CUSTOM_VALIDATION_EXCEPTION"),
    });
    await sf.done();
  });

  test("update + task: a lookup of the decision's task, then one POST /composite carrying both collections", async () => {
    const collection = `${V}/composite/sobjects`;
    const sf = await recorder([
      {
        method: "GET",
        path: `${V}/query?q=SELECT Id, WhoId, Handoff_Decision_Id__c FROM Task WHERE Handoff_Decision_Id__c IN ('dec-9')`,
        reply: { status: 200, body: { totalSize: 0, done: true, records: [] } },
      },
      {
        method: "POST",
        path: `${V}/composite`,
        headers: { "sforce-auto-assign": "FALSE" },
        body: {
          allOrNone: false,
          compositeRequest: [
            {
              method: "PATCH",
              url: collection,
              referenceId: "r0",
              httpHeaders: { "Sforce-Auto-Assign": "FALSE" },
              body: {
                allOrNone: false,
                records: [{ attributes: { type: "Lead" }, id: LEAD, OwnerId: OWNER }],
              },
            },
            {
              method: "POST",
              url: collection,
              referenceId: "r1",
              httpHeaders: { "Sforce-Auto-Assign": "FALSE" },
              body: {
                allOrNone: false,
                records: [
                  {
                    attributes: { type: "Task" },
                    WhoId: LEAD,
                    OwnerId: OWNER,
                    Subject: "Call back",
                    ActivityDate: "2026-11-24",
                    ReminderDateTime: "2026-11-24T09:00:00.000Z",
                    IsReminderSet: true,
                    Status: "Not Started",
                    Priority: "High",
                    Type: "Call",
                    Description: "Why now: contact-me form",
                    Handoff_Decision_Id__c: "dec-9",
                  },
                ],
              },
            },
          ],
        },
        reply: {
          status: 200,
          body: {
            compositeResponse: [
              {
                body: [{ id: LEAD, success: true, errors: [] }],
                httpHeaders: {},
                httpStatusCode: 200,
                referenceId: "r0",
              },
              {
                body: [{ id: "00THz00000Ab1cDEAF", success: true, errors: [] }],
                httpHeaders: {},
                httpStatusCode: 200,
                referenceId: "r1",
              },
            ],
          },
        },
      },
    ]);
    const crm = salesforceCrm(sf.url, sf.url);
    const [, task] = await Promise.all([
      crm.updateLeads([{ leadId: LEAD, ownerId: OWNER }]),
      crm.createTask({
        leadId: LEAD,
        ownerId: OWNER,
        subject: "Call back",
        body: "Why now: contact-me form",
        dueAt: "2026-11-24T09:00:00.000Z",
        decisionId: "dec-9",
      }),
    ]);
    expect(task).toEqual({ id: "00THz00000Ab1cDEAF", leadId: LEAD });
    await sf.done();
  });

  test("401 INVALID_SESSION_ID: one refresh_token grant at the login URL, then the call is replayed with the new token", async () => {
    const count = `${V}/query?q=SELECT OwnerId, COUNT(Id) openCount FROM Lead WHERE IsConverted = false AND Status IN ('Open - Not Contacted', 'Working - Contacted', 'Marketing Qualified', 'Sales Accepted') AND OwnerId IN ('${OWNER}') GROUP BY OwnerId`;
    const sf = await recorder([
      {
        method: "GET",
        path: count,
        headers: { authorization: `Bearer ${SALESFORCE_SANDBOX_DEMO.accessToken}` },
        reply: {
          status: 401,
          body: [{ message: "Session expired or invalid", errorCode: "INVALID_SESSION_ID" }],
        },
      },
      {
        method: "POST",
        path: "/services/oauth2/token",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: `grant_type=refresh_token&refresh_token=${encodeURIComponent(SALESFORCE_SANDBOX_DEMO.refreshToken)}&client_id=${SALESFORCE_SANDBOX_DEMO.clientId}&client_secret=${SALESFORCE_SANDBOX_DEMO.clientSecret}`,
        reply: {
          status: 200,
          body: (instanceUrl: string) => ({
            access_token: "00DHz!fresh",
            instance_url: instanceUrl,
            id: `https://login.salesforce.com/id/00DHz000004Hnd0MAC/${OWNER}`,
            issued_at: "1795000000000",
            token_type: "Bearer",
          }),
        },
      },
      {
        method: "GET",
        path: count,
        headers: { authorization: "Bearer 00DHz!fresh" },
        reply: {
          status: 200,
          body: {
            totalSize: 1,
            done: true,
            records: [{ attributes: { type: "AggregateResult" }, OwnerId: OWNER, openCount: 2 }],
          },
        },
      },
    ]);
    const crm = salesforceCrm(sf.url, sf.url);
    expect(await crm.countOpenLeadsByOwner([OWNER])).toEqual({ [OWNER]: 2 });
    await sf.done();
  });
});

test("the demo accounts are what the contract seed says", () => {
  expect(SALESFORCE_DEMO_ACCOUNTS.madridsoft).toMatch(/^001/);
});
