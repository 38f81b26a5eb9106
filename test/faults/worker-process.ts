/**
 * A worker process for the fault suite: the real runtime (pipeline, CRM adapters) with no HTTP, against
 * the database and sandbox named in the environment. The suite kills it with SIGKILL mid-batch.
 */
import { createLogger } from "../../src/logging/logger";
import { systemClock } from "../../src/composition/system-clock";
import { startHandoffRuntime } from "../../src/composition/handoff-runtime";

async function main(): Promise<void> {
  const databaseUrl = process.env.FAULT_DATABASE_URL!;
  const logger = createLogger({ level: "warn", format: "json" });
  const rt = await startHandoffRuntime({
    databaseUrl,
    logger,
    publicUrl: "https://handoff.test",
    hubspotSecrets: ["fault-suite-secret-0123456789"],
    adminToken: "fault-suite-admin-token-0123456789",
    encryptionKey: process.env.FAULT_KEY!,
    worker: true,
    now: systemClock,
    workerConcurrency: 8,
    retry: { baseDelayMs: 500, maxAttempts: 12, maxDelayMs: 4000 },
    product: {
      publicUrl: "https://handoff.test",
      adminToken: "fault-suite-admin-token-0123456789",
      encryptionKey: process.env.FAULT_KEY!,
      embedded: true,
      hubspot: {
        clientId: "demo-client-id",
        clientSecrets: ["fault-suite-secret-0123456789"],
        apiBase: undefined,
      },
      salesforce: { clientId: undefined, clientSecret: undefined, loginUrl: "http://127.0.0.1:1" },
    },
  });
  process.stdout.write("ready\n");
  process.once("SIGTERM", () => void rt.stop().then(() => process.exit(0)));
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
