import express from "express";
import request from "supertest";
import { convertLead } from "../../../../src/sandbox/salesforce/convert-lead";
import { createSalesforceSandboxRouter } from "../../../../src/sandbox/salesforce/router";
import { SALESFORCE_DEMO_QUEUE_ID, SALESFORCE_DEMO_USERS } from "../../../../src/sandbox/salesforce/seed";
import {
  createSalesforceSandboxState,
  SALESFORCE_SANDBOX_DEMO,
  type SalesforceSandboxState,
} from "../../../../src/sandbox/salesforce/state";

const V = "/salesforce/services/data/v62.0";
const auth = { Authorization: `Bearer ${SALESFORCE_SANDBOX_DEMO.accessToken}` };
const rep = { autoAssignOff: true, userId: SALESFORCE_DEMO_USERS.anna };

let state: SalesforceSandboxState;
let app: express.Express;

beforeEach(() => {
  state = createSalesforceSandboxState({ now: () => Date.parse("2026-11-23T10:00:00Z") });
  app = express();
  app.use("/salesforce", createSalesforceSandboxRouter(state));
});

/** The first seeded Lead a person (not a queue) owns. */
function personOwnedLead(): string {
  for (const [id, lead] of state.records.get("Lead")!) {
    if (String(lead.OwnerId).startsWith("005") && lead.IsConverted === false) return id;
  }
  throw new Error("no person-owned lead in the seed");
}

describe("lead conversion in the sandbox org", () => {
  it("when a rep converts a lead, then it has a Contact, an Account and an Opportunity, and SOQL shows the converted fields", async () => {
    const leadId = personOwnedLead();
    const result = convertLead(state, { leadId }, rep);
    expect(result).toMatchObject({ leadId, success: true });
    expect(result.contactId).toMatch(/^003/);
    expect(result.accountId).toMatch(/^001/);
    expect(result.opportunityId).toMatch(/^006/);

    const res = await request(app)
      .get(`${V}/query`)
      .query({
        q: `SELECT Id, IsConverted, ConvertedDate, ConvertedContactId, ConvertedAccountId, ConvertedOpportunityId, Status FROM Lead WHERE Id = '${leadId}'`,
      })
      .set(auth);
    expect(res.status).toBe(200);
    expect(res.body.records[0]).toMatchObject({
      IsConverted: true,
      ConvertedDate: "2026-11-23",
      ConvertedContactId: result.contactId,
      ConvertedAccountId: result.accountId,
      ConvertedOpportunityId: result.opportunityId,
      Status: "Closed - Converted",
    });
  });

  it("when an API client updates a converted lead or gives it a task, then Salesforce's CANNOT_UPDATE_CONVERTED_LEAD refusal comes back", async () => {
    const leadId = personOwnedLead();
    convertLead(state, { leadId }, rep);

    const update = await request(app)
      .patch(`${V}/sobjects/Lead/${leadId}`)
      .set(auth)
      .send({ Handoff_Score__c: 80 });
    expect(update.status).toBe(400);
    expect(update.body[0]).toMatchObject({
      errorCode: "CANNOT_UPDATE_CONVERTED_LEAD",
      message: "cannot reference converted lead",
    });

    const task = await request(app)
      .post(`${V}/sobjects/Task`)
      .set(auth)
      .send({ WhoId: leadId, Subject: "Call", OwnerId: SALESFORCE_DEMO_USERS.anna });
    expect(task.status).toBe(400);
    expect(task.body[0]).toMatchObject({ errorCode: "CANNOT_UPDATE_CONVERTED_LEAD" });
  });

  it("when a queue owns the lead and no owner is given, then the conversion is refused; a lead cannot be converted twice", () => {
    const queued = [...state.records.get("Lead")!.values()].find(
      (l) => l.OwnerId === SALESFORCE_DEMO_QUEUE_ID,
    )!;
    expect(() => convertLead(state, { leadId: queued.Id }, rep)).toThrow(/owner must be specified/);
    convertLead(state, { leadId: queued.Id, ownerId: SALESFORCE_DEMO_USERS.ben }, rep);
    expect(() => convertLead(state, { leadId: queued.Id, ownerId: SALESFORCE_DEMO_USERS.ben }, rep)).toThrow(
      /cannot reference converted lead/,
    );
  });
});
