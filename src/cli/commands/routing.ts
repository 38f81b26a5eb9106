import type { CapsChange } from "../../ports/rep-availability";
import type { Command } from "commander";
import { assertKnownRep } from "../../app/assert-known-rep";
import { AppError } from "../../domain/errors";
import type { RepOverview } from "../../ports/rep-availability";
import type { CliServices } from "../cli-services";

const out = (line = ""): void => void process.stdout.write(`${line}\n`);

/** The connection `--connection` names (or the only one) and, when a rep is named, that the SLA knows them. */
async function repConnection(
  services: CliServices,
  given: string | undefined,
  rep?: string,
): Promise<string> {
  const connectionId = await services.connection(given);
  if (rep !== undefined) assertKnownRep((await services.slaFor(connectionId)).sla.routing, connectionId, rep);
  return connectionId;
}

function formatRep(r: RepOverview): string {
  const away = r.away
    ? `away${r.awayUntil ? ` until ${r.awayUntil.slice(0, 10)}` : ""}${r.awayReason ? ` (${r.awayReason})` : ""}`
    : "available";
  const caps = [
    r.caps.open !== null ? `open cap ${r.caps.open}` : "",
    r.caps.perDay !== null ? `${r.caps.perDay}/day` : "",
    r.caps.perWeek !== null ? `${r.caps.perWeek}/week` : "",
    r.caps.perMonth !== null ? `${r.caps.perMonth}/month in ${r.caps.perMonthFor ?? "?"}` : "",
  ].filter(Boolean);
  const ooo = r.outOfOffice.map((o) => `ooo ${o.from.slice(0, 10)}→${o.to.slice(0, 10)}`);
  return `${r.repKey.padEnd(14)} ${away.padEnd(40)} ${String(r.open).padStart(4)} open  ${[...caps, ...ooo].join(", ")}`;
}

function parseDate(text: string, flag: string): Date {
  const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
  if (Number.isNaN(d.getTime())) {
    throw new AppError("invalid_date", `${flag} "${text}" is not a date`, {
      hint: "Use 2026-11-30 or an ISO instant.",
    });
  }
  return d;
}

function fail(error: unknown): void {
  if (!(error instanceof AppError)) throw error;
  process.stderr.write(`${error.message}${error.hint ? `\n  hint: ${error.hint}` : ""}\n`);
  process.exitCode = 1;
}

/** `handoff reps away|back|ooo|caps|list` (`handoff replay` is registered with the core commands). */
export function register(program: Command, services: CliServices): void {
  const reps = program.command("reps").description("reps' availability and caps (audited)");
  const actor = `cli:${process.env.USER ?? "unknown"}`;
  reps
    .command("away <rep>")
    .description("set a rep away: no leads until back (or until --until)")
    .requiredOption("--reason <reason>", "why (shown in routing decisions): vacation, sick, training …")
    .option("--until <date>", "end of the absence (2026-11-30); default: until `handoff reps back`")
    .option("--connection <id>", "the portal/org connection (default: the only one)")
    .action(async (rep: string, opts: { reason: string; until?: string; connection?: string }) => {
      try {
        const connectionId = await repConnection(services, opts.connection, rep);
        const until = opts.until === undefined ? undefined : parseDate(opts.until, "--until");
        const r = await services
          .reps()
          .setAway(connectionId, rep, { reason: opts.reason, ...(until ? { until } : {}) }, actor);
        out(formatRep(r));
      } catch (error) {
        fail(error);
      }
    });
  reps
    .command("back <rep>")
    .description("end a rep's absence now")
    .option("--connection <id>", "the portal/org connection (default: the only one)")
    .action(async (rep: string, opts: { connection?: string }) => {
      try {
        const connectionId = await repConnection(services, opts.connection, rep);
        out(formatRep(await services.reps().setBack(connectionId, rep, actor)));
      } catch (error) {
        fail(error);
      }
    });
  reps
    .command("ooo <rep>")
    .description("add an out-of-office period (the router skips the rep from --from to --to)")
    .requiredOption("--from <date>", "start (2026-12-21 or an ISO instant)")
    .requiredOption("--to <date>", "end, exclusive (2027-01-04 or an ISO instant)")
    .option("--reason <reason>", "shown in routing decisions")
    .option("--connection <id>", "the portal/org connection (default: the only one)")
    .action(async (rep: string, opts: { from: string; to: string; reason?: string; connection?: string }) => {
      try {
        const connectionId = await repConnection(services, opts.connection, rep);
        const entry = {
          from: parseDate(opts.from, "--from"),
          to: parseDate(opts.to, "--to"),
          ...(opts.reason ? { reason: opts.reason } : {}),
        };
        out(formatRep(await services.reps().addOutOfOffice(connectionId, rep, entry, actor)));
      } catch (error) {
        fail(error);
      }
    });
  reps
    .command("caps <rep>")
    .description("override a rep's caps (`none` removes an override; the SLA's cap applies again)")
    .option("--open <n>", "max open leads")
    .option("--per-day <n>", "max new leads per day")
    .option("--per-week <n>", "max new leads per week")
    .option("--per-month <n>", "max new leads this month (the rep's zone); next month the SLA's cap is back")
    .option("--connection <id>", "the portal/org connection (default: the only one)")
    .action(
      async (
        rep: string,
        opts: { open?: string; perDay?: string; perWeek?: string; perMonth?: string; connection?: string },
      ) => {
        const cap = (v: string | undefined): number | null | undefined =>
          v === undefined ? undefined : v === "none" ? null : Number(v);
        try {
          const connectionId = await repConnection(services, opts.connection, rep);
          const caps: CapsChange = Object.fromEntries(
            Object.entries({
              open: cap(opts.open),
              perDay: cap(opts.perDay),
              perWeek: cap(opts.perWeek),
            }).filter(([, v]) => v !== undefined),
          );
          const perMonth = cap(opts.perMonth);
          if (perMonth !== undefined) {
            const timezone = (await services.slaFor(connectionId)).sla.routing.reps[rep]?.timezone ?? "UTC";
            caps.perMonth = { cap: perMonth, timezone };
          }
          out(formatRep(await services.reps().setCaps(connectionId, rep, caps, actor)));
        } catch (error) {
          fail(error);
        }
      },
    );
  reps
    .command("list")
    .description("every rep with a state: availability, open leads, cap overrides, out-of-office entries")
    .option("--connection <id>", "the portal/org connection (default: the only one)")
    .option("--json", "print JSON")
    .action(async (opts: { connection?: string; json?: boolean }) => {
      try {
        const connectionId = await repConnection(services, opts.connection);
        const list = await services.reps().list(connectionId);
        if (opts.json) out(JSON.stringify(list, null, 2));
        else for (const r of list) out(formatRep(r));
        if (!opts.json && list.length === 0)
          out("no rep has a state yet (nobody was routed, set away or capped)");
      } catch (error) {
        fail(error);
      }
    });
}
