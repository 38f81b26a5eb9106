import { ForbiddenError } from "../../src/domain/errors";
import { recordFeedback } from "../../src/app/record-feedback";
import type { Sla } from "../../src/domain/sla";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { anEvent, createPipeline, formSla, movableClock, type Pipeline } from "../helpers/pipeline-harness";
import { demoRules } from "../helpers/routing-builders";
import { insertConnection } from "./routing/routing-fixtures";

const START = "2026-11-02T09:00:00.000Z";
const C = "c-perm";

function sla(): Sla {
  const rules = demoRules();
  for (const rep of Object.values(rules.reps)) delete rep.holidays;
  rules.reps.anna = { ...rules.reps.anna!, name: "Anna Berg", managerKey: "maria" };
  rules.reps.maria = {
    key: "maria",
    crmId: "80007",
    name: "Maria Lopez",
    hours: "Mon-Fri 09:00-18:00",
    timezone: "Europe/Madrid",
  };
  // Only Anna is in the pool, so every lead goes to her; Mia leads the pool.
  rules.pools.dach = { ...rules.pools.dach!, members: [{ rep: "anna", weight: 1 }], lead: "mia" };
  rules.reps.mia = {
    key: "mia",
    crmId: "80009",
    name: "Mia Roth",
    hours: "Mon-Fri 09:00-18:00",
    timezone: "Europe/Berlin",
  };
  return formSla(rules);
}

let db: TestDatabase;
let p: Pipeline;
const clock = movableClock(START);
beforeAll(async () => {
  db = await createTestDatabase();
  await insertConnection(db.pool, C);
  p = createPipeline(db, sla(), clock);
});
afterAll(async () => db.close());

async function handOver(leadId: string) {
  p.crm.leads.set(leadId, { id: leadId, country: "DE", stage: "lead", properties: {} });
  p.crm.activities.set(leadId, [{ kind: "form_submission", occurredAt: clock().toISOString() }]);
  await p.handle(anEvent(C, leadId, clock().toISOString()));
  const handoff = await p.leads.latestHandoff(C, leadId);
  expect(handoff).toMatchObject({ status: "open", ownerId: "80001" });
  return handoff!;
}

async function audit(leadId: string) {
  const rows = await db.pool.query<{
    actor: string;
    action: string;
    details: { outcome: string; source: string };
  }>("SELECT actor, action, details FROM audit_log WHERE connection_id = $1 AND subject = $2 ORDER BY id", [
    C,
    leadId,
  ]);
  return rows.rows.map((r) => `${r.actor} ${r.action} ${r.details.source} ${r.details.outcome}`);
}

describe("who may accept or reject a handed-over lead", () => {
  it("when another rep rejects someone else's lead, then it is refused with a 403 naming who may, the slot stays taken and the attempt is audited", async () => {
    await handOver("p-1");
    const attempt = recordFeedback(p.feedbackDeps, {
      connectionId: C,
      leadId: "p-1",
      decision: "reject",
      reason: "not_icp",
      source: "hubspot",
      actor: { kind: "crm_user", id: "80002" },
    });
    await expect(attempt).rejects.toBeInstanceOf(ForbiddenError);
    await expect(attempt).rejects.toMatchObject({
      code: "forbidden",
      message:
        "you may not reject lead p-1: only the lead's owner Anna Berg (80001), their manager Maria Lopez (80007), their team lead Mia Roth (80009) or an admin may",
    });
    expect(await p.leads.latestHandoff(C, "p-1")).toMatchObject({ status: "open" });
    expect((await p.assignments.openAssignments(C)).map((a) => a.leadId)).toContain("p-1");
    // Nobody the surface could vouch for is refused too.
    await expect(
      recordFeedback(p.feedbackDeps, {
        connectionId: C,
        leadId: "p-1",
        decision: "accept",
        source: "preview",
        actor: { kind: "unknown" },
      }),
    ).rejects.toMatchObject({ code: "forbidden" });
    expect(await audit("p-1")).toEqual([
      "crm_owner:80002 handoff.reject hubspot forbidden",
      "unknown handoff.accept preview forbidden",
    ]);
  });

  it("when the owner (by their HubSpot user id), their manager, their team lead or an admin decides, then it is recorded and audited", async () => {
    for (const [leadId, actor, label] of [
      ["p-2", { kind: "crm_user", id: "9001" }, "crm_owner:80001"],
      ["p-3", { kind: "crm_user", id: "80007" }, "crm_owner:80007"],
      ["p-4", { kind: "crm_user", id: "80009" }, "crm_owner:80009"],
      ["p-5", { kind: "admin", id: "cli" }, "admin:cli"],
    ] as const) {
      await handOver(leadId);
      await recordFeedback(p.feedbackDeps, {
        connectionId: C,
        leadId,
        decision: "accept",
        source: "card",
        actor,
        note: "Called, demo on Thursday",
      });
      // The card's note is stored with the decision.
      expect(await p.leads.latestHandoff(C, leadId)).toMatchObject({
        status: "accepted",
        feedbackNote: "Called, demo on Thursday",
      });
      expect(await audit(leadId)).toEqual([`${label} handoff.accept card recorded`]);
    }
  });

  it("when someone other than the owner sets a rejecting status in the CRM, then it is not taken as sales' rejection", async () => {
    await handOver("p-6");
    p.crm.leads.get("p-6")!.leadStatus = "UNQUALIFIED";
    await p.handle(
      anEvent(C, "p-6", clock().toISOString(), {
        propertyName: "hs_lead_status",
        propertyValue: "UNQUALIFIED",
        changeSource: "CRM_UI",
        raw: { sourceId: "userId:80002" },
      }),
    );
    expect(await p.leads.latestHandoff(C, "p-6")).toMatchObject({ status: "open" });
    expect(await audit("p-6")).toEqual(["crm_owner:80002 handoff.reject crm forbidden"]);
  });
});
