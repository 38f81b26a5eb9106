import { readConfig, ConfigError } from "./config/read-config";
import { createLogger } from "./logging/logger";
import { startHandoff, type StartOptions, type Started } from "./composition/start-handoff";
import { systemClock } from "./composition/system-clock";

export type { StartOptions, Started } from "./composition/start-handoff";

/** Reads the config, builds Handoff on the machine's clock and starts it. */
export async function start(
  options: StartOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): Promise<Started> {
  const config = readConfig(env);
  return startHandoff(config, { ...options, clock: systemClock, logger: createLogger(config.log) });
}

/** Runs until SIGINT/SIGTERM, then stops cleanly. */
export async function runUntilSignal(options: StartOptions = {}): Promise<void> {
  let started: Started;
  try {
    started = await start(options);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n  hint: ${err.hint ?? ""}\n`);
      process.exit(2);
    }
    throw err;
  }
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      started.stop().then(
        () => process.exit(0),
        (err: unknown) => {
          process.stderr.write(`shutdown failed: ${String(err)}\n`);
          process.exit(1);
        },
      );
    });
  }
}

if (require.main === module) {
  runUntilSignal().catch((err: unknown) => {
    process.stderr.write(`Handoff failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
