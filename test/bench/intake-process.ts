/** One app instance for the scaling benchmark: intake only, on the database in BENCH_DATABASE_URL. */
import { createLogger } from "../../src/logging/logger";
import { systemClock } from "../../src/composition/system-clock";
import { startHandoffRuntime } from "../../src/composition/handoff-runtime";

startHandoffRuntime({
  databaseUrl: process.env.BENCH_INSTANCE_DATABASE_URL!,
  logger: createLogger({ level: "error" }),
  publicUrl: "https://bench.handoff.test",
  hubspotSecrets: ["bench-client-secret-0123456789"],
  adminToken: "bench-admin-token-0123456789abcdef",
  encryptionKey: Buffer.alloc(32, 7).toString("base64"),
  port: 0,
  worker: false,
  now: systemClock,
}).then(
  (rt) => {
    // Exit (rather than die) on SIGTERM, so that `--cpu-prof` in NODE_OPTIONS writes the instance's profile.
    process.once("SIGTERM", () => process.exit(0));
    process.stdout.write(`ready ${rt.url}\n`);
  },
  (err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exit(1);
  },
);
