import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { PostgresSlaStore } from "../../src/adapters/postgres/sla-store";
import { planPublish, SlaPublishRefusedError } from "../../src/domain/sla-publish";
import { parseSla } from "../../src/sla/load-sla";
import { createTestDatabase, type TestDatabase } from "../helpers/db";

const source = readFileSync(path.join(__dirname, "../fixtures/sla/valid-minimal.yaml"), "utf8");
const v1 = { ...parseSla(source), source };
const v2Source = source
  .replace("version: 1", "version: 2")
  .replace("effective: 2026-11-01", "effective: 2026-12-01");
const v2 = { ...parseSla(v2Source), source: v2Source };
const noDateSource = source.replace("  effective: 2026-11-01\n", "");
const noDate = { ...parseSla(noDateSource), source: noDateSource };

const NOW = new Date("2026-11-23T12:00:00Z");
const marketing = { team: "marketing" as const, name: "Mia Market", email: "mia@example.com" };
const sales = { team: "sales" as const, name: "Sam Sales", email: "sam@example.com" };

let db: TestDatabase;
let store: PostgresSlaStore;

beforeAll(async () => {
  db = await createTestDatabase();
  store = new PostgresSlaStore(db.pool);
  for (const id of ["hs-1", "hs-2"]) {
    await db.pool.query(
      "INSERT INTO connections (id, crm, external_id, name) VALUES ($1, 'hubspot', $1, $1)",
      [id],
    );
  }
});
afterAll(() => db.close());

describe("SLA sign-off and publishing", () => {
  it("when only marketing signed, then publish is refused naming sales", async () => {
    await store.sign("hs-1", v1, marketing, NOW);
    await expect(store.publish("hs-1", v1.hash, "admin", NOW, planPublish)).rejects.toMatchObject({
      code: "sla_publish_refused",
      missing: ["sales"],
    });
    expect(await store.active("hs-1", NOW)).toBeNull();
  });

  it("when both teams signed that exact hash, then it publishes and becomes the active SLA", async () => {
    await store.sign("hs-1", v1, sales, NOW);
    const published = await store.publish("hs-1", v1.hash, "admin", NOW, planPublish);
    expect(published).toMatchObject({ status: "published", version: 1, effective: "2026-11-01" });
    expect(published.signatures.map((s) => s.team)).toEqual(["marketing", "sales"]);
    expect(await store.active("hs-1", NOW)).toEqual({ sla: v1.sla, hash: v1.hash });
  });

  it("when the teams signed a different version, then the edited file cannot be published", async () => {
    await store.sign("hs-1", v2, marketing, NOW);
    const edited = parseSla(v2Source.replace('">= 40"', '">= 45"'));
    await expect(store.publish("hs-1", edited.hash, "admin", NOW, planPublish)).rejects.toBeInstanceOf(
      SlaPublishRefusedError,
    );
  });

  it("when the effective date is missing, then publish is refused even with both signatures", async () => {
    await store.sign("hs-1", noDate, marketing, NOW);
    await store.sign("hs-1", noDate, sales, NOW);
    await expect(store.publish("hs-1", noDate.hash, "admin", NOW, planPublish)).rejects.toMatchObject({
      missing: ["effective date"],
      hint: expect.stringContaining("sla.effective"),
    });
  });

  it("a version effective later takes over only from its effective date", async () => {
    await store.sign("hs-1", v2, sales, NOW);
    await store.publish("hs-1", v2.hash, "admin", NOW, planPublish);
    expect((await store.active("hs-1", NOW))?.hash).toBe(v1.hash);
    expect((await store.active("hs-1", new Date("2026-12-01T00:00:00Z")))?.hash).toBe(v2.hash);
  });

  it("signatures and versions of one connection are invisible to another", async () => {
    expect(await store.active("hs-2", NOW)).toBeNull();
    expect(await store.list("hs-2")).toEqual([]);
    await expect(store.publish("hs-2", v1.hash, "admin", NOW, planPublish)).rejects.toMatchObject({
      missing: ["marketing", "sales"],
    });
  });

  it("lists versions with their sign-off status and audits sign and publish", async () => {
    const versions = await store.list("hs-1");
    expect(versions.map((v) => [v.version, v.status, v.signatures.length])).toEqual(
      expect.arrayContaining([
        [1, "superseded", 2],
        [2, "published", 2],
      ]),
    );
    const audit = await db.pool.query(
      "SELECT action FROM audit_log WHERE connection_id = 'hs-1' ORDER BY id",
    );
    expect(audit.rows.map((r: { action: string }) => r.action)).toContain("sla.publish");
  });
});

describe("handoff sla sign / publish against the app's database", () => {
  const ROOT = path.join(__dirname, "../..");
  const FILE = path.join(ROOT, "test/fixtures/sla/valid-minimal.yaml");

  function cli(
    args: string[],
    env: Record<string, string | undefined>,
  ): { code: number; out: string; err: string } {
    const result = spawnSync(
      process.execPath,
      ["--import", "tsx", path.join(ROOT, "src/cli/index.ts"), ...args],
      {
        cwd: ROOT,
        env: { ...process.env, ...env },
        encoding: "utf8",
        timeout: 60_000,
      },
    );
    return { code: result.status ?? -1, out: result.stdout, err: result.stderr };
  }

  it("without DATABASE_URL, sign says to run against the app's database", () => {
    const run = cli(["sla", "sign", FILE, "--as", "sales", "--name", "Sam", "--email", "sam@example.com"], {
      DATABASE_URL: "",
    });
    expect(run.code).toBe(1);
    expect(run.err).toContain("DATABASE_URL is not set");
    expect(run.err).toContain("hint: Run against the app's database");
  });

  it("publish is refused until both teams signed, then succeeds", async () => {
    await db.pool.query(
      "INSERT INTO connections (id, crm, external_id, name) VALUES ('cli-1', 'hubspot', 'cli-1', 'cli')",
    );
    const env = { DATABASE_URL: db.url };
    const sign = (team: string) =>
      cli(
        [
          "sla",
          "sign",
          FILE,
          "--as",
          team,
          "--name",
          "N",
          "--email",
          "n@example.com",
          "--connection",
          "cli-1",
        ],
        env,
      );

    expect(sign("marketing")).toMatchObject({
      code: 0,
      out: expect.stringContaining("sign-off: marketing ✓, sales ✗"),
    });
    const refused = cli(["sla", "publish", FILE, "--connection", "cli-1"], env);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain("missing sales");

    expect(sign("sales").out).toContain(`next: handoff sla publish ${FILE} --connection cli-1`);
    const published = cli(["sla", "publish", FILE, "--connection", "cli-1"], env);
    expect(published).toMatchObject({ code: 0, out: expect.stringContaining(`published ${v1.hash}`) });
    expect((await store.active("cli-1", NOW))?.hash).toBe(v1.hash);
    expect(cli(["sla", "versions", "--connection", "cli-1"], env).out).toContain(
      "v1 published  effective 2026-11-01  marketing ✓ sales ✓",
    );
    // Six CLI processes, each compiling the CLI on start: on a loaded machine that alone takes over 30 s.
  }, 180_000);
});
