import { randomBytes } from "node:crypto";
import type { LeadEventHandler } from "../../src/jobs/lead-event-worker";
import { createCapturingLogger } from "../../src/logging/logger";
import { startRuntime, type Runtime, type RuntimeOptions } from "../../src/composition/runtime";
import { createTestDatabase, type TestDatabase } from "./db";

export const TEST_SECRET = "test-client-secret-0123456789abcdef";
export const TEST_ADMIN_TOKEN = "test-admin-token-0123456789abcdef";
export const TEST_KEY = randomBytes(32).toString("base64");

export interface TestRuntime extends Runtime {
  db: TestDatabase;
  logger: ReturnType<typeof createCapturingLogger>;
  publicUrl: string;
}

/** For intake tests that need no pipeline: each event is only marked seen. */
export const recordEventsOnly: LeadEventHandler = async (event, log) => {
  log.debug("event seen", { kind: event.kind });
  return "processed";
};

/** The real app (HTTP on port 0, pg-boss, worker) on a fresh database, with a capturing logger. */
export async function startTestRuntime(
  overrides: Partial<RuntimeOptions> & { db?: TestDatabase } = {},
): Promise<TestRuntime> {
  const db = overrides.db ?? (await createTestDatabase());
  const logger = createCapturingLogger();
  const publicUrl = "https://handoff.test";
  const rt = await startRuntime({
    databaseUrl: db.url,
    logger,
    publicUrl,
    hubspotSecrets: [TEST_SECRET],
    adminToken: TEST_ADMIN_TOKEN,
    encryptionKey: TEST_KEY,
    port: 0,
    worker: true,
    retry: { baseDelayMs: 1000, maxAttempts: 3 },
    ...(overrides.extend ? {} : { handleLeadEvent: recordEventsOnly }),
    ...overrides,
  });
  // Every integration test is also a log scan: no e-mail address or secret may reach a log line.
  const stop = rt.stop;
  const scanned = Object.assign(rt, { db, logger, publicUrl });
  scanned.stop = async () => {
    await stop();
    assertNoPersonalData(logger.entries);
  };
  return scanned;
}

const LEAKS = [
  /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/,
  new RegExp(TEST_SECRET),
  new RegExp(TEST_ADMIN_TOKEN),
];

export function assertNoPersonalData(entries: { message: string; fields: unknown }[]): void {
  const leaks = entries.map((e) => JSON.stringify(e)).filter((line) => LEAKS.some((re) => re.test(line)));
  if (leaks.length > 0)
    throw new Error(`log lines leak personal data or secrets:\n${leaks.slice(0, 5).join("\n")}`);
}
