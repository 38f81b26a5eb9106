import { readFileSync } from "node:fs";
import { createRoutingSimulation, type Roster, type RoutingSimulation } from "../domain/routing-simulation";
import { addPreviewStep } from "./preview";
import { parseRoster } from "./roster-schema";

/**
 * The routing column of `handoff preview`: leads that would be handed over are routed in file order by a
 * sequential simulation from the roster (`--roster`, JSON), so fairness and caps carry from lead to lead.
 * Nothing is written anywhere.
 */
export function registerRoutingPreview(): void {
  addPreviewStep({
    name: "routing",
    run(row, input, sla, context) {
      if (!row.decision.handoff) {
        row.extra.routing = { lines: ["not handed over"], data: null };
        return;
      }
      let sim = context.state.get("routing") as RoutingSimulation | undefined;
      if (!sim) {
        const roster: Roster = context.roster
          ? parseRoster(readFileSync(context.roster, "utf8"), context.roster)
          : {};
        sim = createRoutingSimulation(sla.routing, roster);
        context.state.set("routing", sim);
      }
      const decision = sim.route(input.lead, context.at);
      const skipped = decision.candidates
        .filter((c) => c.skipped)
        .map((c) => `  skipped ${c.rep}: ${c.skipped}`);
      row.extra.routing = {
        lines: [decision.reason, ...skipped],
        data: {
          method: decision.method,
          ownerId: decision.ownerId ?? null,
          rep: decision.repKey ?? null,
          pool: decision.pool ?? null,
          territory: decision.territory ?? null,
          reason: decision.reason,
          candidates: decision.candidates,
        },
      };
    },
  });
}
