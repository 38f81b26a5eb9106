import { createHolidayCalendar } from "../../src/adapters/holidays";
import { PostgresFollowUpStore } from "../../src/adapters/postgres/follow-up-store";
import {
  createScheduleFollowUp,
  runFollowUpStep,
  type FollowUpDeps,
  type FollowUpJob,
} from "../../src/app/follow-up";
import { buildHandoffCard } from "../../src/domain/handoff-card";
import type { Sla } from "../../src/domain/sla";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { anEvent, createPipeline, movableClock, type Pipeline } from "../helpers/pipeline-harness";
import { demoRules } from "../helpers/routing-builders";
import { anSla, engagementRule, fitRule } from "../unit/sla/builders";
import { insertConnection } from "./routing/routing-fixtures";

const CONNECTION = "c-tiers";
// Wednesday 2026-11-18, 10:00 in Berlin: Anna and Ben are at work.
const START = "2026-11-18T09:00:00.000Z";

/** Two tiers: a strong fit asking for contact within 30 minutes, content MQLs within a business day. */
function tieredSla(): Sla {
  const rules = demoRules();
  for (const rep of Object.values(rules.reps)) {
    delete rep.holidays;
    rep.managerKey = "maria";
  }
  rules.reps.maria = {
    key: "maria",
    crmId: "80007",
    hours: "Mon-Fri 09:00-18:00",
    timezone: "Europe/Berlin",
  };
  rules.reps.mia = { key: "mia", crmId: "80009", hours: "Mon-Fri 09:00-18:00", timezone: "Europe/Berlin" };
  const sla = anSla({
    routing: rules,
    fit: [fitRule({ when: { country: ["DE"] }, points: 70 })],
    engagement: [
      engagementRule({
        id: "contact-me",
        on: "form_submission",
        form: "contact*me",
        points: 50,
        trigger: "handoff",
      }),
      engagementRule({ id: "whitepaper", on: "content_download", points: 45 }),
    ],
  });
  const base = sla.followUp;
  sla.followUp = {
    ...base,
    tiers: [
      {
        tier: "contact_me",
        when: { trigger: "contact-me", fit: ">= 60" },
        firstTouch: { text: "30m", minutes: 30 },
        max: { text: "4h", minutes: 240 },
        businessHours: true,
        remindAt: [0.5, 1],
        // The inbound desk lead hears of a missed "contact me" at once.
        escalateTo: "mia",
        reassignAfter: { text: "2h", minutes: 120 },
      },
      {
        tier: "content_mql",
        when: { trigger: "thresholds" },
        firstTouch: { text: "9h", minutes: 540 },
        nextTouch: { text: "9h", minutes: 540 },
        max: { text: "3d", minutes: 4320 },
        businessHours: true,
        remindAt: [1],
        escalateTo: "manager",
        reassignAfter: { text: "2d", minutes: 2880 },
      },
    ],
  };
  return sla;
}

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  await insertConnection(db.pool, CONNECTION);
});
afterAll(async () => db.close());

/**
 * The follow-up use case on the pipeline's stores, CRM and clock: handoffs schedule their steps, and the timers
 * land in `jobs` for the test to run when it moves the clock.
 */
function followUpsOn(p: Pipeline, sla: Sla, clock: ReturnType<typeof movableClock>) {
  const jobs: { job: FollowUpJob; at: string }[] = [];
  const deps: FollowUpDeps = {
    leads: p.leads,
    followUps: new PostgresFollowUpStore(db.pool),
    assignments: p.assignments,
    holidays: createHolidayCalendar(),
    crmFor: () => Promise.resolve(p.crm),
    slaFor: () => Promise.resolve({ sla, hash: "sha256:test" }),
    enqueue: (job, at) => {
      jobs.push({ job, at });
      return Promise.resolve();
    },
    cardUrl: (c, lead) => `http://127.0.0.1/cards/preview/${c}/${lead}`,
    logger: p.logger,
    now: clock,
  };
  const schedule = createScheduleFollowUp(deps);
  p.deps.scheduleFollowUp = async (c, h) => void (await schedule(c, h));
  return { deps, jobs };
}

describe("follow-up tiers through the pipeline and the clock", () => {
  it("when a contact-me and a content MQL are handed over, then each gets its tier's deadline, reminders and escalation", async () => {
    const sla = tieredSla();
    const clock = movableClock(START);
    const p = createPipeline(db, sla, clock);
    const { deps, jobs } = followUpsOn(p, sla, clock);

    p.crm.leads.set("hot-1", { id: "hot-1", email: "jo@kraus.example", country: "DE", properties: {} });
    p.crm.activities.set("hot-1", [{ kind: "form_submission", occurredAt: START, name: "Contact me" }]);
    p.crm.leads.set("content-1", {
      id: "content-1",
      email: "al@weber.example",
      country: "DE",
      properties: {},
    });
    p.crm.activities.set("content-1", [
      { kind: "content_download", occurredAt: START, name: "Pricing guide" },
    ]);
    await p.handle(anEvent(CONNECTION, "hot-1", START));
    await p.handle(anEvent(CONNECTION, "content-1", START));

    const hot = (await p.leads.latestHandoff(CONNECTION, "hot-1"))!;
    const content = (await p.leads.latestHandoff(CONNECTION, "content-1"))!;
    // 30 business minutes for the contact-me; 9 business hours (Wednesday 10:00 → Thursday 10:00) for content.
    expect(hot.dueAt).toBe("2026-11-18T09:30:00.000Z");
    expect(content.dueAt).toBe("2026-11-19T09:00:00.000Z");

    // The card shows the tier and its deadline, and why the tier applies.
    const card = buildHandoffCard(hot.cardInput, clock());
    expect(card.followUp).toMatchObject({ tier: "contact_me", dueAt: hot.dueAt, countdown: "due in 30 min" });
    expect(card.followUp?.tierReasons).toEqual([
      'trigger "contact-me" matches "contact-me"',
      'fit 70 matches ">= 60"',
    ]);
    expect(buildHandoffCard(content.cardInput, clock()).followUp?.tier).toBe("content_mql");

    // Reminders follow each tier: at 50 % and 100 % of 30 minutes, and once at the content deadline.
    const plan = (id: string) =>
      jobs
        .filter((j) => j.job.handoffId === id && !j.job.step.startsWith("cadence"))
        .map((j) => [j.job.step, j.at]);
    expect(plan(hot.id)).toEqual([
      ["reminder-1", "2026-11-18T09:15:00.000Z"],
      ["reminder-2", "2026-11-18T09:30:00.000Z"],
      ["escalation", "2026-11-18T09:30:00.000Z"],
      ["reassignment", "2026-11-18T11:30:00.000Z"],
    ]);
    expect(plan(content.id)).toEqual([
      ["reminder-1", "2026-11-19T09:00:00.000Z"],
      ["escalation", "2026-11-19T09:00:00.000Z"],
      ["reassignment", "2026-11-23T08:00:00.000Z"],
    ]);

    // Nobody touches either lead. The contact-me breaches first and escalates to its tier's target (Mia)…
    p.crm.tasks.length = 0;
    clock.set("2026-11-18T09:31:00.000Z");
    await runFollowUpStep(deps, { connectionId: CONNECTION, handoffId: hot.id, step: "escalation" });
    expect(p.crm.tasks.map((t) => [t.decisionId, t.ownerId])).toEqual([
      [`${hot.id}:reminder-1`, hot.ownerId],
      [`${hot.id}:reminder-2`, hot.ownerId],
      [`${hot.id}:escalation`, "80009"],
    ]);
    // …while the content MQL is still inside its business day: nothing for it yet.
    expect(p.crm.tasks.filter((t) => t.leadId === "content-1")).toEqual([]);

    // The next day the content MQL breaches too, and its tier escalates to the owner's manager (Maria).
    clock.set("2026-11-19T09:01:00.000Z");
    await runFollowUpStep(deps, { connectionId: CONNECTION, handoffId: content.id, step: "escalation" });
    expect(p.crm.tasks.filter((t) => t.leadId === "content-1").map((t) => [t.decisionId, t.ownerId])).toEqual(
      [
        [`${content.id}:reminder-1`, content.ownerId],
        [`${content.id}:escalation`, "80007"],
      ],
    );
  });

  it("when a content MQL is first touched, then its tier's next touch is due a business day later, shown on the card and reminded when missed", async () => {
    const sla = tieredSla();
    const clock = movableClock(START);
    const p = createPipeline(db, sla, clock);
    const { deps, jobs } = followUpsOn(p, sla, clock);
    p.crm.leads.set("content-2", {
      id: "content-2",
      email: "li@weber.example",
      country: "DE",
      properties: {},
    });
    p.crm.activities.set("content-2", [
      { kind: "content_download", occurredAt: START, name: "Pricing guide" },
    ]);
    await p.handle(anEvent(CONNECTION, "content-2", START));
    const handoff = (await p.leads.latestHandoff(CONNECTION, "content-2"))!;

    p.crm.tasks.length = 0; // the handoff's own task
    // The rep calls Wednesday 16:00 Berlin; the reminder job at Thursday 10:00 sees the call.
    p.crm.touches.push({ leadId: "content-2", kind: "call", occurredAt: "2026-11-18T15:00:00.000Z" });
    clock.set("2026-11-19T09:00:00.000Z");
    await runFollowUpStep(deps, { connectionId: CONNECTION, handoffId: handoff.id, step: "reminder-1" });
    expect(p.crm.tasks.filter((t) => t.leadId === "content-2")).toEqual([]);
    // 9 business hours after Wednesday 16:00 Berlin: 2 on Wednesday, 7 on Thursday → Thursday 16:00 Berlin.
    const next = jobs.find((j) => j.job.handoffId === handoff.id && j.job.step === "next-touch");
    expect(next?.at).toBe("2026-11-19T15:00:00.000Z");
    const stored = (await p.leads.latestHandoff(CONNECTION, "content-2"))!;
    expect(buildHandoffCard(stored.cardInput, clock()).followUp?.nextTouchDueAt).toBe(
      "2026-11-19T15:00:00.000Z",
    );

    // No second touch by then: the owner is reminded once.
    clock.set("2026-11-19T15:00:00.000Z");
    await runFollowUpStep(deps, { connectionId: CONNECTION, handoffId: handoff.id, step: "next-touch" });
    await runFollowUpStep(deps, { connectionId: CONNECTION, handoffId: handoff.id, step: "next-touch" });
    const reminders = p.crm.tasks.filter((t) => t.leadId === "content-2");
    expect(reminders.map((t) => [t.decisionId, t.ownerId])).toEqual([
      [`${handoff.id}:next-touch`, handoff.ownerId],
    ]);
    expect(reminders[0]?.subject).toMatch(/^Reminder: next touch due/);
  });
});
