import { rm } from "node:fs/promises";

/** Stops the run's PostgreSQL and removes its temporary data directory. */
export default async function globalTeardown(): Promise<void> {
  await globalThis.__HANDOFF_PG__?.stop();
  if (globalThis.__HANDOFF_PG_DIR__)
    await rm(globalThis.__HANDOFF_PG_DIR__, { recursive: true, force: true });
}
