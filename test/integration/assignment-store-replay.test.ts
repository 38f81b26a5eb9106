import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { PostgresAssignmentStore } from "../../src/adapters/postgres/assignment-store";
import { replayDecision } from "../../src/app/replay-decision";
import { loadSlaFile } from "../../src/sla/load-sla";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { DEMO_OWNERS, MONDAY_MORNING_EU, aLead } from "../helpers/routing-builders";
import { insertConnection } from "./routing/routing-fixtures";

const DEFAULT_SLA = path.join(__dirname, "../../config/sla.default.yaml");
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
  await insertConnection(db.pool, "c-replay");
});
afterAll(async () => db.close());

describe("handoff replay <decisionId>", () => {
  it("reproduces a stored decision bit for bit, and shows what a draft SLA would do instead and why", async () => {
    const { sla, hash } = await loadSlaFile(DEFAULT_SLA);
    const store = new PostgresAssignmentStore({ pool: db.pool });
    const assign = (leadId: string, lead = aLead({ id: leadId, country: "ES", postalCode: "28013" })) =>
      store.assign({
        connectionId: "c-replay",
        lead,
        rules: sla.routing,
        owners: DEMO_OWNERS,
        now: new Date(MONDAY_MORNING_EU),
        slaHash: hash,
      });
    await assign("l-1");
    const second = await assign("l-2");
    const german = await assign("l-3", aLead({ id: "l-3", country: "DE" }));

    const replay = await replayDecision(new PostgresAssignmentStore({ pool: db.pool }), second.decisionId);
    expect(replay.identical).toBe(true);
    expect(replay.lines.join("\n")).toContain("replayed: identical, bit for bit");

    const dir = mkdtempSync(path.join(os.tmpdir(), "handoff-draft-"));
    const draft = path.join(dir, "draft.yaml");
    writeFileSync(
      draft,
      readFileSync(DEFAULT_SLA, "utf8").replace(
        "members: [{ rep: anna, weight: 2 }, { rep: ben }]",
        "members: [{ rep: ben }]",
      ),
    );
    const withDraft = await replayDecision(
      new PostgresAssignmentStore({ pool: db.pool }),
      german.decisionId,
      draft,
    );
    const text = withDraft.lines.join("\n");
    expect(withDraft.identical).toBe(false);
    expect(text).toContain("the draft changes the owner: 80001 → 80002");
    expect(text).toContain("ben by weighted round robin in pool dach");
  });

  it("says which decision it cannot find", async () => {
    await expect(
      replayDecision(new PostgresAssignmentStore({ pool: db.pool }), "no-such-decision"),
    ).rejects.toMatchObject({ code: "not_found" });
  });
});
