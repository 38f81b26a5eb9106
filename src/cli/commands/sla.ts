import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { Pool } from "pg";
import { AppError } from "../../domain/errors";
import type { CliServices } from "../cli-services";
import {
  listSlaSignatures,
  listSlaVersions,
  publishSla,
  signSla,
  TEAMS,
  type Team,
} from "../../adapters/postgres/sla-store";
import { diffSla, formatChange } from "../../sla/diff-sla";
import { checkSlaText, parseSla, type LoadedSla } from "../../sla/load-sla";
import { formatProblem, SlaValidationError } from "../../sla/sla-problem";
import { createHolidayCalendar } from "../../adapters/holidays";

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

/** A pool on the app's database, or a clear error when DATABASE_URL is not set. */
function databasePool(services: CliServices): Pool {
  const url = services.config.databaseUrl;
  if (!url) {
    throw new AppError(
      "database_url_missing",
      "DATABASE_URL is not set: sign-offs and versions live in the app's database",
      {
        hint: "Run against the app's database: DATABASE_URL=postgres://user:pass@host:5432/handoff handoff sla …",
      },
    );
  }
  return new Pool({ connectionString: url, max: 2 });
}

/** The connection to act on: the one given, or the only one there is. */
async function resolveConnection(pool: Pool, given: string | undefined): Promise<string> {
  const { rows } = await pool.query<{ id: string }>("SELECT id FROM connections ORDER BY id");
  const ids = rows.map((r) => r.id);
  if (given !== undefined) {
    if (!ids.includes(given)) {
      throw new AppError("unknown_connection", `no connection "${given}" in this database`, {
        hint: ids.length
          ? `Known connections: ${ids.join(", ")}`
          : "Install the app on a portal or org first.",
      });
    }
    return given;
  }
  if (ids.length === 1 && ids[0] !== undefined) return ids[0];
  throw new AppError(
    "connection_required",
    "which connection? this database has " + `${ids.length} connections`,
    {
      hint: ids.length
        ? `Pass --connection <id>: ${ids.join(", ")}`
        : "Install the app on a portal or org first.",
    },
  );
}

async function withPool(services: CliServices, work: (pool: Pool) => Promise<void>): Promise<void> {
  const pool = databasePool(services);
  try {
    await work(pool);
  } finally {
    await pool.end();
  }
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
      const calendar = createHolidayCalendar();
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
        await withPool(services, async (pool) => {
          const connectionId = await resolveConnection(pool, opts.connection);
          await signSla(
            pool,
            connectionId,
            loaded,
            { team: opts.as as Team, name: opts.name, email: opts.email },
            clock(),
          );
          const signed = new Set(
            (await listSlaSignatures(pool, connectionId, loaded.hash)).map((s) => s.team),
          );
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
        });
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
        await withPool(services, async (pool) => {
          const connectionId = await resolveConnection(pool, opts.connection);
          const versions = await listSlaVersions(pool, connectionId);
          if (versions.length === 0) out(`no SLA versions stored for ${connectionId}`);
          for (const v of versions) {
            const signed = new Set(v.signatures.map((s) => s.team));
            out(
              `v${v.version} ${v.status.padEnd(10)} effective ${v.effective ?? "(none)"}  ` +
                `${TEAMS.map((t) => `${t} ${signed.has(t) ? "✓" : "✗"}`).join(" ")}  ${v.hash.slice(0, 19)}…  ${v.name}`,
            );
          }
        });
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
        await withPool(services, async (pool) => {
          const connectionId = await resolveConnection(pool, opts.connection);
          const version = await publishSla(pool, connectionId, loaded.hash, opts.by, clock());
          out(
            `published ${version.hash} (v${version.version}, effective ${version.effective ?? "?"}) for ${connectionId}`,
          );
          out(
            `signed by: ${version.signatures.map((s) => `${s.team} on ${s.signedAt.toISOString().slice(0, 10)}`).join(", ")}`,
          );
        });
      } catch (error) {
        report(error);
      }
    });
}
