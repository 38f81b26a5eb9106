import { Command } from "commander";
import { AppError } from "../domain/errors";
import { systemClock } from "../composition/system-clock";
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
for (const register of [
  registerCore,
  registerSla,
  registerPreview,
  registerRouting,
  registerFeedback,
  registerReports,
  registerSandbox,
]) {
  // The CLI's composition root: the one place its commands get the machine's clock.
  register(program, systemClock);
}
program.parseAsync(process.argv).catch((err: unknown) => {
  // Every command's error keeps its hint (what to do next), whichever command threw it.
  const hint = err instanceof AppError && err.hint ? `\n  hint: ${err.hint}` : "";
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}${hint}\n`);
  process.exitCode = 1;
});
