import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { listVersions, publishVersion, signDraft } from "../../app/sla-admin";
import { AppError } from "../../domain/errors";
import { TEAMS, type Team } from "../../domain/sla-publish";
import type { SlaVersionStore } from "../../ports/sla-versions";
import type { CliServices } from "../cli-services";
import { diffSla, formatChange } from "../../sla/diff-sla";
import { checkSlaText, parseSla, type LoadedSla } from "../../sla/load-sla";
import { formatProblem, SlaValidationError } from "../../sla/sla-problem";

const out = (line = ""): void => void process.stdout.write(`${line}\n`);
const err = (line: string): void => void process.stderr.write(`${line}\n`);

/** Prints an AppError as message + hint and sets a failing exit code; anything else is rethrown. */
function report(error: unknown): void {
  if (error instanceof SlaValidationError) {
    for (const p of error.problems) err(formatProblem(p));
    err(`${error.problems.filter((p) => p.severity === "error").length} error(s): nothing was changed.`);
  } else if (error instanceof AppError) {
    err(`${error.message}${error.hint ? `\n  hint: ${error.hint}` : ""}`);
  } else {
    throw error;
  }
  process.exitCode = 1;
}

async function loadFile(file: string): Promise<LoadedSla & { source: string }> {
  const source = await readFile(file, "utf8").catch((cause: unknown) => {
    throw new AppError("sla_file_unreadable", `cannot read ${file}`, {
      hint: "Check the path; run from the repository root or give an absolute path.",
      cause,
    });
  });
  return { ...parseSla(source, file), source };
}

/**
 * The connection's SLA versions, or a clear error when DATABASE_URL is not set: sign-offs are made on the app's
 * database, never on a database the CLI guessed.
 */
async function openVersions(
  services: CliServices,
  given: string | undefined,
): Promise<{ versions: SlaVersionStore; connectionId: string }> {
  if (!services.config.databaseUrl) {
    throw new AppError(
      "database_url_missing",
      "DATABASE_URL is not set: sign-offs and versions live in the app's database",
      {
        hint: "Run against the app's database: DATABASE_URL=postgres://user:pass@host:5432/handoff handoff sla …",
      },
    );
  }
  const connectionId = await services.connection(given);
  return { versions: services.slaVersions(), connectionId };
}

/** `handoff sla lint|diff|hash|sign|versions|publish` */
export function register(program: Command, services: CliServices): void {
  const clock = services.clock;
  const sla = program.command("sla").description("check, compare, sign and publish the SLA file");

  sla
    .command("lint <file>")
    .description("report every error (exit 1) and smell in an SLA file, with line and column")
    .option("--json", "print the problems as JSON")
    .action(async (file: string, opts: { json?: boolean }) => {
      const text = await readFile(file, "utf8").catch(() => undefined);
      if (text === undefined) {
        err(`cannot read ${file}\n  hint: check the path`);
        process.exitCode = 1;
        return;
      }
      const calendar = services.holidays();
      // Next week, from now: a pool whose members are all off work or on public holidays is named.
      const result = checkSlaText(text, file, {
        coverage: {
          from: clock(),
          days: 7,
          holidays: (codes, from, to) => calendar.between(codes, from, to),
        },
      });
      const errors = result.problems.filter((p) => p.severity === "error").length;
      const warnings = result.problems.length - errors;
      if (opts.json) {
        out(
          JSON.stringify(
            { file, hash: result.hash ?? null, errors, warnings, problems: result.problems },
            null,
            2,
          ),
        );
      } else {
        for (const p of result.problems) out(formatProblem(p));
        out(
          errors === 0
            ? `${file}: OK${warnings ? ` with ${warnings} warning(s)` : ""} — ${result.hash ?? ""}`
            : `${file}: ${errors} error(s), ${warnings} warning(s)`,
        );
      }
      if (errors > 0) process.exitCode = 1;
    });

  sla
    .command("diff <before> <after>")
    .description("what changed between two SLA files: rules, thresholds, pools, reps, owners")
    .action(async (beforeFile: string, afterFile: string) => {
      try {
        const before = await loadFile(beforeFile);
        const after = await loadFile(afterFile);
        const changes = diffSla(before.sla, after.sla);
        out(`${beforeFile} (v${before.sla.sla.version}, ${before.hash.slice(0, 19)}…)`);
        out(`→ ${afterFile} (v${after.sla.sla.version}, ${after.hash.slice(0, 19)}…)`);
        out();
        if (changes.length === 0) out("no changes: both files sign to the same hash");
        for (const change of changes) out(formatChange(change));
        out();
        out(`${changes.length} change(s)`);
      } catch (error) {
        report(error);
      }
    });

  sla
    .command("hash <file>")
    .description("print the canonical hash both teams sign (comments and formatting do not change it)")
    .action(async (file: string) => {
      try {
        out((await loadFile(file)).hash);
      } catch (error) {
        report(error);
      }
    });

  sla
    .command("sign <file>")
    .description("sign the file's exact content for one team (stored in the app's database)")
    .requiredOption("--as <team>", "marketing or sales")
    .requiredOption("--name <name>", "the signer's name")
    .requiredOption("--email <email>", "the signer's e-mail")
    .option("--connection <id>", "the portal/org connection (default: the only one)")
    .action(async (file: string, opts: { as: string; name: string; email: string; connection?: string }) => {
      try {
        if (!TEAMS.includes(opts.as as Team)) {
          throw new AppError("invalid_team", `--as ${opts.as} is not a team`, {
            hint: "use --as marketing or --as sales",
          });
        }
        if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(opts.email)) {
          throw new AppError("invalid_email", "--email is not an e-mail address", {
            hint: "e.g. --email ana@example.com",
          });
        }
        const loaded = await loadFile(file);
        const { versions, connectionId } = await openVersions(services, opts.connection);
        const signature = await signDraft(
          { versions, now: clock },
          {
            connectionId,
            source: loaded.source,
            team: opts.as as Team,
            name: opts.name,
            email: opts.email,
          },
        );
        const signed = new Set(TEAMS.filter((t) => signature.signedBy[t]));
        out(
          `signed ${loaded.hash} (v${loaded.sla.sla.version}) as ${opts.as} for connection ${connectionId}`,
        );
        out(`sign-off: ${TEAMS.map((t) => `${t} ${signed.has(t) ? "✓" : "✗"}`).join(", ")}`);
        const missing = TEAMS.filter((t) => !signed.has(t));
        out(
          missing.length
            ? `next: handoff sla sign ${file} --as ${missing.join("|")} … (the same file, unchanged)`
            : `next: handoff sla publish ${file} --connection ${connectionId}`,
        );
      } catch (error) {
        report(error);
      }
    });

  sla
    .command("versions")
    .description("list a connection's SLA versions with their sign-offs and status")
    .option("--connection <id>", "the portal/org connection (default: the only one)")
    .action(async (opts: { connection?: string }) => {
      try {
        const opened = await openVersions(services, opts.connection);
        const connectionId = opened.connectionId;
        const versions = await listVersions(opened, connectionId);
        if (versions.length === 0) out(`no SLA versions stored for ${connectionId}`);
        for (const v of versions) {
          const signed = new Set(v.signatures.map((s) => s.team));
          out(
            `v${v.version} ${v.status.padEnd(10)} effective ${v.effective ?? "(none)"}  ` +
              `${TEAMS.map((t) => `${t} ${signed.has(t) ? "✓" : "✗"}`).join(" ")}  ${v.hash.slice(0, 19)}…  ${v.name}`,
          );
        }
      } catch (error) {
        report(error);
      }
    });

  sla
    .command("publish <file>")
    .description("make the file the connection's SLA; needs both teams' signatures and an effective date")
    .requiredOption("--connection <id>", "the portal/org connection")
    .option("--by <who>", "who publishes (recorded in the audit log)", "cli")
    .action(async (file: string, opts: { connection: string; by: string }) => {
      try {
        const loaded = await loadFile(file);
        const { versions, connectionId } = await openVersions(services, opts.connection);
        const version = await publishVersion(
          { versions, now: clock },
          { connectionId, hash: loaded.hash, by: opts.by },
        );
        out(
          `published ${version.hash} (v${version.version}, effective ${version.effective ?? "?"}) for ${connectionId}`,
        );
        out(
          `signed by: ${version.signedBy.map((s) => `${s.team} on ${s.signedAt.slice(0, 10)}`).join(", ")}`,
        );
      } catch (error) {
        report(error);
      }
    });
}
