import { mkdirSync, mkdtempSync, chmodSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Pool } from "pg";
import { startEmbeddedPostgres } from "../../src/adapters/postgres/embedded";
import { printTable, type BenchFigure } from "./figures";
import { benchCrm } from "./crm";
import { benchDrain } from "./drain";
import { benchForecast } from "./forecast";
import { benchImport } from "./import";
import { benchIntake } from "./intake";
import { benchRouting } from "./routing";
import { benchSalesforceCrm } from "./salesforce-crm";
import { benchSalesforceImport } from "./salesforce-import";
import { benchScaling } from "./scaling";
import { benchScoring } from "./scoring";
import { benchSpeedToLead } from "./speed-to-lead";
import { benchWorkers } from "./workers";
import { freePort } from "../helpers/free-port";

/**
 * `npm run bench`: every figure side by side in one run, printed as a table and written to
 * bench/results.json. Uses DATABASE_URL when set (an external PostgreSQL), else an embedded cluster.
 */
async function main(): Promise<void> {
  let databaseUrl = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL;
  let stopPg: (() => Promise<void>) | undefined;
  if (!databaseUrl) {
    const dir = mkdtempSync(path.join(os.tmpdir(), "handoff-bench-"));
    chmodSync(dir, 0o755);
    const pg = await startEmbeddedPostgres({
      dataDir: path.join(dir, "pg"),
      port: await freePort(),
      database: "bench",
    });
    databaseUrl = pg.url("bench");
    stopPg = async () => {
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
    };
  }
  const figures: BenchFigure[] = [];
  // The machine may be shared: the load average next to each section says how much else was running.
  const load: Record<string, number[]> = {};
  // BENCH_ONLY=intake,import runs only those sections (while working on one figure); results.json is then left alone.
  const only = process.env.BENCH_ONLY?.split(",").map((s) => s.trim());
  const section = async (name: string, run: () => Promise<BenchFigure[]>) => {
    if (only && !only.includes(name)) return;
    load[name] = os.loadavg().map((l) => Math.round(l * 100) / 100);
    process.stderr.write(`bench: ${name}… (load ${load[name]!.join(" ")})\n`);
    try {
      figures.push(...(await run()));
    } catch (err) {
      process.stderr.write(`bench: ${name} failed: ${err instanceof Error ? err.message : String(err)}\n`);
      figures.push({
        id: `${name.replace(/\W+/g, "_")}.failed`,
        name: `${name} (failed)`,
        value: Number.NaN,
        unit: "",
        target: "-",
        ok: false,
      });
    }
  };
  // Each section that writes gets its own database, so no backlog of one is work for the next.
  const fresh = async (name: string) => {
    const admin = new Pool({ connectionString: databaseUrl, max: 1 });
    const db = `bench_${name}_${Date.now().toString(36)}`;
    await admin.query(`CREATE DATABASE ${db}`);
    await admin.end();
    const url = new URL(databaseUrl!);
    url.pathname = `/${db}`;
    return url.toString();
  };
  // Pure CPU figures first, before the process carries the heap of the servers started below.
  await section("scoring", () => benchScoring());
  await section("intake", async () => benchIntake(await fresh("intake")));
  await section("speed to lead", async () => benchSpeedToLead(await fresh("stl"), 30, 1));
  await section("drain", async () => benchDrain(await fresh("drain")));
  await section("two workers", async () => benchWorkers(await fresh("workers")));
  await section("import", async () => benchImport(await fresh("import")));
  await section("salesforce import", async () =>
    benchSalesforceImport(await fresh("sfimport"), Number(process.env.BENCH_SALESFORCE_LEADS ?? 1_000)),
  );
  await section("routing", async () => benchRouting(await fresh("routing")));
  await section("hubspot crm", () => benchCrm());
  await section("salesforce crm", () => benchSalesforceCrm());
  await section("forecast", () => benchForecast());
  await section("scaling", async () => benchScaling(await fresh("scaling")));
  await stopPg?.();

  const machine = `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.cpus()[0]?.model ?? "cpu"}, Node ${process.version}`;
  const loadLines = Object.entries(load).map(([name, l]) => `  ${name.padEnd(16)} ${l.join(" / ")}`);
  process.stdout.write(
    `\nHandoff benchmark — ${new Date().toISOString()} — ${machine}\n\n${printTable(figures)}\n\n` +
      `load average (1 / 5 / 15 min) when each section started:\n${loadLines.join("\n")}\n`,
  );
  if (only) return;
  mkdirSync("bench", { recursive: true });
  writeFileSync(
    path.join("bench", "results.json"),
    JSON.stringify({ at: new Date().toISOString(), machine, load, figures }, null, 2) + "\n",
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
