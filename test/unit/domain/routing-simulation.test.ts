import { createRoutingSimulation } from "../../../src/domain/routing-simulation";
import { DEMO_OWNERS, MONDAY_MORNING_EU, aLead, demoRules } from "../../helpers/routing-builders";

describe("routing simulation (preview)", () => {
  it("routes sample leads in order, carrying fairness and caps from one lead to the next", () => {
    const sim = createRoutingSimulation(demoRules(), { owners: DEMO_OWNERS });
    const owners = Array.from(
      { length: 30 },
      (_, i) => sim.route(aLead({ id: `l-${i}` }), MONDAY_MORNING_EU).repKey ?? "fallback",
    );
    expect(owners.slice(0, 6)).toEqual(["anna", "ben", "anna", "anna", "ben", "anna"]);
    expect(sim.assigned()).toEqual({ anna: 20, ben: 10 });
  });

  it("matches accounts from the roster by the lead's e-mail domain", () => {
    const sim = createRoutingSimulation(demoRules(), {
      owners: DEMO_OWNERS,
      accounts: [{ id: "9001", domain: "acme.io", ownerId: "80004" }],
    });
    expect(sim.route(aLead({ email: "jo@acme.io" }), MONDAY_MORNING_EU)).toMatchObject({
      method: "account_owner",
      repKey: "diego",
    });
  });

  it("restarts the per-day cap on the rep's next local day", () => {
    const rules = demoRules();
    rules.pools.dach = { ...rules.pools.dach!, capPerDay: 1, members: [{ rep: "ben", weight: 1 }] };
    const sim = createRoutingSimulation(rules, { owners: DEMO_OWNERS });
    expect(sim.route(aLead({ id: "a" }), "2026-11-23T10:00:00Z").repKey).toBe("ben");
    expect(sim.route(aLead({ id: "b" }), "2026-11-23T11:00:00Z").method).toBe("fallback");
    expect(sim.route(aLead({ id: "c" }), "2026-11-24T10:00:00Z").repKey).toBe("ben");
  });
});
