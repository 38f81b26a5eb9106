import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Client } from "pg";
import request from "supertest";
import { waitFor } from "../helpers/capture-servers";
import { freePort } from "../helpers/free-port";
import { startTestRuntime } from "../helpers/runtime";

describe("the embedded PostgreSQL is supervised", () => {
  let dir: string;
  let child: ChildProcess;
  let url = "";
  const lines: string[] = [];
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "handoff-supervised-"));
    chmodSync(dir, 0o755);
    child = spawn(path.resolve("node_modules/.bin/tsx"), ["test/helpers/supervised-pg-process.ts"], {
      env: {
        ...process.env,
        SUPERVISED_PG_DIR: path.join(dir, "pg"),
        SUPERVISED_PG_PORT: String(await freePort()),
      },
      stdio: ["ignore", "pipe", "inherit"],
    });
    child.stdout!.on("data", (d: Buffer) => lines.push(...d.toString("utf8").split("\n").filter(Boolean)));
    const ready = await waitFor(() => lines.find((l) => l.startsWith("ready ")), 120_000);
    url = ready.slice("ready ".length);
  }, 130_000);
  afterAll(async () => {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
    rmSync(dir, { recursive: true, force: true });
  });

  const query = async () => {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query("SELECT 1 AS one")).rows[0].one as number;
    } finally {
      await client.end();
    }
  };

  it("when its postmaster is killed with -9, then it is restarted by itself, logged, and answers again", async () => {
    expect(await query()).toBe(1);
    const pid = Number(readFileSync(path.join(dir, "pg", "postmaster.pid"), "utf8").split("\n")[0]);
    process.kill(pid, "SIGKILL");
    await waitFor(() => lines.includes("status restarting"), 10_000);
    await waitFor(() => lines.includes("status up"), 60_000);
    expect(await query()).toBe(1);
    expect(lines).toContain("log embedded PostgreSQL stopped unexpectedly; restarting it");
    expect(lines).toContain("log embedded PostgreSQL restarted");
  }, 90_000);

  it("when something the process supervises is down, then /healthz answers 503 so a liveness probe can tell", async () => {
    let down: string | undefined = "embedded PostgreSQL is restarting";
    const rt = await startTestRuntime({ liveness: () => down });
    try {
      const res = await request(rt.url!).get("/healthz");
      expect(res.status).toBe(503);
      expect(res.body.message).toBe("embedded PostgreSQL is restarting");
      down = undefined;
      expect((await request(rt.url!).get("/healthz")).status).toBe(200);
    } finally {
      await rt.stop();
      await rt.db.close();
    }
  });
});
