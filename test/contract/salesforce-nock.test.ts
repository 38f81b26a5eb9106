/**
 * Request shapes of the Salesforce adapter's reads and error handling, checked with nock against
 * expectations built from reference/salesforce.md (paths, SOQL, headers, error bodies). Every test ends with
 * `scope.done()`. Writes are checked on a loopback recorder in salesforce.test.ts (jsforce streams bodies).
 */
import { nockWithLoopbackOnly } from "../helpers/nock-loopback";
import nock from "nock";
import type { SalesforceCrm } from "../../src/adapters/salesforce/salesforce-crm";
import { CrmNotFoundError, CrmRateLimitedError } from "../../src/domain/errors";
import { SALESFORCE_SANDBOX_DEMO } from "../../src/sandbox/salesforce/state";
import { salesforceTestCrm } from "../helpers/salesforce-test-crm";

function salesforceCrm(instanceUrl: string, loginUrl: string): SalesforceCrm {
  return salesforceTestCrm({ instanceUrl, loginUrl, coalesceWindowMs: 5 }).crm;
}

nockWithLoopbackOnly();

describe("Salesforce request shapes (nock, from reference/salesforce.md)", () => {
  const INSTANCE = "https://handoff-test.my.salesforce.com";
  const LOGIN = "https://login.salesforce.com";
  const V = "/services/data/v62.0";
  const LEAD = "00QHz00000Lx7aAMAR";
  const OWNER = "005Hz00000Rp1aAIAR";
  const limitInfo = { "Sforce-Limit-Info": "api-usage=120/15000", "Content-Type": "application/json" };
  const describeLead = {
    fields: [
      "Id",
      "FirstName",
      "LastName",
      "Email",
      "Company",
      "Title",
      "NumberOfEmployees",
      "Country",
      "PostalCode",
      "LeadSource",
      "Status",
      "OwnerId",
      "IsConverted",
      "CreatedDate",
      "LastModifiedDate",
      "Handoff_Score__c",
    ].map((name) => ({ name })),
  };
  const api = () =>
    nock(INSTANCE, {
      reqheaders: {
        authorization: `Bearer ${SALESFORCE_SANDBOX_DEMO.accessToken}`,
        "sforce-call-options": "client=Handoff",
      },
    });

  afterEach(() => nock.cleanAll());

  test("lead reads: describe once, then one SOQL query with only the fields the org has", async () => {
    const scope = api()
      .get(`${V}/sobjects/Lead/describe`)
      .reply(200, describeLead, limitInfo)
      .get(`${V}/query`)
      .query({
        q: `SELECT Id, FirstName, LastName, Email, Company, Title, NumberOfEmployees, PostalCode, Country, LeadSource, Status, OwnerId, IsConverted, CreatedDate, LastModifiedDate, Handoff_Score__c FROM Lead WHERE Id IN ('${LEAD}')`,
      })
      .reply(
        200,
        {
          totalSize: 1,
          done: true,
          records: [
            {
              attributes: { type: "Lead", url: `${V}/sobjects/Lead/${LEAD}` },
              Id: LEAD,
              Email: "Jana.Schmidt@acme-analytics.example",
              Company: "Acme Analytics",
              NumberOfEmployees: 250,
              Country: "Germany",
              Status: "Working - Contacted",
              OwnerId: OWNER,
              IsConverted: false,
              CreatedDate: "2026-11-20T08:15:00.000+0000",
              Handoff_Score__c: null,
            },
          ],
        },
        limitInfo,
      );
    const crm = salesforceCrm(INSTANCE, LOGIN);
    const [lead] = await crm.getLeads([LEAD]);
    scope.done();
    expect(lead).toMatchObject({
      id: LEAD,
      email: "jana.schmidt@acme-analytics.example",
      employees: 250,
      country: "Germany",
      stage: "sql",
      createdAt: "2026-11-20T08:15:00.000Z",
    });
    expect(crm.rateBudget()).toEqual({ used: 120, limit: 15000, windowMs: 86_400_000 });
  });

  test("open leads per owner: one aggregate query; queues are not counted", async () => {
    const scope = api()
      .get(`${V}/query`)
      .query({
        q: `SELECT OwnerId, COUNT(Id) openCount FROM Lead WHERE IsConverted = false AND Status IN ('Open - Not Contacted', 'Working - Contacted', 'Marketing Qualified', 'Sales Accepted') AND OwnerId IN ('${OWNER}') GROUP BY OwnerId`,
      })
      .reply(
        200,
        {
          totalSize: 1,
          done: true,
          records: [{ attributes: { type: "AggregateResult" }, OwnerId: OWNER, openCount: 7 }],
        },
        limitInfo,
      );
    const crm = salesforceCrm(INSTANCE, LOGIN);
    expect(await crm.countOpenLeadsByOwner([OWNER, "00GHz00000Qu3aAMAR"])).toEqual({
      [OWNER]: 7,
      "00GHz00000Qu3aAMAR": 0,
    });
    scope.done();
  });

  test("403 REQUEST_LIMIT_EXCEEDED and 404 NOT_FOUND are translated once, by class", async () => {
    const scope = api()
      .get(`${V}/query`)
      .query(true)
      .reply(403, [{ message: "TotalRequests Limit exceeded.", errorCode: "REQUEST_LIMIT_EXCEEDED" }], {
        "Sforce-Limit-Info": "api-usage=15000/15000",
        "Content-Type": "application/json",
      })
      .get(`${V}/query`)
      .query(true)
      .reply(404, [{ message: "The requested resource does not exist", errorCode: "NOT_FOUND" }], limitInfo);
    const crm = salesforceCrm(INSTANCE, LOGIN);
    const since = "2026-11-24T09:00:00.000Z";
    const limited = crm.listTouches("00Q5g000000AbCdEAF", since);
    await expect(limited).rejects.toBeInstanceOf(CrmRateLimitedError);
    await expect(limited).rejects.toMatchObject({ retryAfterMs: 15 * 60_000 });
    await expect(crm.listTouches("00Q5g000000AbCdEAF", since)).rejects.toBeInstanceOf(CrmNotFoundError);
    scope.done();
  });
});
