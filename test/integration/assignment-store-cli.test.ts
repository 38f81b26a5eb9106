import { Command } from "commander";
import { register } from "../../src/cli/commands/routing";
import type { CliServices } from "../../src/cli/cli-services";
import { composeCliServices } from "../../src/composition/cli-services";
import { readConfig } from "../../src/config/read-config";
import { fixedClock } from "../../src/ports/clock";
import { TEST_KEY } from "../helpers/runtime";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { insertConnection } from "./routing/routing-fixtures";

let db: TestDatabase;
let services: CliServices;
let output: string[] = [];
let errors: string[] = [];
let spy: jest.SpyInstance;
let errSpy: jest.SpyInstance;

beforeAll(async () => {
  db = await createTestDatabase();
  await insertConnection(db.pool, "c-cli");
  // What `handoff` builds from its environment: the app's database and key, nothing else.
  const config = readConfig(
    { DATABASE_URL: db.url, HANDOFF_ENCRYPTION_KEY: TEST_KEY },
    { requireSecrets: false },
  );
  services = composeCliServices(config, fixedClock("2026-11-23T10:00:00Z"));
});
beforeEach(() => {
  output = [];
  errors = [];
  errSpy = jest.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    errors.push(String(chunk));
    return true;
  });
  spy = jest.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    output.push(String(chunk));
    return true;
  });
});
afterEach(() => {
  spy.mockRestore();
  errSpy.mockRestore();
});
afterAll(async () => {
  await services.close();
  await db.close();
});

async function handoff(...args: string[]): Promise<string> {
  const program = new Command("handoff").exitOverride();
  register(program, services);
  await program.parseAsync(["node", "handoff", ...args]);
  return output.join("");
}

describe("handoff reps", () => {
  it("sets a rep away with a reason and end date, lists it, and brings them back (audited as the CLI user)", async () => {
    expect(await handoff("reps", "away", "ben", "--reason", "vacation", "--until", "2099-11-30")).toContain(
      "away until 2099-11-30 (vacation)",
    );
    output = [];
    await handoff("reps", "caps", "ben", "--open", "10", "--per-day", "3");
    output = [];
    const list = await handoff("reps", "list");
    expect(list).toMatch(/ben\s+away until 2099-11-30 \(vacation\)\s+0 open\s+open cap 10, 3\/day/);
    output = [];
    expect(
      await handoff(
        "reps",
        "ooo",
        "carla",
        "--from",
        "2099-12-21",
        "--to",
        "2100-01-04",
        "--reason",
        "holidays",
      ),
    ).toMatch(/carla\s+available\s+0 open\s+ooo 2099-12-21→2100-01-04/);
    output = [];
    expect(await handoff("reps", "back", "ben")).toMatch(/ben\s+available/);
    const audit = await db.pool.query(
      "SELECT action FROM audit_log WHERE connection_id = 'c-cli' ORDER BY id",
    );
    expect(audit.rows.map((r: { action: string }) => r.action)).toEqual([
      "rep.away",
      "rep.caps",
      "rep.ooo",
      "rep.back",
    ]);
  });

  it("refuses --until in the past with a message that says so, and changes nothing", async () => {
    await handoff("reps", "away", "diego", "--reason", "vacation", "--until", "2026-11-01");
    expect(process.exitCode).toBe(1);
    process.exitCode = undefined;
    expect(errors.join("")).toContain(
      "away until 2026-11-01T00:00:00.000Z is already in the past (it is now 2026-11-23T10:00:00.000Z)",
    );
    const rows = await db.pool.query(
      "SELECT 1 FROM rep_state WHERE connection_id = 'c-cli' AND rep_key = 'diego'",
    );
    expect(rows.rowCount).toBe(0);
  });

  it("when the rep's name is misspelt, then nothing is changed, the exit code is 1 and the real rep is suggested", async () => {
    await handoff("reps", "away", "bne", "--reason", "vacation");
    expect(process.exitCode).toBe(1);
    process.exitCode = undefined;
    expect(errors.join("")).toContain(`no rep "bne" in c-cli's SLA — did you mean "ben"?`);
    const rows = await db.pool.query(
      "SELECT 1 FROM rep_state WHERE connection_id = 'c-cli' AND rep_key = 'bne'",
    );
    expect(rows.rowCount).toBe(0);
  });
});
