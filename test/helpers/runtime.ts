import { randomBytes } from "node:crypto";
import type { Router } from "express";
import type { LeadEventHandler } from "../../src/jobs/lead-event-worker";
import { createCapturingLogger } from "../../src/logging/logger";
import { composeHandoff } from "../../src/composition/compose";
import {
  startHandoffRuntime,
  type HandoffRuntime,
  type HandoffRuntimeOptions,
} from "../../src/composition/handoff-runtime";
import { openInfrastructure, startRuntime, type Infrastructure } from "../../src/composition/runtime";
import { systemClock } from "../../src/composition/system-clock";
import { createTestDatabase, type TestDatabase } from "./db";

export const TEST_SECRET = "test-client-secret-0123456789abcdef";
export const TEST_ADMIN_TOKEN = "test-admin-token-0123456789abcdef";
export const TEST_KEY = randomBytes(32).toString("base64");

export interface TestRuntime extends HandoffRuntime {
  db: TestDatabase;
  logger: ReturnType<typeof createCapturingLogger>;
  publicUrl: string;
}

/** For intake tests that need no pipeline: each event is only marked seen. */
export const recordEventsOnly: LeadEventHandler = async (event, log) => {
  log.debug("event seen", { kind: event.kind });
  return "processed";
};

export interface TestRuntimeOptions extends Partial<HandoffRuntimeOptions> {
  db?: TestDatabase;
  /** Routers a test mounts itself (at the root and under /admin/api), built on the runtime's infrastructure. */
  routers?: (infra: Infrastructure) => Router[];
  adminRouters?: (infra: Infrastructure) => Router[];
}

/**
 * The real app (HTTP on port 0, pg-boss, worker) on a fresh database, with a capturing logger: the whole
 * product when `product` is given, otherwise intake with `handleLeadEvent` (by default events are only recorded).
 */
export async function startTestRuntime(overrides: TestRuntimeOptions = {}): Promise<TestRuntime> {
  const db = overrides.db ?? (await createTestDatabase());
  const logger = createCapturingLogger();
  const publicUrl = "https://handoff.test";
  const { routers, adminRouters, ...rest } = overrides;
  const options: HandoffRuntimeOptions = {
    databaseUrl: db.url,
    logger,
    publicUrl,
    hubspotSecrets: [TEST_SECRET],
    adminToken: TEST_ADMIN_TOKEN,
    encryptionKey: TEST_KEY,
    port: 0,
    worker: true,
    retry: { baseDelayMs: 1000, maxAttempts: 3 },
    now: systemClock,
    ...(overrides.product ? {} : { handleLeadEvent: recordEventsOnly }),
    ...rest,
  };
  const rt =
    routers || adminRouters
      ? await withTestRouters(options, routers, adminRouters)
      : await startHandoffRuntime(options);
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

/** The runtime with routers a test builds on the infrastructure, next to the product's when there is one. */
async function withTestRouters(
  options: HandoffRuntimeOptions,
  routers: TestRuntimeOptions["routers"],
  adminRouters: TestRuntimeOptions["adminRouters"],
): Promise<HandoffRuntime> {
  const infra = await openInfrastructure(options);
  const product = options.product ? await composeHandoff(infra, options.product, options.now) : undefined;
  const runtime = await startRuntime(infra, {
    ...options,
    ...(product ? { handleLeadEvent: product.handleLeadEvent, stop: product.stop } : {}),
    routers: [...(routers?.(infra) ?? []), ...(product?.routers ?? [])],
    adminRouters: [...(adminRouters?.(infra) ?? []), ...(product?.adminRouters ?? [])],
  });
  return Object.assign(runtime, { product });
}
