import { routeLead } from "../../../src/domain/routing";
import {
  MONDAY_MORNING_EU,
  MONDAY_MORNING_NA,
  aLead,
  aRepState,
  anInput,
  demoRules,
  simulate,
  withPool,
} from "../../helpers/routing-builders";

describe("routeLead", () => {
  it("never picks an inactive (departed) user, even over many leads", () => {
    const { decisions, perRep } = simulate(
      100,
      anInput({ lead: aLead({ country: "US" }), now: MONDAY_MORNING_NA }),
    );
    expect(perRep).toEqual({ emma: 100 });
    expect(decisions[0]?.candidates).toContainEqual(
      expect.objectContaining({
        rep: "felix",
        eligible: false,
        skipped: "deactivated in the CRM (owner 80006)",
      }),
    );
  });

  it("does not keep a deactivated existing owner: the lead is routed afresh", () => {
    const decision = routeLead(
      anInput({ lead: aLead({ country: "US", ownerId: "80006" }), now: MONDAY_MORNING_NA }),
    );
    expect(decision).toMatchObject({ method: "round_robin", repKey: "emma", ownerId: "80005" });
    expect(decision.steps[0]).toBe("existing owner not kept: owner 80006 is deactivated in the CRM");
  });

  it("keeps an active existing owner when the SLA says keep, without taking a slot", () => {
    const decision = routeLead(anInput({ lead: aLead({ ownerId: "80002" }) }));
    expect(decision).toMatchObject({
      method: "existing_owner",
      ownerId: "80002",
      repKey: "ben",
      counts: false,
    });
  });

  it("gives a member with cap 0 nothing", () => {
    const { perRep, decisions } = simulate(
      60,
      anInput({ rules: demoRules(), repStates: { ben: aRepState({ caps: { open: 0 } }) } }),
    );
    expect(perRep.ben).toBeUndefined();
    expect(perRep.anna).toBe(25); // then anna is full too and the rest goes to the fallback
    expect(decisions[59]).toMatchObject({ method: "fallback", ownerId: "80010" });
    expect(decisions[0]?.candidates).toContainEqual(
      expect.objectContaining({ rep: "ben", skipped: "0/0 open" }),
    );
  });

  it("gives weights 2:1 a 2:1 split over 300 leads (±1)", () => {
    const rules = demoRules();
    const dach = { ...rules.pools.dach!, capOpen: undefined } as typeof rules.pools.dach & object;
    delete (dach as { capOpen?: number }).capOpen;
    const { perRep } = simulate(300, anInput({ rules: withPool(rules, dach) }));
    expect(Math.abs((perRep.anna ?? 0) - 200)).toBeLessThanOrEqual(1);
    expect(Math.abs((perRep.ben ?? 0) - 100)).toBeLessThanOrEqual(1);
  });

  it("spreads a bulk batch of 200 leads instead of giving them to one rep", () => {
    const { decisions, perRep } = simulate(
      200,
      anInput({ lead: aLead({ country: "ES", postalCode: "28013" }) }),
    );
    expect(perRep).toEqual({ carla: 100, diego: 100 });
    let run = 1;
    let longest = 1;
    for (let i = 1; i < decisions.length; i++) {
      run = decisions[i]?.repKey === decisions[i - 1]?.repKey ? run + 1 : 1;
      longest = Math.max(longest, run);
    }
    expect(longest).toBe(1);
  });

  it("sends a lead from an existing account to the account owner", () => {
    const decision = routeLead(
      anInput({
        lead: aLead({ email: "jo@acme.io", country: "DE" }),
        accounts: [{ id: "9001", domain: "acme.io", ownerId: "80003", employees: 800 }],
      }),
    );
    expect(decision).toMatchObject({
      method: "account_owner",
      ownerId: "80003",
      repKey: "carla",
      counts: true,
    });
    expect(decision.reason).toContain("account 9001 (acme.io) is owned by carla");
  });

  it("explains the tie-breaker when several accounts share the domain", () => {
    const decision = routeLead(
      anInput({
        lead: aLead({ email: "jo@acme.io" }),
        accounts: [
          { id: "9003", domain: "acme.io", ownerId: "80006", employees: 5000 },
          { id: "9002", domain: "acme.io", ownerId: "80004", employees: 40 },
          { id: "9001", domain: "acme.io", ownerId: "80003", employees: 800 },
        ],
      }),
    );
    expect(decision).toMatchObject({ method: "account_owner", ownerId: "80003" });
    expect(decision.reason).toContain(
      "3 accounts match acme.io, picked by active owner, exact domain, most employees",
    );
    expect(decision.reason).toContain("9003 (owner 80006 is deactivated in the CRM)");
  });

  it("ignores free-mail and disposable domains for account matching", () => {
    const decision = routeLead(
      anInput({
        lead: aLead({ email: "jo@gmail.com" }),
        accounts: [{ id: "9009", domain: "gmail.com", ownerId: "80003" }],
      }),
    );
    expect(decision.method).toBe("round_robin");
    expect(decision.steps).toContain("account match: gmail.com is a free-mail or disposable domain, ignored");
  });

  it("gives a lead to the owner of its most recently updated duplicate", () => {
    const decision = routeLead(
      anInput({
        lead: aLead({ email: "jo@gmail.com" }),
        duplicates: [
          { id: "c-1", ownerId: "80004", updatedAt: "2026-10-01T00:00:00Z" },
          { id: "c-2", ownerId: "80005", updatedAt: "2026-11-01T00:00:00Z" },
        ],
      }),
    );
    expect(decision).toMatchObject({ method: "duplicate_owner", ownerId: "80005", repKey: "emma" });
  });

  it("routes the Spanish postal code 28013 to the 28* territory", () => {
    const decision = routeLead(anInput({ lead: aLead({ country: "ES", postalCode: "28013" }) }));
    expect(decision).toMatchObject({ territory: "Iberia", pool: "iberia", method: "round_robin" });
    expect(decision.steps).toContainEqual(expect.stringContaining('postalCode "28013" matches'));
  });

  it("tries territories by explicit priority before file order", () => {
    const rules = demoRules();
    rules.territories.push({ name: "Madrid VIP", when: { postalCode: "28*" }, pool: "dach", priority: 1 });
    const decision = routeLead(anInput({ rules, lead: aLead({ country: "ES", postalCode: "28013" }) }));
    expect(decision.territory).toBe("Madrid VIP");
  });

  it("when nobody is eligible, falls back with a reason naming who was skipped and why", () => {
    const decision = routeLead(
      anInput({
        repStates: {
          anna: aRepState({ open: 25 }),
          ben: aRepState({ away: { reason: "vacation", until: "2026-11-30T00:00:00Z" } }),
        },
      }),
    );
    expect(decision).toMatchObject({ method: "fallback", ownerId: "80010", pool: "dach", territory: "DACH" });
    expect(decision.reason).toContain("anna: 25/25 open");
    expect(decision.reason).toContain("ben: away until 2026-11-30 (vacation)");
    expect(decision.reason).toContain("sent to the fallback Inbound triage");
  });

  it("skips reps outside their working hours, on public holidays and out of office", () => {
    const night = routeLead(anInput({ now: "2026-11-23T20:00:00Z" }));
    expect(night.method).toBe("fallback");
    expect(night.reason).toContain("anna: outside working hours (Mon 21:00 Europe/Berlin)");

    const holiday = routeLead(
      anInput({
        lead: aLead({ country: "ES", postalCode: "08001" }),
        now: "2026-12-08T10:00:00Z",
        holidays: { "ES-MD": ["2026-12-08"], ES: [] },
        repStates: {
          diego: aRepState({ ooo: [{ from: "2026-12-07T00:00:00Z", to: "2026-12-09T00:00:00Z" }] }),
        },
      }),
    );
    expect(holiday.reason).toContain("carla: public holiday in ES-MD (2026-12-08)");
    expect(holiday.reason).toContain("diego: out of office until 2026-12-09");
  });

  it("keeps the lead with its open Handoff assignment (a redelivered event takes no second slot)", () => {
    const decision = routeLead(
      anInput({ currentAssignment: { repKey: "ben", ownerId: "80002", decisionId: "d-1" } }),
    );
    expect(decision).toMatchObject({ method: "already_assigned", ownerId: "80002", counts: false });
  });

  it("decides the same way for the same snapshot (deterministic)", () => {
    const input = anInput({ repStates: { ben: aRepState({ open: 3 }) } });
    expect(JSON.stringify(routeLead(structuredClone(input)))).toBe(
      JSON.stringify(routeLead(structuredClone(input))),
    );
  });

  it("applies per-day and per-week caps", () => {
    const rules = demoRules();
    const dach = { ...rules.pools.dach!, capPerDay: 2, capPerWeek: 10 };
    const d = routeLead(
      anInput({
        rules: withPool(rules, dach),
        repStates: { anna: aRepState({ today: 2 }), ben: aRepState({ week: 10 }) },
      }),
    );
    expect(d.reason).toContain("anna: 2/2 today");
    expect(d.reason).toContain("ben: 10/10 this week");
  });

  it("says so when the time is right but the fallback is missing", () => {
    const d = routeLead(
      anInput({
        now: MONDAY_MORNING_EU,
        rules: demoRules({ fallback: {} }),
        repStates: { anna: aRepState({ open: 25 }), ben: aRepState({ open: 25 }) },
      }),
    );
    expect(d.ownerId).toBeUndefined();
    expect(d.reason).toContain("set routing.fallback");
  });
});
