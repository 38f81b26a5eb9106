import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import type { Clock } from "../../ports/clock";
import type { CliServices } from "../cli-services";
import { AppError } from "../../domain/errors";
import { loadSlaFile } from "../../sla/load-sla";
import { formatLeadPreview, leadPreviewJson, parsePreviewLeads, previewLeads } from "../../sla/preview";
import { registerRoutingPreview } from "../../sla/preview-routing";
import { parseRoster } from "../../sla/roster-schema";
import { formatProblem, SlaValidationError } from "../../sla/sla-problem";

export interface PreviewOptions {
  sla: string;
  leads: string;
  at?: string;
  json?: boolean;
  /** Used by preview steps that need a roster (routing). */
  roster?: string;
}

/**
 * Runs a preview and writes it to `write`. Returns the exit code: 1 when the SLA or some lead lines are
 * invalid (valid lines are still previewed).
 */
export async function runPreview(
  opts: PreviewOptions,
  write: (line: string) => void,
  clock: Clock,
): Promise<number> {
  const at = opts.at ?? clock().toISOString();
  if (Number.isNaN(Date.parse(at))) {
    throw new AppError("invalid_option", `--at ${opts.at ?? ""} is not an instant`, {
      hint: "use ISO-8601, e.g. --at 2026-11-23T09:00:00Z",
    });
  }
  const { sla } = await loadSlaFile(opts.sla);
  const text = await readFile(opts.leads, "utf8").catch((cause: unknown) => {
    throw new AppError("leads_file_unreadable", `cannot read ${opts.leads}`, {
      hint: 'give an NDJSON file: one {"lead": {…}, "activities": […]} per line',
      cause,
    });
  });
  // The roster is checked before anything is printed, with its file and field, like the SLA.
  if (opts.roster !== undefined) parseRoster(await readText(opts.roster, "roster"), opts.roster);
  const { inputs, errors } = parsePreviewLeads(text);
  for (const e of errors) process.stderr.write(`${opts.leads}:${e.line}: ${e.message}\n`);
  const rows = await previewLeads(inputs, sla, at, opts.roster === undefined ? {} : { roster: opts.roster });
  if (opts.json) {
    for (const row of rows) write(JSON.stringify(leadPreviewJson(row)));
  } else {
    write(
      `SLA "${sla.sla.name}" v${sla.sla.version} as of ${new Date(Date.parse(at)).toISOString()} — nothing is written\n`,
    );
    for (const row of rows) write(`${formatLeadPreview(row).join("\n")}\n`);
    const handed = rows.filter((r) => r.decision.handoff).length;
    const held = rows.filter((r) => r.decision.action === "hold").length;
    write(`${rows.length} lead(s): ${handed} handed to sales, ${held} held for missing fields`);
  }
  return errors.length > 0 ? 1 : 0;
}

async function readText(file: string, what: "roster"): Promise<string> {
  return readFile(file, "utf8").catch((cause: unknown) => {
    throw new AppError(`${what}_file_unreadable`, `cannot read ${file}`, {
      hint: "Check the path; run from the repository root or give an absolute path.",
      cause,
    });
  });
}

/** `handoff preview --sla <file> --leads <file.ndjson> [--at ISO] [--json]` */
export function register(program: Command, services: CliServices): void {
  registerRoutingPreview();
  program
    .command("preview")
    .description("score and stage sample leads under an SLA file, in order; nothing is written anywhere")
    .requiredOption("--sla <file>", "the SLA file (draft or published)")
    .requiredOption("--leads <file>", "NDJSON: one lead per line, with optional activities and history")
    .option("--at <iso>", "evaluate as of this instant (default: now)")
    .option("--roster <file>", "roster for the routing simulation")
    .option("--json", "one JSON object per lead")
    .action(async (opts: PreviewOptions) => {
      try {
        process.exitCode = await runPreview(
          opts,
          (line) => void process.stdout.write(`${line}\n`),
          services.clock,
        );
      } catch (error) {
        if (error instanceof SlaValidationError) {
          for (const p of error.problems) process.stderr.write(`${formatProblem(p)}\n`);
        } else if (error instanceof AppError) {
          process.stderr.write(`${error.message}\n  hint: ${error.hint ?? ""}\n`);
        } else {
          throw error;
        }
        process.exitCode = 1;
      }
    });
}
