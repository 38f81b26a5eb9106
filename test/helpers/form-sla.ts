import type { Sla } from "../../src/domain/sla";
import { anSla, engagementRule } from "../unit/sla/builders";
import { demoRules } from "./routing-builders";

/**
 * The demo roster's SLA in which a form submission alone makes an MQL (50 engagement points, threshold 40, no fit
 * needed): the pipeline tests' lead qualifies by submitting "Contact me".
 * @param options.holidays false drops the reps' public holidays, so every weekday is a working day
 * @param options.taskOwner the rep who gets the task when a queue owns the lead
 */
export function formQualifiesSla(options: { holidays?: boolean; taskOwner?: string } = {}): Sla {
  const routing = demoRules();
  if (options.holidays === false) for (const rep of Object.values(routing.reps)) delete rep.holidays;
  if (options.taskOwner) routing.fallback = { ...routing.fallback, taskOwner: options.taskOwner };
  return anSla({
    routing,
    engagement: [engagementRule({ on: "form_submission", points: 50 })],
    mqlFit: 0,
    mqlEngagement: 40,
  });
}
