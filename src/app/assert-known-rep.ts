import { AppError } from "../domain/errors";
import type { RoutingRules } from "../domain/routing-rules";
import { suggest } from "../sla/did-you-mean";

/**
 * Refuses a rep key the connection's SLA does not know, suggesting the closest one: a typo would otherwise set
 * a row nobody routes to and leave the real rep in rotation. `rules` are the routing rules of the SLA in force.
 * @throws AppError `unknown_rep` naming the closest key (the API answers 404)
 */
export function assertKnownRep(rules: RoutingRules, connectionId: string, rep: string): void {
  const reps = Object.keys(rules.reps);
  if (reps.includes(rep)) return;
  throw new AppError(
    "unknown_rep",
    `no rep "${rep}" in ${connectionId}'s SLA — ${suggest(rep, reps, "reps")}`,
    {
      hint: `Reps are the SLA's keys under routing.reps: ${reps.join(", ")}.`,
    },
  );
}
