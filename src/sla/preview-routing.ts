import { readFileSync } from "node:fs";
import { chooseFollowUpTier, tierFacts } from "../domain/follow-up-tier";
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
      // The follow-up tier the lead would get, so an admin trying tiers sees which promise applies.
      const { terms } = chooseFollowUpTier(
        sla.followUp,
        tierFacts(row.decision.qualifiedBy, row.score, decision, input.lead, sla.routing),
      );
      const tier = `follow-up tier ${terms.tier}: first touch within ${terms.firstTouch.text}${terms.businessHours ? " (business hours)" : ""}`;
      row.extra.routing = {
        lines: [decision.reason, ...skipped, tier],
        data: {
          followUpTier: terms.tier,
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
