import { AppError } from "../domain/errors";

const NO_CONNECTION_YET =
  "This database has no connection yet: install one (GET /install/hubspot) or check DATABASE_URL (unset: the embedded app must be running).";

/**
 * The connection a command acts on: the one `--connection` names, or the only one there is. `ids` are the
 * connections of the database the command works on.
 * @throws AppError `unknown_connection` listing the known ids, `connection_required` when several could be meant
 */
export function resolveConnection(ids: readonly string[], given: string | undefined): string {
  if (given !== undefined) {
    if (ids.includes(given)) return given;
    throw new AppError("unknown_connection", `no connection "${given}" in this database`, {
      hint: ids.length
        ? `Use one of: ${ids.join(", ")}. Another database? Check DATABASE_URL.`
        : NO_CONNECTION_YET,
    });
  }
  if (ids.length === 1 && ids[0] !== undefined) return ids[0];
  throw new AppError("connection_required", `which connection? this database has ${ids.length} connections`, {
    hint: ids.length ? `Pass --connection <id>: ${ids.join(", ")}` : NO_CONNECTION_YET,
  });
}
