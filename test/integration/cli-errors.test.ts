import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { insertConnection } from "./routing/routing-fixtures";

const ROOT = path.join(__dirname, "../..");
const SLA = path.join(ROOT, "config/sla.default.yaml");
const LEADS = path.join(ROOT, "test/fixtures/sla/sample-leads.ndjson");

let db: TestDatabase;
let dir: string;
beforeAll(async () => {
  db = await createTestDatabase();
  await insertConnection(db.pool, "hubspot-cli-1");
  dir = mkdtempSync(path.join(tmpdir(), "handoff-cli-"));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await db.close();
});

function handoff(...args: string[]): { code: number; out: string; err: string } {
  const result = spawnSync(
    process.execPath,
    ["--import", "tsx", path.join(ROOT, "src/cli/index.ts"), ...args],
    {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: db.url },
      encoding: "utf8",
      timeout: 60_000,
    },
  );
  return { code: result.status ?? -1, out: result.stdout, err: result.stderr };
}

describe("the CLI's errors say what, where and how to fix", () => {
  it("when preview gets a roster of the wrong shape or broken JSON, then it names the file and the field, never a TypeError", () => {
    const shaped = path.join(dir, "roster.json");
    writeFileSync(shaped, JSON.stringify({ owners: { id: "80001" }, repStates: { anna: { open: "3" } } }));
    const run = handoff("preview", "--sla", SLA, "--leads", LEADS, "--roster", shaped);
    expect(run.code).toBe(1);
    expect(run.err).toContain(`${shaped}: owners: expected a list of owners`);
    expect(run.err).toContain(`${shaped}: repStates.anna.open:`);
    expect(run.err).not.toContain("TypeError");
    const broken = path.join(dir, "broken.json");
    writeFileSync(broken, "{ owners: [");
    const again = handoff("preview", "--sla", SLA, "--leads", LEADS, "--roster", broken);
    expect(again.code).toBe(1);
    expect(again.err).toContain(`${broken}: not JSON`);
  });

  it("when preview --sla or forecast --draft names a missing file, then it says which and to check the path", () => {
    const missing = path.join(dir, "nope.yaml");
    for (const run of [
      handoff("preview", "--sla", missing, "--leads", LEADS),
      handoff("forecast", "--draft", missing, "--connection", "hubspot-cli-1"),
    ]) {
      expect(run.code).toBe(1);
      expect(run.err).toContain(`cannot read ${missing}`);
      expect(run.err).toContain("hint: Check the path");
      expect(run.err).not.toContain("ENOENT");
    }
  });

  it("when a report names an unknown connection, then it lists the known ones", () => {
    const run = handoff("report", "pace", "--connection", "hubspot-nope");
    expect(run.code).toBe(1);
    expect(run.err).toContain('no connection "hubspot-nope"');
    expect(run.err).toContain("Use one of: hubspot-cli-1");
    expect(run.err).not.toContain("handoff connections");
  });

  it("when replay gets an unknown decision id, then the hint is printed with the error", () => {
    const run = handoff("replay", "does-not-exist");
    expect(run.code).toBe(1);
    expect(run.err).toContain("decision does-not-exist not found");
    expect(run.err).toContain("hint: Check the id");
  });
});
