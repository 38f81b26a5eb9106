import { reconcileOpenLeads } from "../../src/app/reconcile-open-leads";
import { recordFeedback } from "../../src/app/record-feedback";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { anEvent, createPipeline, movableClock, type Pipeline } from "../helpers/pipeline-harness";
import { formQualifiesSla } from "../helpers/form-sla";
import { insertConnection } from "./routing/routing-fixtures";

// Monday 2026-11-02 10:00 in Berlin; the simulation runs six working weeks from here.
const START = "2026-11-02T09:00:00.000Z";
const DAY = 86_400_000;

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => db.close());

async function newLeadSubmits(p: Pipeline, connectionId: string, leadId: string, at: string) {
  p.crm.leads.set(leadId, { id: leadId, email: `${leadId}@kraus.example`, country: "DE", properties: {} });
  p.crm.activities.set(leadId, [{ kind: "form_submission", occurredAt: at, name: "Contact me" }]);
  await p.handle(anEvent(connectionId, leadId, at));
  return p.leads.latestHandoff(connectionId, leadId);
}

describe("open capacity over weeks of use", () => {
  it("when sales keeps accepting and converting the leads it gets, then after 60 leads (cap 25 open) both reps are still in rotation", async () => {
    await insertConnection(db.pool, "c-weeks");
    const clock = movableClock(START);
    const p = createPipeline(db, formQualifiesSla({ holidays: false }), clock);
    const methods: string[] = [];
    let n = 0;
    for (let day = 0; day < 42; day++) {
      clock.set(new Date(Date.parse(START) + day * DAY).toISOString());
      const weekday = clock().getUTCDay();
      if (weekday === 0 || weekday === 6) continue;
      for (let i = 0; i < 2; i++) {
        n += 1;
        const leadId = `w-${n}`;
        const handoff = await newLeadSubmits(p, "c-weeks", leadId, clock().toISOString());
        methods.push(handoff?.method ?? "none");
        clock.advance(3_600_000);
        if (n % 2 === 0) {
          // Sales accepts on the card (→ SQL).
          await recordFeedback(p.feedbackDeps, {
            connectionId: "c-weeks",
            leadId,
            decision: "accept",
            source: "card",
            actor: { kind: "crm_user", id: handoff!.ownerId! },
          });
        } else {
          // Sales converts it in the CRM: the lead becomes an opportunity there.
          p.crm.leads.get(leadId)!.stage = "opportunity";
          await p.handle(
            anEvent("c-weeks", leadId, clock().toISOString(), {
              propertyName: "lifecyclestage",
              propertyValue: "opportunity",
              changeSource: "CRM_UI",
            }),
          );
        }
      }
    }
    expect(n).toBe(60);
    expect(methods.filter((m) => m !== "round_robin")).toEqual([]);
    const counts = await p.assignments.openCounts("c-weeks");
    expect(counts.map((c) => [c.repKey, c.open])).toEqual([
      ["anna", 0],
      ["ben", 0],
    ]);
  });

  it("when the CRM shows closed or reassigned leads and more open leads than Handoff handed over, then the reconcile frees and adds slots and says what the count is made of", async () => {
    await insertConnection(db.pool, "c-reconcile");
    const clock = movableClock(START);
    const sla = formQualifiesSla({ holidays: false });
    sla.routing.openLeads = { statuses: ["NEW", "IN_PROGRESS"], stages: ["lead", "mql"] };
    const p = createPipeline(db, sla, clock);
    for (const id of ["r-1", "r-2", "r-3", "r-4", "r-5", "r-6"]) {
      await newLeadSubmits(p, "c-reconcile", id, clock().toISOString());
      clock.advance(60_000);
    }
    const before = await p.assignments.openCounts("c-reconcile");
    expect(before.map((c) => [c.repKey, c.open])).toEqual([
      ["anna", 4],
      ["ben", 2],
    ]);
    const anna = (await p.assignments.openAssignments("c-reconcile")).filter((a) => a.repKey === "anna");
    // In the CRM: one of Anna's leads was disqualified, another was given to Ben by hand; none of it sent
    // a webhook Handoff saw.
    p.crm.leads.get(anna[0]!.leadId)!.leadStatus = "UNQUALIFIED";
    p.crm.leads.get(anna[1]!.leadId)!.ownerId = "80002";
    // Anna also works 5 open leads she was given before Handoff (the CRM counts her 2 + 5).
    p.crm.openCounts = { "80001": 7, "80002": 2 };
    clock.advance(DAY);
    const result = await reconcileOpenLeads({ ...p.feedbackDeps, now: clock }, "c-reconcile");
    expect(p.crm.countedStatuses).toEqual(["NEW", "IN_PROGRESS"]);
    expect(result.released.map((r) => r.reason).sort()).toEqual([
      "owner changed in the CRM",
      "status UNQUALIFIED",
    ]);
    expect(
      result.counts.slice(0, 2).map(({ repKey, open, handedOver, otherInCrm, crmOpen }) => ({
        repKey,
        open,
        handedOver,
        otherInCrm,
        crmOpen,
      })),
    ).toEqual([
      { repKey: "anna", open: 7, handedOver: 2, otherInCrm: 5, crmOpen: 7 },
      { repKey: "ben", open: 2, handedOver: 2, otherInCrm: 0, crmOpen: 2 },
    ]);
    expect(result.counts[0]!.reconciledAt?.toISOString()).toBe(clock().toISOString());
    // Between reconciles the count follows Handoff's own handoffs and releases.
    await recordFeedback(p.feedbackDeps, {
      connectionId: "c-reconcile",
      leadId: anna[2]!.leadId,
      decision: "accept",
      source: "card",
      actor: { kind: "crm_user", id: "80001" },
    });
    expect((await p.assignments.openCounts("c-reconcile"))[0]).toMatchObject({ open: 6, handedOver: 1 });
  });
});
