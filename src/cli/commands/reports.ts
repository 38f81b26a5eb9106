import { once } from "node:events";
import { SingleBar, Presets } from "cli-progress";
import type { Command } from "commander";
import { forecastDraftSla, type ForecastProgress } from "../../app/forecast-sla";
import {
  getChannelsReport,
  getComplianceReport,
  getFairnessReport,
  getFeedbackReport,
  getPaceReport,
  type ReportDeps,
} from "../../app/reports/build-reports";
import { exportDecisions } from "../../app/reports/export-decisions";
import { parseSince } from "../../app/reports/report-window";
import type {
  ChannelsReport,
  ComplianceReport,
  FairnessReport,
  FeedbackReport,
  ForecastReport,
  ForecastSide,
  PaceReport,
  ReportEnvelope,
} from "../../app/reports/types";
import { AppError } from "../../domain/errors";
import { loadSlaFile } from "../../sla/load-sla";
import type { CliServices } from "../cli-services";

const out = (line = ""): void => void process.stdout.write(`${line}\n`);
const pct = (r: number | null): string => (r === null ? "—" : `${Math.round(r * 1000) / 10}%`);
const num = (n: number | null): string => (n === null ? "—" : String(n));

async function withDeps<T>(
  services: CliServices,
  connection: string,
  work: (deps: ReportDeps, connectionId: string) => Promise<T>,
): Promise<T> {
  try {
    const connectionId = await services.connection(connection);
    return await work(
      { reports: services.reports(), slaFor: (id) => services.slaFor(id), now: services.clock },
      connectionId,
    );
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "ECONNREFUSED") {
      throw new AppError("database_unreachable", "cannot reach the database", {
        hint: "Set DATABASE_URL, or start the app (`npm start`) so that the embedded database is running.",
        cause: err,
      });
    }
    throw err;
  }
}

function fail(error: unknown): void {
  if (!(error instanceof AppError)) throw error;
  process.stderr.write(`${error.message}${error.hint ? `\n  hint: ${error.hint}` : ""}\n`);
  process.exitCode = 1;
}

function header(r: ReportEnvelope, title: string): void {
  out(`${title} — connection ${r.connectionId}, SLA v${r.slaVersion} (${r.timezone})`);
  out(
    `${r.from.slice(0, 10)} → ${r.to.slice(0, 10)}   ${r.labels.stages.mql ?? "MQL"} · ${r.labels.stages.sql ?? "SQL"}`,
  );
  out();
}

function printPace(r: PaceReport): void {
  const p = r.pace;
  header(r, `Weekly ${r.labels.stages.mql ?? "MQL"} pace, ${p.quarter}`);
  out(`committed ${p.commitment} · delivered ${p.delivered} · ${p.currentPerWeek}/week so far`);
  out(`needed ${p.neededPerWeek}/week for the remaining ${p.weeksRemaining} weeks`);
  out(`projected ${p.projected} by ${p.quarterEnd} → ${p.onTrack ? "on track" : `short by ${p.shortfall}`}`);
  out();
  for (const w of p.weeks) {
    const bar = "█".repeat(Math.min(60, w.delivered));
    out(
      `${w.week}  ${String(w.delivered).padStart(4)}  ${String(w.cumulative).padStart(5)} / ${String(w.target).padStart(6)}  ${w.future ? "·" : " "} ${bar}`,
    );
  }
}

function printCompliance(r: ComplianceReport): void {
  const tiered = r.byTier.some((t) => t.tier !== "default");
  header(
    r,
    `Follow-up compliance (first touch within ${r.firstTouch}${tiered ? " by default; per tier below" : ""})`,
  );
  out(
    `${r.handoffs} handoffs · ${r.touched} touched · ${r.breaches} breaches · on time ${pct(r.onTimeRate)}`,
  );
  out(`time to first touch: p50 ${num(r.p50Minutes)} min · p90 ${num(r.p90Minutes)} min`);
  out();
  out(`${"rep".padEnd(16)} handoffs touched breaches   p50   p90`);
  for (const rep of r.byRep) {
    out(
      `${rep.repKey.padEnd(16)} ${String(rep.handoffs).padStart(8)} ${String(rep.touched).padStart(7)} ${String(rep.breaches).padStart(8)} ${num(rep.p50Minutes).padStart(5)} ${num(rep.p90Minutes).padStart(5)}`,
    );
  }
  if (!tiered) return;
  out();
  out(`${"SLA tier".padEnd(16)} handoffs touched breaches on time   p50   p90`);
  for (const t of r.byTier) {
    out(
      `${t.tier.padEnd(16)} ${String(t.handoffs).padStart(8)} ${String(t.touched).padStart(7)} ${String(t.breaches).padStart(8)} ${pct(t.onTimeRate).padStart(7)} ${num(t.p50Minutes).padStart(5)} ${num(t.p90Minutes).padStart(5)}`,
    );
  }
}

function printFeedback(r: FeedbackReport): void {
  header(r, "Sales feedback");
  out(
    `${r.accepted} accepted · ${r.rejected} rejected · ${r.pending} pending · acceptance ${pct(r.acceptanceRate)}`,
  );
  if (r.converted) {
    out(
      `${r.converted} converted in the CRM (${r.convertedWithOpportunity ?? 0} with an opportunity, ${r.convertedToAnotherOwner ?? 0} to another owner)`,
    );
  }
  out();
  out("reject reasons:");
  for (const reason of r.rejectReasons) out(`  ${reason.reason.padEnd(24)} ${reason.count}`);
  out();
  out(`${"rule".padEnd(24)} ${"axis".padEnd(11)} MQLs accepted rejected precision  top reject reasons`);
  for (const rule of r.rules) {
    const top = rule.rejectReasons
      .slice(0, 3)
      .map((x) => `${x.reason} ${x.count}`)
      .join(", ");
    out(
      `${rule.rule.padEnd(24)} ${rule.axis.padEnd(11)} ${String(rule.mqls).padStart(4)} ${String(rule.accepted).padStart(8)} ${String(rule.rejected).padStart(8)} ${pct(rule.precision).padStart(9)}  ${top}`,
    );
  }
}

function printChannels(r: ChannelsReport): void {
  header(r, "Channels per week");
  out(
    `${"week".padEnd(9)} ${"source / medium / campaign".padEnd(44)} leads ${r.labels.stages.mql ?? "MQL"} rate accepted`,
  );
  for (const row of r.rows) {
    const channel = `${row.source} / ${row.medium} / ${row.campaign}`.slice(0, 44);
    out(
      `${row.week.padEnd(9)} ${channel.padEnd(44)} ${String(row.leads).padStart(5)} ${String(row.qualified).padStart(3)} ${pct(row.qualifiedRate).padStart(6)} ${pct(row.acceptanceRate).padStart(8)}`,
    );
  }
}

function printFairness(r: FairnessReport): void {
  header(r, "Fairness per pool (expected = weight × eligible time)");
  for (const pool of r.pools) {
    out(`pool ${pool.pool}: ${pool.assigned} assigned`);
    out(`  ${"rep".padEnd(14)} weight eligible h expected actual  avg score score share`);
    for (const rep of pool.reps) {
      out(
        `  ${rep.repKey.padEnd(14)} ${String(rep.weight).padStart(6)} ${String(rep.eligibleHours).padStart(10)} ${pct(rep.expectedShare).padStart(8)} ${pct(rep.actualShare).padStart(6)} ${num(rep.averageScore).padStart(10)} ${pct(rep.scoreShare).padStart(11)}`,
      );
    }
    out();
  }
}

function printSide(s: ForecastSide): void {
  out(
    `${s.label.toUpperCase()}: ${s.slaName} v${s.slaVersion} — MQL at fit ≥ ${s.mqlThreshold.fit}, engagement ≥ ${s.mqlThreshold.engagement}`,
  );
  out(
    `  ${s.mqls} MQLs · ${s.pace.quarter} projected ${s.pace.projected} of ${s.pace.commitment} (${s.pace.onTrack ? "on track" : `short by ${s.pace.shortfall}`})`,
  );
  out(
    `  ${s.unrouted} to the fallback queue · breach risk ${pct(s.breachRisk.rate)} (${s.breachRisk.atRisk} of ${s.breachRisk.handoffs})`,
  );
  for (const l of s.load) {
    const caps = [
      l.capPerDay !== null ? `cap ${l.capPerDay}/day, hit ${l.daysOverCap}×` : "",
      l.capPerWeek !== null ? `cap ${l.capPerWeek}/week, hit ${l.weeksOverCap}×` : "",
    ]
      .filter(Boolean)
      .join("; ");
    out(
      `  ${l.repKey.padEnd(14)} ${String(l.assigned).padStart(5)} leads, peak ${l.peakPerDay}/day ${l.peakPerWeek}/week ${caps}`,
    );
  }
}

function printForecast(r: ForecastReport): void {
  header(r, "Forecast: live SLA vs draft on the same history");
  out(`${r.history.events} events of ${r.history.leads} leads replayed in ${r.elapsedMs} ms`);
  out(`(${r.history.description})`);
  out();
  out(`${"week".padEnd(9)} ${"live".padStart(6)} ${"draft".padStart(6)}`);
  r.live.weeks.forEach((w, i) =>
    out(
      `${w.week.padEnd(9)} ${String(w.mqls).padStart(6)} ${String(r.draft.weeks[i]?.mqls ?? 0).padStart(6)}`,
    ),
  );
  out();
  printSide(r.live);
  out();
  printSide(r.draft);
  out();
  out(`draft vs live: ${r.mqlDelta >= 0 ? "+" : ""}${r.mqlDelta} MQLs`);
}

function emit<T>(json: boolean | undefined, report: T, print: (r: T) => void): void {
  if (json) out(JSON.stringify(report, null, 2));
  else print(report);
}

/**
 * `handoff report pace|compliance|feedback|channels|fairness --connection <id> [--since 90d] [--json]`,
 * `handoff forecast --draft <file> [--since 90d] --connection <id> [--json]` and
 * `handoff export decisions --since <ISO|90d> --connection <id> > decisions.ndjson`.
 */
export function register(program: Command, services: CliServices): void {
  const report = program.command("report").description("both teams' SLA reports from the app's database");
  const kinds = {
    pace: {
      about: "weekly MQLs vs the quarterly commitment, pace needed, projection",
      run: (d: ReportDeps, c: string) => getPaceReport(d, c),
      print: printPace,
    },
    compliance: {
      about: "time to first touch p50/p90 and breaches by rep",
      run: getComplianceReport,
      print: printCompliance,
    },
    feedback: {
      about: "acceptance rate, reject reasons and per-rule precision",
      run: getFeedbackReport,
      print: printFeedback,
    },
    channels: {
      about: "qualified rate and acceptance by source/medium/campaign per week",
      run: getChannelsReport,
      print: printChannels,
    },
    fairness: {
      about: "expected vs actual share per pool, by count and lead score",
      run: getFairnessReport,
      print: printFairness,
    },
  } as const;
  for (const [name, kind] of Object.entries(kinds)) {
    report
      .command(name)
      .description(kind.about)
      .requiredOption("--connection <id>", "the connection (portal or org) to report on")
      .option("--since <span|date>", "window start: 90d, 12w or an ISO date", "90d")
      .option("--json", "print the JSON the admin API returns")
      .action(async (opts: { connection: string; since: string; json?: boolean }) => {
        try {
          await withDeps(services, opts.connection, async (deps, connectionId) => {
            const now = deps.now();
            const window = { from: parseSince(opts.since, now), to: now };
            const result = await (
              kind.run as (d: ReportDeps, c: string, w: typeof window) => Promise<unknown>
            )(deps, connectionId, window);
            emit(opts.json, result, kind.print as (r: unknown) => void);
          });
        } catch (err) {
          fail(err);
        }
      });
  }

  program
    .command("forecast")
    .description(
      "replay stored history under a draft SLA next to the live one: MQLs/week, pace, load, breach risk",
    )
    .requiredOption("--draft <file>", "the draft SLA YAML")
    .requiredOption("--connection <id>", "the connection whose history to replay")
    .option("--since <span|date>", "how far back to replay: 90d, 12w or an ISO date", "90d")
    .option("--json", "print the JSON the admin API returns")
    .action(async (opts: { draft: string; connection: string; since: string; json?: boolean }) => {
      try {
        const { sla: draft } = await loadSlaFile(opts.draft);
        await withDeps(services, opts.connection, async (deps, connectionId) => {
          const bar = new SingleBar(
            {
              format: "{phase} [{bar}] {percentage}% | {value}/{total} events | {eta}s left",
              stream: process.stderr,
              hideCursor: true,
            },
            Presets.shades_classic,
          );
          let started = false;
          const onProgress = (p: ForecastProgress): void => {
            if (p.phase === "load") {
              if (!process.stderr.isTTY) return;
              if (!started) bar.start(1, 0, { phase: "loading" });
              started = true;
              bar.setTotal(p.done + 1);
              bar.update(p.done, { phase: "loading" });
              return;
            }
            if (!started) bar.start(p.total ?? 1, 0, { phase: "replaying" });
            started = true;
            bar.setTotal(p.total ?? 1);
            bar.update(p.done, { phase: "replaying" });
          };
          const result = await forecastDraftSla(deps, {
            connectionId,
            draft,
            since: parseSince(opts.since, deps.now()),
            onProgress,
          });
          if (started) bar.stop();
          emit(opts.json, result, printForecast);
        });
      } catch (err) {
        fail(err);
      }
    });

  const exporter =
    program.commands.find((c) => c.name() === "export") ??
    program.command("export").description("export data for the warehouse");
  exporter
    .command("decisions")
    .description("every routing and scoring decision since a date, one JSON object per line")
    .requiredOption("--since <span|date>", "ISO date/instant or a span back from now (90d)")
    .requiredOption("--connection <id>", "the connection to export")
    .action(async (opts: { since: string; connection: string }) => {
      try {
        await withDeps(services, opts.connection, async (deps, connectionId) => {
          const since = parseSince(opts.since, deps.now());
          let lines = 0;
          for await (const line of exportDecisions(deps.reports, connectionId, since)) {
            if (!process.stdout.write(`${JSON.stringify(line)}\n`)) await once(process.stdout, "drain");
            lines += 1;
          }
          process.stderr.write(`${lines} decisions exported\n`);
        });
      } catch (err) {
        fail(err);
      }
    });
}
