import { followUpTaskOwner } from "../../../src/app/follow-up-task-owner";
import { optionalContext } from "../../../src/app/pipeline-steps";
import { CrmAuthError, CrmUnavailableError } from "../../../src/domain/errors";
import type { Sla } from "../../../src/domain/sla";
import type { CrmOwner } from "../../../src/ports/crm";
import type { Logger } from "../../../src/ports/logger";
import { anSla } from "../sla/builders";

const QUEUE = "00G5g0000080010AAA";
const MARIA = "0055g0000080007AAA";
const owners: CrmOwner[] = [
  { id: QUEUE, active: true, kind: "queue", teams: [], firstName: "Inbound triage" },
  { id: MARIA, active: true, kind: "person", teams: [] },
];

function slaWith(taskOwner?: string): { sla: Sla; hash: string } {
  const base = anSla();
  const sla: Sla = {
    ...base,
    routing: {
      ...base.routing,
      fallback: { queue: "Inbound triage", ownerId: QUEUE, ...(taskOwner ? { taskOwner } : {}) },
      reps: {
        maria: {
          key: "maria",
          crmId: MARIA,
          name: "Maria Lopez",
          hours: "Mon-Fri 09:00-18:00",
          timezone: "Europe/Madrid",
        },
      },
    },
  };
  return { sla, hash: "sha256:test" };
}

describe("who gets the follow-up task", () => {
  it("when a person owns the lead, then the task is theirs", () => {
    expect(followUpTaskOwner({ owners, sla: slaWith() }, MARIA)).toEqual({ ownerId: MARIA });
  });

  it("when a queue owns the lead and the SLA names a task owner, then the task goes to that rep and the card says so", () => {
    expect(followUpTaskOwner({ owners, sla: slaWith("maria") }, QUEUE)).toEqual({
      ownerId: MARIA,
      note: "The queue owns the lead; its follow-up task went to Maria Lopez",
    });
  });

  it("when a queue owns the lead and the SLA names nobody, then there is no task (never one the CRM refuses) and the card says why", () => {
    const result = followUpTaskOwner({ owners, sla: slaWith() }, QUEUE);
    expect(result.ownerId).toBeUndefined();
    expect(result.note).toMatch(/No follow-up task: .*routing\.fallback\.task_owner/);
  });
});

describe("optional lead context", () => {
  it("when the CRM refuses an optional read, then the fallback is used, the gap is named and logged, and nothing is thrown", async () => {
    const gaps: string[] = [];
    const warnings: { message: string; fields: Record<string, unknown> | undefined }[] = [];
    const log: Logger = {
      debug: () => undefined,
      info: () => undefined,
      warn: (message: string, fields?: Record<string, unknown>) => warnings.push({ message, fields }),
      error: () => undefined,
      child: () => log,
    };
    const views = await optionalContext(
      "content views",
      () => Promise.reject(new CrmAuthError("hubspot: page views refused (missing permission or scope)")),
      [],
      gaps,
      log,
    );
    expect(views).toEqual([]);
    expect(gaps).toEqual(["content views: not loaded (crm_auth)"]);
    expect(warnings).toEqual([
      { message: "optional lead context not loaded", fields: { what: "content views", code: "crm_auth" } },
    ]);
  });

  it("when an optional read hits a passing CRM fault, then the event is retried first, and only a fault that outlasts its attempts lets the handoff go on without it", async () => {
    const fault = () => Promise.reject(new CrmUnavailableError("hubspot: 503 from the forms API"));
    const gaps: string[] = [];
    await expect(
      optionalContext("last conversion details", fault, null, gaps, undefined, 0),
    ).rejects.toBeInstanceOf(CrmUnavailableError);
    await expect(
      optionalContext("last conversion details", fault, null, gaps, undefined, 1),
    ).rejects.toBeInstanceOf(CrmUnavailableError);
    expect(gaps).toEqual([]);
    expect(await optionalContext("last conversion details", fault, null, gaps, undefined, 2)).toBeNull();
    expect(gaps).toEqual(["last conversion details: not loaded (crm_unavailable)"]);
  });
});
