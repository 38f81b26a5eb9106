import { Command } from "commander";
import { AppError } from "../domain/errors";
import { ConfigError, readConfig } from "../config/read-config";
import { composeCliServices } from "../composition/cli-services";
import { systemClock } from "../composition/system-clock";
import type { CliServices } from "./cli-services";
import { register as registerCore } from "./commands/core";
import { register as registerFeedback } from "./commands/feedback";
import { register as registerReports } from "./commands/reports";
import { register as registerPreview } from "./commands/preview";
import { register as registerRouting } from "./commands/routing";
import { register as registerSandbox } from "./commands/sandbox";
import { register as registerSla } from "./commands/sla";

const program = new Command("handoff").description(
  "Runs the marketing-to-sales lead handoff in HubSpot and Salesforce by a signed SLA.",
);

let services: CliServices;
try {
  // The CLI's composition root: the environment is validated once, and it is the one place its commands get
  // the machine's clock. Secrets are checked by the commands that use them.
  services = composeCliServices(readConfig(process.env, { requireSecrets: false }), systemClock);
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`${err.message}\n`);
  process.exit(2);
}
for (const register of [
  registerCore,
  registerSla,
  registerPreview,
  registerRouting,
  registerFeedback,
  registerReports,
  registerSandbox,
]) {
  register(program, services);
}
program
  .parseAsync(process.argv)
  .catch((err: unknown) => {
    // Every command's error keeps its hint (what to do next), whichever command threw it.
    const hint = err instanceof AppError && err.hint ? `\n  hint: ${err.hint}` : "";
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}${hint}\n`);
    process.exitCode = 1;
  })
  .finally(() => services.close());
