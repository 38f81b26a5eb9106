import { routeLead } from "../../../src/domain/routing";
import { aLead, anInput } from "../../helpers/routing-builders";

describe("routeLead with previous assignees excluded (reassignment after a missed follow-up)", () => {
  it("when the lead's owner had it before, then it is not kept and the pool skips them with the reason", () => {
    const decision = routeLead(anInput({ lead: aLead({ ownerId: "80001" }), excludeOwnerIds: ["80001"] }));
    expect(decision).toMatchObject({ method: "round_robin", repKey: "ben", ownerId: "80002" });
    expect(decision.steps[0]).toBe("existing owner not kept: owner 80001 is a previous assignee");
    expect(decision.candidates).toContainEqual(
      expect.objectContaining({ rep: "anna", eligible: false, skipped: "previous assignee" }),
    );
  });

  it("when every pool member had it before, then it goes to the fallback queue", () => {
    const decision = routeLead(anInput({ lead: aLead(), excludeOwnerIds: ["80001", "80002"] }));
    expect(decision.method).toBe("fallback");
    expect(decision.ownerId).not.toBe("80001");
    expect(decision.ownerId).not.toBe("80002");
  });
});
