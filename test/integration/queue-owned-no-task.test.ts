import { createLeadStoryStore } from "../../src/adapters/postgres/lead-story-store";
import { PostgresReportStore } from "../../src/adapters/postgres/report-store";
import { followUpCompliance } from "../../src/domain/reports";
import type { Sla } from "../../src/domain/sla";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { anEvent, createPipeline, movableClock } from "../helpers/pipeline-harness";
import { formQualifiesSla } from "../helpers/form-sla";
import { insertConnection } from "./routing/routing-fixtures";

// Monday 2026-11-02 10:00 in Berlin.
const START = "2026-11-02T09:00:00.000Z";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => db.close());

async function handOverToQueue(sla: Sla, connectionId: string, leadId: string) {
  await insertConnection(db.pool, connectionId);
  const clock = movableClock(START);
  const p = createPipeline(db, sla, clock);
  // Brazil is in no territory: the fallback queue "Inbound triage" gets the lead.
  p.crm.leads.set(leadId, { id: leadId, email: `${leadId}@paulista.example`, country: "BR", properties: {} });
  p.crm.activities.set(leadId, [{ kind: "form_submission", occurredAt: START, name: "Contact me" }]);
  await p.handle(anEvent(connectionId, leadId, START));
  const story = await createLeadStoryStore(db.pool).read(connectionId, leadId, { events: 10 });
  return { p, handoff: story.handoffs[0] };
}

describe("a lead a queue owns, in the lead story and the follow-up report", () => {
  it("when the SLA names no task owner, then the story says there is no task because a queue owns the lead", async () => {
    const { p, handoff } = await handOverToQueue(formQualifiesSla(), "c-queue", "q-1");
    expect(p.crm.tasks).toEqual([]);
    expect(handoff).toMatchObject({ ownerId: "Q1", taskId: null, noTask: "no task: a queue owns the lead" });
    const facts = await new PostgresReportStore(db.pool).handoffFacts(
      "c-queue",
      new Date(Date.parse(START) - 86_400_000),
      new Date(Date.parse(START) + 86_400_000),
    );
    const report = followUpCompliance(facts, new Date(START));
    expect(report.noTask).toEqual({ count: 1, reason: "no task: a queue owns the lead" });
  });

  it("when the SLA gives the queue's task to a rep, then the task is made and the story has no such note", async () => {
    const { p, handoff } = await handOverToQueue(
      formQualifiesSla({ taskOwner: "anna" }),
      "c-queue-task",
      "q-2",
    );
    expect(p.crm.tasks).toHaveLength(1);
    expect(handoff).toMatchObject({ ownerId: "Q1", noTask: null });
    expect(handoff?.taskId).toBeTruthy();
  });
});
